-- intermediate.int_metric_cells_monthly: numerator and denominator per metric, month and
-- breakdown value (grain: metric, month, breakdown, breakdown_value). One pass with
-- grouping sets; a blank breakdown column leaves the response out of that breakdown only.
create or replace table intermediate.int_metric_cells_monthly as
with grouped as (
    select
        metric,
        month,
        case
            when grouping(crime_group) = 0 then 'crime_group'
            when grouping(domestic_abuse) = 0 then 'domestic_abuse'
            when grouping(hate_crime) = 0 then 'hate_crime'
            when grouping(area) = 0 then 'area'
            when grouping(journey_stage) = 0 then 'journey_stage'
            when grouping(repeat_victim) = 0 then 'repeat_victim'
            when grouping(age_band) = 0 then 'age_band'
            when grouping(gender) = 0 then 'gender'
            when grouping(ethnic_group) = 0 then 'ethnic_group'
            when grouping(disability) = 0 then 'disability'
            else 'all'
        end as breakdown,
        case
            when grouping(crime_group) = 0 then crime_group
            when grouping(domestic_abuse) = 0 then domestic_abuse
            when grouping(hate_crime) = 0 then hate_crime
            when grouping(area) = 0 then area
            when grouping(journey_stage) = 0 then journey_stage
            when grouping(repeat_victim) = 0 then repeat_victim
            when grouping(age_band) = 0 then age_band
            when grouping(gender) = 0 then gender
            when grouping(ethnic_group) = 0 then ethnic_group
            when grouping(disability) = 0 then disability
            else 'all'
        end as breakdown_value,
        count(*) filter (where success) as numerator,
        count(*) as denominator
    from intermediate.int_metric_observations
    group by grouping sets (
        (metric, month),
        (metric, month, crime_group),
        (metric, month, domestic_abuse),
        (metric, month, hate_crime),
        (metric, month, area),
        (metric, month, journey_stage),
        (metric, month, repeat_victim),
        (metric, month, age_band),
        (metric, month, gender),
        (metric, month, ethnic_group),
        (metric, month, disability)
    )
),

final as (
    select * from grouped
    where breakdown_value is not null
)

select * from final

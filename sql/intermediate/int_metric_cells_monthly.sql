-- intermediate.int_metric_cells_monthly: numerator and denominator per metric, month and
-- breakdown value (grain: metric, month, breakdown, breakdown_value). One pass of grouping
-- sets over the per-response measures; a blank breakdown column leaves the response out of
-- that breakdown only. Pooled Victims' Code compliance (all rights, and each of the Code's
-- principles) sums the rights' cells: every Y or N answer is one observation.
create or replace table intermediate.int_metric_cells_monthly as
with grouped as (
    select
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
        sum(columns('__[nx]$'))
    from intermediate.int_response_measures
    group by grouping sets (
        (month),
        (month, crime_group),
        (month, domestic_abuse),
        (month, hate_crime),
        (month, area),
        (month, journey_stage),
        (month, repeat_victim),
        (month, age_band),
        (month, gender),
        (month, ethnic_group),
        (month, disability)
    )
),

long as (
    unpivot (select * from grouped where breakdown_value is not null)
    on columns('__[nx]$')
    into name measure value responses
),

per_response_metrics as (
    select
        split_part(measure, '__', 1) as metric,
        month,
        breakdown,
        breakdown_value,
        sum(responses) filter (where measure like '%\_\_x' escape '\')::bigint as numerator,
        sum(responses) filter (where measure like '%\_\_n' escape '\')::bigint as denominator
    from long
    group by all
),

pooled_rights as (
    select
        pooled.metric,
        c.month,
        c.breakdown,
        c.breakdown_value,
        sum(c.numerator)::bigint as numerator,
        sum(c.denominator)::bigint as denominator
    from per_response_metrics as c
    inner join reference.rights as r on r.right_code = c.metric
    cross join lateral (select unnest(['rights_all', 'rights_' || r.principle]) as metric) as pooled
    group by all
),

final as (
    select * from per_response_metrics where denominator > 0
    union all
    select * from pooled_rights where denominator > 0
)

select * from final

-- intermediate.int_area_metric_cells: the service measures of the contracts' area-limited
-- scopes (reference.targets rows with an area, e.g. IDVA in Swindon) on that area's responses
-- only, per period type (every one but `month`), period and breakdown value, with the
-- window's first month and label, rate, Wilson 95% interval and disclosure flags (grain: area,
-- metric, period_type, period, breakdown, breakdown_value). metrics-v2 §4: "the rating and
-- every breakdown shown for it use that area's responses only". Breakdown `all` is the area's
-- own total (the county-wide cell for breakdown `area` and this area); the `area` breakdown
-- itself is left out. Built as int_metric_cells_monthly and int_metric_cells are, on the
-- areas' responses: a cell exists exactly when its denominator is at least 1.
create or replace table intermediate.int_area_metric_cells as
with scopes as (
    select distinct area, metric
    from reference.targets
    where area is not null
),

grouped as (
    select
        month,
        area,
        case
            when grouping(crime_group) = 0 then 'crime_group'
            when grouping(domestic_abuse) = 0 then 'domestic_abuse'
            when grouping(hate_crime) = 0 then 'hate_crime'
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
            when grouping(journey_stage) = 0 then journey_stage
            when grouping(repeat_victim) = 0 then repeat_victim
            when grouping(age_band) = 0 then age_band
            when grouping(gender) = 0 then gender
            when grouping(ethnic_group) = 0 then ethnic_group
            when grouping(disability) = 0 then disability
            else 'all'
        end as breakdown_value,
        sum(columns('^svc_[A-Z]+_[a-z]+__[nx]$'))
    from intermediate.int_response_measures
    where area in (select area from scopes)
    group by grouping sets (
        (month, area),
        (month, area, crime_group),
        (month, area, domestic_abuse),
        (month, area, hate_crime),
        (month, area, journey_stage),
        (month, area, repeat_victim),
        (month, area, age_band),
        (month, area, gender),
        (month, area, ethnic_group),
        (month, area, disability)
    )
),

long as (
    unpivot (select * from grouped where breakdown_value is not null)
    on columns('__[nx]$')
    into name measure value responses
),

monthly as (
    select
        split_part(l.measure, '__', 1) as metric,
        l.month,
        l.area,
        l.breakdown,
        l.breakdown_value,
        sum(l.responses) filter (where l.measure like '%\_\_x' escape '\')::bigint as numerator,
        sum(l.responses) filter (where l.measure like '%\_\_n' escape '\')::bigint as denominator
    from long as l
    inner join scopes as s on s.area = l.area and s.metric = split_part(l.measure, '__', 1)
    group by all
),

windowed as (
    select
        c.area,
        c.metric,
        w.period_type,
        w.period,
        w.period_start,
        w.period_label,
        c.breakdown,
        c.breakdown_value,
        sum(c.numerator)::bigint as numerator,
        sum(c.denominator)::bigint as denominator
    from monthly as c
    inner join intermediate.int_period_windows as w using (month)
    where w.period_type <> 'month'
    group by all
),

final as (
    select
        *,
        numerator / denominator as rate,
        wilson_low(numerator, denominator) as ci_low,
        wilson_high(numerator, denominator) as ci_high,
        denominator < 10 as suppressed,
        denominator between 10 and 29 as indicative
    from windowed
    where denominator >= 1
)

select * from final

-- intermediate.int_area_metric_cells: the service measures of the contracts' area-limited
-- scopes (reference.targets rows with an area, e.g. IDVA in Swindon) on that area's responses
-- only, per period type (every one but `month`), period and breakdown value, with the
-- window's first month and label, rate, Wilson 95% interval and disclosure flags (grain: area,
-- metric, period_type, period, breakdown, breakdown_value). metrics-v2 §4: "the rating and
-- every breakdown shown for it use that area's responses only". In the same areas, the comment
-- themes (family `themes`) by breakdown `all` and by `service` for the scope's own services
-- only: the themes of the area's comments about the service, as a pack's Themes sheet shows.
-- Breakdown `all` is the area's own total (the county-wide cell for breakdown `area` and this
-- area); the `area` breakdown itself is left out. Summed from
-- intermediate.int_stratum_metric_cells_monthly (the area's strata), then windowed as
-- int_metric_cells is: a cell exists exactly when its denominator is at least 1.
create or replace table intermediate.int_area_metric_cells as
with measures as (
    select distinct area, metric
    from reference.targets
    where area is not null
),

area_services as (
    select t.area, list(distinct m.service) as services
    from measures as t
    inner join reference.metrics as m using (metric)
    group by t.area
),

scopes as (
    -- the measures with every breakdown; the themes with `all` and the scope's own services
    select area, metric, null::varchar[] as services
    from measures
    union all
    select a.area, m.metric, a.services
    from area_services as a
    cross join reference.metrics as m
    where m.family = 'themes' and m.public
),

monthly as (
    -- the area's cells summed over its strata (one per crime group): no second pass over the
    -- responses; the county-wide `area` breakdown is the scope itself, so it is left out
    select
        c.metric,
        c.month,
        c.stratum_area as area,
        c.breakdown,
        c.breakdown_value,
        sum(c.numerator)::bigint as numerator,
        sum(c.denominator)::bigint as denominator
    from intermediate.int_stratum_metric_cells_monthly as c
    inner join scopes as s on s.area = c.stratum_area and s.metric = c.metric
    where c.breakdown <> 'area' and (
        s.services is null
        or c.breakdown = 'all'
        or (c.breakdown = 'service' and list_contains(s.services, c.breakdown_value))
    )
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
        is_suppressed(denominator) as suppressed,
        is_indicative(denominator) as indicative
    from windowed
    where denominator >= 1
)

select * from final

-- marts.published_area_metric_values: an area-limited contract scope's service measures (IDVA
-- in Swindon, IDVA in Wiltshire), and that area's comment themes by service (breakdowns `all`
-- and `service`), on that area's responses only, as they may leave the
-- warehouse (grain: area, metric, period_type, period, breakdown, breakdown_value), for the
-- breakdowns a pack shows for the scope (metrics-v2 §4): its crime-group cells add up to the
-- area's own total. Columns as marts.published_metric_values after `area`, and the same
-- disclosure rules within each area (intermediate.int_published_cells). Breakdown `all` is
-- the area's total, withheld too when the county-wide cell for that area is (so that nothing
-- here undoes a withheld cell there); where the total is withheld, so is every breakdown cell
-- of the window (their sum would give it away): `withheld_with_total`. A theme's cell of the
-- comments about a service (breakdown `service`) is withheld too when the county-wide cell for
-- that service is, or when the rest of the county (that cell less this area's) has fewer than
-- 10, which subtraction would otherwise give away: `withheld_with_county`.
create or replace table marts.published_area_metric_values as
with county as (
    select metric, period_type, period, breakdown_value as area, withheld
    from marts.published_metric_values
    where breakdown = 'area'
),

county_service as (
    -- the county-wide cell of each service's comments, withheld or not, and its true size
    select p.metric, p.period_type, p.period, p.breakdown_value as service, p.withheld, m.denominator
    from marts.published_metric_values as p
    inner join intermediate.int_metric_cells as m using (metric, period_type, period, breakdown, breakdown_value)
    where p.breakdown = 'service'
),

cells as (
    select
        c.scope as area,
        c.* exclude (scope, withheld),
        not c.withheld and (
            coalesce(t.withheld, true)
            or coalesce(bool_or(c.withheld) filter (where c.breakdown = 'all') over (
                partition by c.scope, c.metric, c.period_type, c.period
            ), true)
        ) as withheld_with_total,
        not c.withheld and c.breakdown = 'service' and (
            coalesce(s.withheld, true)
            or (s.denominator > c.denominator and is_suppressed(s.denominator - c.denominator))
        ) as withheld_with_county
    from intermediate.int_published_cells as c
    left join county as t
        on t.metric = c.metric
        and t.period_type = c.period_type
        and t.period = c.period
        and t.area = c.scope
    left join county_service as s
        on s.metric = c.metric
        and s.period_type = c.period_type
        and s.period = c.period
        and s.service = c.breakdown_value
        and c.breakdown = 'service'
    where c.scope <> 'all'
),

hidden as (
    select
        *,
        suppressed or secondarily_suppressed or differencing_suppressed or withheld_with_total
        or withheld_with_county as withheld
    from cells
),

final as (
    select
        area,
        metric,
        period_type,
        period,
        period_start,
        period_label,
        breakdown,
        breakdown_value,
        case when not withheld then numerator end as numerator,
        case when not withheld then denominator end as denominator,
        case when not withheld then rate end as rate,
        case when not withheld then ci_low end as ci_low,
        case when not withheld then ci_high end as ci_high,
        suppressed,
        secondarily_suppressed,
        differencing_suppressed,
        withheld_with_total,
        withheld_with_county,
        withheld,
        indicative
    from hidden
    order by area, metric, period_type, period, breakdown, breakdown_value
)

select * from final

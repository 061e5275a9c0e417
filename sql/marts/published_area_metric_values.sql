-- marts.published_area_metric_values: an area-limited contract scope's service measures (IDVA
-- in Swindon, IDVA in Wiltshire) on that area's responses only, as they may leave the
-- warehouse (grain: area, metric, period_type, period, breakdown, breakdown_value), for the
-- breakdowns a pack shows for the scope (metrics-v2 §4): its crime-group cells add up to the
-- area's own total. Columns as marts.published_metric_values after `area`, and the same
-- disclosure rules within each area (intermediate.int_published_cells). Breakdown `all` is
-- the area's total, withheld too when the county-wide cell for that area is (so that nothing
-- here undoes a withheld cell there); where the total is withheld, so is every breakdown cell
-- of the window (their sum would give it away): `withheld_with_total`.
create or replace table marts.published_area_metric_values as
with county as (
    select metric, period_type, period, breakdown_value as area, withheld
    from marts.published_metric_values
    where breakdown = 'area'
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
        ) as withheld_with_total
    from intermediate.int_published_cells as c
    left join county as t
        on t.metric = c.metric
        and t.period_type = c.period_type
        and t.period = c.period
        and t.area = c.scope
    where c.scope <> 'all'
),

final as (
    select
        c.area,
        c.metric,
        c.period_type,
        c.period,
        c.period_start,
        c.period_label,
        c.breakdown,
        c.breakdown_value,
        case when not (c.suppressed or c.secondarily_suppressed or c.differencing_suppressed
            or c.withheld_with_total) then c.numerator end as numerator,
        case when not (c.suppressed or c.secondarily_suppressed or c.differencing_suppressed
            or c.withheld_with_total) then c.denominator end as denominator,
        case when not (c.suppressed or c.secondarily_suppressed or c.differencing_suppressed
            or c.withheld_with_total) then c.rate end as rate,
        case when not (c.suppressed or c.secondarily_suppressed or c.differencing_suppressed
            or c.withheld_with_total) then c.ci_low end as ci_low,
        case when not (c.suppressed or c.secondarily_suppressed or c.differencing_suppressed
            or c.withheld_with_total) then c.ci_high end as ci_high,
        c.suppressed,
        c.secondarily_suppressed,
        c.differencing_suppressed,
        c.withheld_with_total,
        c.suppressed or c.secondarily_suppressed or c.differencing_suppressed or c.withheld_with_total
            as withheld,
        c.indicative
    from cells as c
    order by c.area, c.metric, c.period_type, c.period, c.breakdown, c.breakdown_value
)

select * from final

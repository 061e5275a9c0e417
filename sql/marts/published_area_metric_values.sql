-- marts.published_area_metric_values: an area-limited contract scope's service measures (IDVA
-- in Swindon, IDVA in Wiltshire), and that area's comment themes by service (breakdowns `all`
-- and `service`), on that area's responses only, as they may leave the
-- warehouse (grain: area, metric, period_type, period, breakdown, breakdown_value), for the
-- breakdowns a pack shows for the scope (metrics-v2 §4): its crime-group cells add up to the
-- area's own total. Columns as marts.published_metric_values after `area`, and the same
-- disclosure rules within each area (intermediate.int_published_cells). Breakdown `all` is
-- the area's total, withheld too when the county-wide cell for that area is (so that nothing
-- here undoes a withheld cell there); where the total is withheld, so is every breakdown cell
-- of the window (their sum would give it away): `withheld_with_total`. A group's cell (a
-- crime group, a service's comments, ...) is withheld too when the county-wide cell of the same
-- group is, or when the rest of the county (that cell less this area's) has 1 to 9, which
-- subtraction would otherwise give away; then, where that leaves a breakdown whose groups add
-- up (every one but `service`, whose comments can be about two services) with one withheld
-- cell, its next-smallest cell too: `withheld_with_county`. A group that is the area's whole
-- breakdown (every answer in one group) is not withheld by it: it equals the area's total, so
-- withholding it here would hide nothing (the county's own cells already tell that rest).
create or replace table marts.published_area_metric_values as
with county as (
    select metric, period_type, period, breakdown_value as area, withheld
    from marts.published_metric_values
    where breakdown = 'area'
),

county_groups as (
    -- the county-wide cell of each group, withheld or not, and its true size
    select p.metric, p.period_type, p.period, p.breakdown, p.breakdown_value, p.withheld, m.denominator
    from marts.published_metric_values as p
    inner join intermediate.int_metric_cells as m using (metric, period_type, period, breakdown, breakdown_value)
    where p.breakdown not in ('all', 'area')
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
        not c.withheld and c.breakdown <> 'all' and (
            coalesce(s.withheld, true)
            or (s.denominator > c.denominator and is_suppressed(s.denominator - c.denominator))
        ) as by_county,
        count(*) over (partition by c.scope, c.metric, c.period_type, c.period, c.breakdown) as cells_in_breakdown
    from intermediate.int_published_cells as c
    left join county as t
        on t.metric = c.metric
        and t.period_type = c.period_type
        and t.period = c.period
        and t.area = c.scope
    left join county_groups as s
        on s.metric = c.metric
        and s.period_type = c.period_type
        and s.period = c.period
        and s.breakdown = c.breakdown
        and s.breakdown_value = c.breakdown_value
    where c.scope <> 'all'
),

county_rule as (
    select
        * exclude (by_county),
        by_county and (breakdown = 'service' or cells_in_breakdown > 1) as by_county
    from cells
),

ranked as (
    -- a breakdown the county rule leaves with exactly one withheld cell, its other cells
    -- smallest first (the rule's secondary suppression, as int_published_cells does it)
    select
        *,
        count(*) filter (
            where suppressed or secondarily_suppressed or differencing_suppressed or withheld_with_total or by_county
        ) over breakdown_cells as withheld_in_breakdown,
        bool_or(by_county) over breakdown_cells as county_in_breakdown,
        row_number() over (
            partition by area, metric, period_type, period, breakdown
            order by (suppressed or secondarily_suppressed or differencing_suppressed or withheld_with_total
                or by_county) desc, denominator, breakdown_value
        ) as smallest_first
    from county_rule
    window breakdown_cells as (partition by area, metric, period_type, period, breakdown)
),

flagged as (
    select
        * exclude (by_county, cells_in_breakdown, withheld_in_breakdown, county_in_breakdown, smallest_first),
        by_county or (
            breakdown not in ('all', 'service')
            and county_in_breakdown
            and withheld_in_breakdown = 1
            and smallest_first = 2
        ) as withheld_with_county
    from ranked
),

hidden as (
    select
        *,
        suppressed or secondarily_suppressed or differencing_suppressed or withheld_with_total
        or withheld_with_county as withheld
    from flagged
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

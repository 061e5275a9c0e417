-- intermediate.int_published_cells: disclosure control over every cell that may leave the
-- warehouse, for each scope (grain: scope, metric, period_type, period, breakdown,
-- breakdown_value): scope `all` is marts.metric_values (county-wide; published as
-- marts.published_metric_values), and an area (scope SWINDON, ...) is
-- intermediate.int_area_metric_cells (an area-limited contract scope's service measures on that
-- area's responses; published as marts.published_area_metric_values). The rules run within a
-- scope, as if each scope were its own table. A withheld cell keeps its key and
-- flags but shows no numerator, denominator, rate or interval. Primary: suppressed cells
-- (denominator < 10). Secondary: in a breakdown where exactly one cell is suppressed, the
-- next-smallest cell is withheld too, so that the suppressed cell cannot be recovered by
-- subtracting the others from the breakdown's `all` total. (A suppressed cell that is the
-- only cell of its breakdown has nothing to pair with; since it is below 10 and the total is
-- not, some answers are blank and the difference only bounds it.) Rolling and financial windows
-- only: beside them, a single month would be recoverable as its window minus the months before.
-- Differencing (metrics-v2 §5): where a published window is exactly two others put end to
-- end (a financial year to date and its last quarter with the year to date before it; a year
-- and its fourth quarter), and one part is withheld while the whole and the other part are
-- not, the other part is withheld too (differencing_suppressed), in every period type that
-- covers the same months; then, where that leaves a breakdown with one withheld cell, its
-- next-smallest cell too (differencing_suppressed), as the secondary rule does. Two passes,
-- not a fixed point: a cell withheld by them is not paired again (tests check generated data).
create or replace table intermediate.int_published_cells as
with scoped as (
    -- marts.metric_values' cells (public metrics), then the areas' cells
    select 'all' as scope, c.*
    from intermediate.int_metric_cells as c
    inner join reference.metrics as m on m.metric = c.metric and m.public
    where c.period_type <> 'month'
    union all
    select area as scope, * exclude (area)
    from intermediate.int_area_metric_cells
),

ranked as (
    select
        *,
        count(*) filter (where suppressed) over breakdown_cells as suppressed_in_breakdown,
        row_number() over (
            partition by scope, metric, period_type, period, breakdown
            order by suppressed desc, denominator, breakdown_value
        ) as smallest_first
    from scoped
    window breakdown_cells as (partition by scope, metric, period_type, period, breakdown)
),

flagged as (
    select
        *,
        not suppressed
        and breakdown <> 'all'
        and suppressed_in_breakdown = 1
        and smallest_first = 2 as secondarily_suppressed
    from ranked
),

spans as (
    -- one row per cell and run of months (a quarter and the rolling 3 months ending with it
    -- are one span), months numbered so that adjacent spans meet at end + 1 = start
    select
        scope,
        metric,
        breakdown,
        breakdown_value,
        period_start,
        period,
        left(period_start, 4)::int * 12 + right(period_start, 2)::int as start_number,
        left(period, 4)::int * 12 + right(period, 2)::int as end_number,
        bool_or(suppressed or secondarily_suppressed) as withheld
    from flagged
    group by all
),

parts as (
    -- whole = first_part followed by second_part, all three published spans of one cell
    select
        first_part.scope,
        first_part.metric,
        first_part.breakdown,
        first_part.breakdown_value,
        first_part.period_start as first_start,
        first_part.period as first_end,
        first_part.withheld as first_withheld,
        second_part.period_start as second_start,
        second_part.period as second_end,
        second_part.withheld as second_withheld
    from spans as whole
    inner join spans as first_part
        on first_part.scope = whole.scope
        and first_part.metric = whole.metric
        and first_part.breakdown = whole.breakdown
        and first_part.breakdown_value = whole.breakdown_value
        and first_part.start_number = whole.start_number
        and first_part.end_number < whole.end_number
    inner join spans as second_part
        on second_part.scope = whole.scope
        and second_part.metric = whole.metric
        and second_part.breakdown = whole.breakdown
        and second_part.breakdown_value = whole.breakdown_value
        and second_part.start_number = first_part.end_number + 1
        and second_part.end_number = whole.end_number
    where not whole.withheld and first_part.withheld <> second_part.withheld
),

differenced as (
    -- the part still shown beside a withheld one
    select distinct
        scope,
        metric,
        breakdown,
        breakdown_value,
        case when first_withheld then second_start else first_start end as period_start,
        case when first_withheld then second_end else first_end end as period
    from parts
),

differencing as (
    select
        f.*,
        not (f.suppressed or f.secondarily_suppressed) and d.metric is not null as withheld_as_a_part
    from flagged as f
    left join differenced as d
        on d.scope = f.scope
        and d.metric = f.metric
        and d.breakdown = f.breakdown
        and d.breakdown_value = f.breakdown_value
        and d.period_start = f.period_start
        and d.period = f.period
),

rechecked as (
    -- the secondary rule again: a breakdown whose only withheld cell was withheld as a part would
    -- give it away as `all` minus the others (and with it the withheld window it differs by)
    select
        *,
        count(*) filter (where suppressed or secondarily_suppressed or withheld_as_a_part)
            over breakdown_cells as withheld_in_breakdown,
        row_number() over (
            partition by scope, metric, period_type, period, breakdown
            order by suppressed or secondarily_suppressed or withheld_as_a_part desc, denominator, breakdown_value
        ) as withheld_then_smallest
    from differencing
    window breakdown_cells as (partition by scope, metric, period_type, period, breakdown)
),

withheld as (
    select
        * exclude (withheld_as_a_part, withheld_in_breakdown, withheld_then_smallest),
        withheld_as_a_part
        or (
            not (suppressed or secondarily_suppressed)
            and breakdown <> 'all'
            and withheld_in_breakdown = 1
            and withheld_then_smallest = 2
            and bool_or(withheld_as_a_part) over (partition by scope, metric, period_type, period, breakdown)
        ) as differencing_suppressed
    from rechecked
),

final as (
    select
        scope,
        metric,
        period_type,
        period,
        period_start,
        period_label,
        breakdown,
        breakdown_value,
        case when not (suppressed or secondarily_suppressed or differencing_suppressed) then numerator end
            as numerator,
        case when not (suppressed or secondarily_suppressed or differencing_suppressed) then denominator end
            as denominator,
        case when not (suppressed or secondarily_suppressed or differencing_suppressed) then rate end as rate,
        case when not (suppressed or secondarily_suppressed or differencing_suppressed) then ci_low end as ci_low,
        case when not (suppressed or secondarily_suppressed or differencing_suppressed) then ci_high end as ci_high,
        suppressed,
        secondarily_suppressed,
        differencing_suppressed,
        suppressed or secondarily_suppressed or differencing_suppressed as withheld,
        indicative
    from withheld
)

select * from final

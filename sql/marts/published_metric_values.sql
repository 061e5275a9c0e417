-- marts.published_metric_values: marts.metric_values as it may leave the warehouse
-- (grain: metric, period_type, period, breakdown, breakdown_value). A withheld cell keeps its key and
-- flags but shows no numerator, denominator, rate or interval. Primary: suppressed cells
-- (denominator < 10). Secondary: in a breakdown where exactly one cell is suppressed, the
-- next-smallest cell is withheld too, so that the suppressed cell cannot be recovered by
-- subtracting the others from the breakdown's `all` total. (A suppressed cell that is the
-- only cell of its breakdown has nothing to pair with; since it is below 10 and the total is
-- not, some answers are blank and the difference only bounds it.) Rolling windows only:
-- beside them, a single month would be recoverable as its window minus the months before.
create or replace table marts.published_metric_values as
with ranked as (
    select
        *,
        count(*) filter (where suppressed) over breakdown_cells as suppressed_in_breakdown,
        row_number() over (
            partition by metric, period_type, period, breakdown
            order by suppressed desc, denominator, breakdown_value
        ) as smallest_first
    from marts.metric_values
    where period_type <> 'month'
    window breakdown_cells as (partition by metric, period_type, period, breakdown)
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

final as (
    select
        metric,
        period_type,
        period,
        breakdown,
        breakdown_value,
        case when not (suppressed or secondarily_suppressed) then numerator end as numerator,
        case when not (suppressed or secondarily_suppressed) then denominator end as denominator,
        case when not (suppressed or secondarily_suppressed) then rate end as rate,
        case when not (suppressed or secondarily_suppressed) then ci_low end as ci_low,
        case when not (suppressed or secondarily_suppressed) then ci_high end as ci_high,
        suppressed,
        secondarily_suppressed,
        suppressed or secondarily_suppressed as withheld,
        indicative
    from flagged
)

select * from final

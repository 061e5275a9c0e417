-- intermediate.int_metric_cells: every metric (public and internal) per period type, period
-- and breakdown value, with the window's first month and label, its rate, Wilson 95% interval
-- and disclosure flags (grain: metric, period_type, period, breakdown, breakdown_value). A cell exists exactly
-- when its denominator is at least 1.
create or replace table intermediate.int_metric_cells as
with windowed as (
    select
        c.metric,
        w.period_type,
        w.period,
        w.period_start,
        w.period_label,
        c.breakdown,
        c.breakdown_value,
        sum(c.numerator)::bigint as numerator,
        sum(c.denominator)::bigint as denominator
    from intermediate.int_metric_cells_monthly as c
    inner join intermediate.int_period_windows as w using (month)
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

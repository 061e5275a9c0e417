-- intermediate.int_metric_cells_monthly: numerator and denominator per metric, month and
-- breakdown value (grain: metric, month, breakdown, breakdown_value): the cells of
-- intermediate.int_stratum_metric_cells_monthly summed over the strata (area and crime group),
-- which the weighted figures need anyway, so one pass over the responses serves both. A blank
-- breakdown column leaves the response out of that breakdown only; pooled Victims' Code
-- compliance sums the rights' cells (see that model).
create or replace table intermediate.int_metric_cells_monthly as
with final as (
    select
        metric,
        month,
        breakdown,
        breakdown_value,
        sum(numerator)::bigint as numerator,
        sum(denominator)::bigint as denominator
    from intermediate.int_stratum_metric_cells_monthly
    group by all
)

select * from final

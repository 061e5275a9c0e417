-- marts.published_metric_values: marts.metric_values as it may leave the warehouse
-- (grain: metric, period_type, period, breakdown, breakdown_value). Every cell but the single
-- months. A withheld cell keeps its key and flags but shows no numerator, denominator, rate or
-- interval: primary `suppressed` (denominator < 10), `secondarily_suppressed` (the
-- next-smallest cell of a breakdown with one suppressed cell) or `differencing_suppressed`
-- (one of two nested windows that differ by a withheld one, metrics-v2 §5). The rules are
-- intermediate.int_published_cells', scope `all` (county-wide).
-- A view over intermediate.int_published_cells (scope `all`): storing the copy at every refresh
-- cost about a tenth of the monthly run's work; a reader's filter on it costs milliseconds.
create or replace view marts.published_metric_values as
with final as (
    select * exclude (scope)
    from intermediate.int_published_cells
    where scope = 'all'
)

select * from final

-- marts.metric_values: one row per public metric cell (grain: metric, period_type, period,
-- breakdown, breakdown_value), columns as metrics.md with metrics-v2 §1's period types
-- (month, rolling_3m, rolling_12m, quarter, financial_year, fy_to_date) and period_start,
-- period_label after period. Suppressed cells
-- (denominator < 10) keep their figures here and are flagged; nothing that leaves the
-- warehouse may show them. Indicative: denominator 10 to 29.
-- A view over intermediate.int_metric_cells: storing the copy at every refresh cost about a tenth
-- of the monthly run's work; a reader's filter on it costs milliseconds. Readers order their own rows.
create or replace view marts.metric_values as
with final as (
    select
        c.metric,
        c.period_type,
        c.period,
        c.period_start,
        c.period_label,
        c.breakdown,
        c.breakdown_value,
        c.numerator,
        c.denominator,
        c.rate,
        c.ci_low,
        c.ci_high,
        c.suppressed,
        c.indicative
    from intermediate.int_metric_cells as c
    inner join reference.metrics as m on m.metric = c.metric and m.public
)

select * from final

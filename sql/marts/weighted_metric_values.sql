-- marts.weighted_metric_values: one row per weighted metric cell (grain: metric, period_type,
-- period, breakdown, breakdown_value): representative figures, the sample post-stratified to
-- the force's recorded victims by area and crime group (metrics-v2 §2). For every window
-- but a single month whose every month has counts: weighted_rate Σwy/Σw over the cell's
-- denominator (w = N_h/n_h of the response's stratum), the Kish effective sample size
-- effective_n (Σw)²/Σw², design_effect = denominator / effective_n, a Wilson 95% interval
-- on weighted_rate and effective_n, and uncovered_share (the window's population in strata
-- with no response, which no weight can stand for). No row where the weights sum to 0.
-- suppressed and indicative as the unweighted cell (its denominator); withheld wherever the
-- unweighted cell is withheld (marts.published_metric_values): nothing that leaves the
-- warehouse may show a withheld cell's figures. Weighting corrects the mix of areas and crime
-- groups; it cannot correct who answers within a stratum.
-- A view: stored, it doubled the monthly refresh; a reader's filter on a window and
-- breakdown costs milliseconds.
create or replace view marts.weighted_metric_values as
with windowed as (
    select
        c.metric,
        w.period_type,
        w.period,
        c.breakdown,
        c.breakdown_value,
        c.stratum_area as area,
        c.stratum_crime_group as crime_group,
        sum(c.numerator) as numerator,
        sum(c.denominator) as denominator
    from intermediate.int_stratum_metric_cells_monthly as c
    inner join intermediate.int_period_windows as w using (month)
    inner join reference.metrics as m on m.metric = c.metric and m.public
    where w.period_type <> 'month'
        and (w.period_type, w.period) in (select (period_type, period) from intermediate.int_stratum_weights)
    group by all
),

sums as (
    select
        c.metric,
        c.period_type,
        c.period,
        c.breakdown,
        c.breakdown_value,
        sum(c.denominator)::bigint as denominator,
        sum(s.weight * c.numerator) as sum_wy,
        sum(s.weight * c.denominator) as sum_w,
        sum(s.weight * s.weight * c.denominator) as sum_w2,
        any_value(s.uncovered_share) as uncovered_share
    from windowed as c
    inner join intermediate.int_stratum_weights as s using (period_type, period, area, crime_group)
    group by all
),

estimated as (
    select
        *,
        sum_wy / sum_w as weighted_rate,
        sum_w * sum_w / sum_w2 as effective_n
    from sums
    where sum_w > 0
),

final as (
    select
        e.metric,
        e.period_type,
        e.period,
        u.period_start,
        u.period_label,
        e.breakdown,
        e.breakdown_value,
        e.denominator,
        e.weighted_rate,
        wilson_low(e.weighted_rate * e.effective_n, e.effective_n) as weighted_ci_low,
        wilson_high(e.weighted_rate * e.effective_n, e.effective_n) as weighted_ci_high,
        e.effective_n,
        e.denominator / e.effective_n as design_effect,
        e.uncovered_share,
        u.suppressed,
        u.indicative,
        p.withheld
    from estimated as e
    inner join intermediate.int_metric_cells as u using (metric, period_type, period, breakdown, breakdown_value)
    inner join intermediate.int_published_cells as p
        on p.scope = 'all' and p.metric = e.metric and p.period_type = e.period_type and p.period = e.period
        and p.breakdown = e.breakdown and p.breakdown_value = e.breakdown_value
)

select * from final

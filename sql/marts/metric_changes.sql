-- marts.metric_changes: for each public metric and breakdown value, the latest rolling
-- 3-month rate against (a) the previous non-overlapping 3 months and (b) the same 3 months
-- a year earlier (grain: metric, breakdown, breakdown_value, comparison).
-- Test: two-sided two-proportion z-test with pooled variance (as statsmodels'
-- proportions_ztest); p_value is 1 when both rates are 0% or both 100%. A change is never
-- tested or flagged when either cell is suppressed (p_value null, significant false).
-- Multiplicity (metrics-v2 §3): q_value is the Benjamini–Hochberg adjusted p-value within the
-- test's family (period_type, period and comparison: e.g. every previous_3m change for the 3
-- months to 2026-11), and `significant` means q < 0.05, never p.
create or replace table marts.metric_changes as
with rolling as (
    select * from marts.metric_values where period_type = 'rolling_3m'
),

latest as (
    select * from rolling where period = (select max(period) from rolling)
),

comparisons as (
    select * from (values ('previous_3m', 3), ('year_earlier', 12)) as c(comparison, months_back)
),

paired as (
    select
        l.metric,
        l.breakdown,
        l.breakdown_value,
        k.comparison,
        l.period,
        b.period as comparison_period,
        l.numerator,
        l.denominator,
        l.rate,
        b.numerator as comparison_numerator,
        b.denominator as comparison_denominator,
        b.rate as comparison_rate,
        l.suppressed or b.suppressed as suppressed
    from latest as l
    cross join comparisons as k
    inner join rolling as b
        on b.metric = l.metric
        and b.breakdown = l.breakdown
        and b.breakdown_value = l.breakdown_value
        and b.period = strftime(strptime(l.period, '%Y-%m') - to_months(k.months_back), '%Y-%m')
),

tested as (
    select
        *,
        (numerator + comparison_numerator) / (denominator + comparison_denominator) as pooled_rate
    from paired
),

with_p as (
    select
        metric,
        breakdown,
        breakdown_value,
        comparison,
        period,
        comparison_period,
        rate,
        comparison_rate,
        rate - comparison_rate as difference,
        numerator,
        denominator,
        comparison_numerator,
        comparison_denominator,
        case
            when suppressed then null
            when pooled_rate in (0, 1) then 1.0
            else normal_two_sided_p(
                (rate - comparison_rate)
                / sqrt(pooled_rate * (1 - pooled_rate) * (1 / denominator + 1 / comparison_denominator))
            )
        end as p_value,
        suppressed
    from tested
),

ranked as (
    -- Benjamini–Hochberg: rank the family's p-values, smallest first (untested rows last)
    select
        *,
        count(p_value) over family as family_tests,
        row_number() over (partition by comparison, period order by p_value nulls last) as p_rank
    from with_p
    window family as (partition by comparison, period)
),

final as (
    -- q = the smallest p * m / rank from this rank to the largest p, at most 1
    select
        * exclude (suppressed, family_tests, p_rank),
        case when p_value is not null then least(1.0, min(p_value * family_tests / p_rank) over (
            partition by comparison, period order by p_rank desc rows between unbounded preceding and current row
        )) end as q_value,
        coalesce(q_value < 0.05, false) as significant,
        suppressed
    from ranked
)

select * from final
order by metric, breakdown, breakdown_value, comparison

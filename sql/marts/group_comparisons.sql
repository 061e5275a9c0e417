-- marts.group_comparisons: each breakdown value against the rest of its breakdown (respondents
-- with another non-blank value), per public metric and window (grain: metric, period_type,
-- period, breakdown, breakdown_value), for rolling_3m, rolling_12m, quarter and financial_year
-- (metrics-v2 §3): e.g. domestic abuse Y against N, RAPE against every other crime group.
-- Test: two-sided pooled two-proportion z-test, as metric_changes (p_value 1 when both rates
-- are 0% or both 100%). Not tested, no row, when either side has a denominator below 30 (which
-- covers suppressed sides). q_value: Benjamini–Hochberg within the family (period_type, period:
-- every comparison for one window); `significant` means q < 0.05. For analysts: the `rest_`
-- figures are the breakdown's total minus the cell, so this table is not for publication as is.
-- The comment themes' `service` breakdown is left out: its values overlap (a comment about two
-- services counts under both), so the rest is not the total minus the cell.
create or replace table marts.group_comparisons as
with cells as (
    select
        metric,
        period_type,
        period,
        period_label,
        breakdown,
        breakdown_value,
        numerator,
        denominator,
        rate,
        sum(numerator) over breakdown_cells - numerator as rest_numerator,
        sum(denominator) over breakdown_cells - denominator as rest_denominator
    from marts.metric_values
    where period_type in ('rolling_3m', 'rolling_12m', 'quarter', 'financial_year')
        and breakdown <> 'all'
        and breakdown <> 'service'  -- a comment can be about two services: the values overlap, no "rest"
    window breakdown_cells as (partition by metric, period_type, period, breakdown)
),

tested as (
    select
        * exclude (rest_numerator, rest_denominator),
        rest_numerator::bigint as rest_numerator,
        rest_denominator::bigint as rest_denominator,
        rest_numerator / rest_denominator as rest_rate,
        (numerator + rest_numerator) / (denominator + rest_denominator) as pooled_rate
    from cells
    where denominator >= 30 and rest_denominator >= 30
),

with_p as (
    select
        * exclude (pooled_rate),
        rate - rest_rate as difference,
        case
            when pooled_rate in (0, 1) then 1.0
            else normal_two_sided_p(
                (rate - rest_rate)
                / sqrt(pooled_rate * (1 - pooled_rate) * (1 / denominator + 1 / rest_denominator))
            )
        end as p_value
    from tested
),

ranked as (
    -- Benjamini–Hochberg: rank the family's p-values, smallest first
    select
        *,
        count(*) over (partition by period_type, period) as family_tests,
        row_number() over (partition by period_type, period order by p_value) as p_rank
    from with_p
),

final as (
    -- q = the smallest p * m / rank from this rank to the largest p, at most 1
    select
        * exclude (family_tests, p_rank),
        least(1.0, min(p_value * family_tests / p_rank) over (
            partition by period_type, period order by p_rank desc rows between unbounded preceding and current row
        )) as q_value,
        q_value < 0.05 as significant
    from ranked
)

select * from final

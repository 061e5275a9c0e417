-- marts.sample_profile: is the sample representative? The sample against the force's recorded
-- victims by stratum, per window (grain: period_type, period, area, crime_group) for
-- rolling_12m, financial_year and quarter windows whose every month has the force's counts
-- (metrics-v2 §2): `responses` and `sample_share`, `population` (recorded victims in the
-- window) and `population_share`; and, the same on every row of a window, a chi-square
-- goodness-of-fit test of the sample's mix against the population's over the strata with
-- recorded victims: `chi_square` Σ (n_h − n·N_h/N)² / (n·N_h/N), `degrees_of_freedom` (those
-- strata less one), `p_value`. By design the quotas over-sample domestic abuse and sexual
-- offences, so a small p says the unweighted mix differs from the force's, not that the
-- survey failed: the weighted figures (marts.weighted_metric_values) correct the mix of areas
-- and crime groups. Strata with neither responses nor victims are left out.
create or replace table marts.sample_profile as
with strata as (
    select
        s.*,
        sum(s.responses) over window_strata as window_responses,
        sum(s.population) over window_strata as window_population,
        sum(s.responses) filter (where s.population > 0) over window_strata as tested_responses
    from intermediate.int_stratum_weights as s
    where s.period_type in ('rolling_12m', 'financial_year', 'quarter')
        and (s.responses > 0 or s.population > 0)
    window window_strata as (partition by s.period_type, s.period)
),

expected as (
    select
        *,
        responses / nullif(window_responses, 0) as sample_share,
        population / nullif(window_population, 0) as population_share,
        tested_responses * population / nullif(window_population, 0) as expected_responses
    from strata
),

tested as (
    select
        period_type,
        period,
        sum((responses - expected_responses) ** 2 / expected_responses) filter (where population > 0) as chi_square,
        (count(*) filter (where population > 0) - 1)::integer as degrees_of_freedom
    from expected
    where window_responses > 0
    group by all
),

labels as (
    select distinct period_type, period, period_start, period_label
    from intermediate.int_period_windows
),

final as (
    select
        e.period_type,
        e.period,
        l.period_start,
        l.period_label,
        e.area,
        e.crime_group,
        e.responses,
        e.sample_share,
        e.population,
        e.population_share,
        t.chi_square,
        t.degrees_of_freedom,
        case when t.degrees_of_freedom >= 1 then chi_square_p(t.chi_square, t.degrees_of_freedom) end as p_value
    from expected as e
    inner join tested as t using (period_type, period)
    inner join labels as l using (period_type, period)
)

select * from final

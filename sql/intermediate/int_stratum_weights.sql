-- intermediate.int_stratum_weights: post-stratification weights (metrics-v2 §2) per window and
-- stratum (grain: period_type, period, area, crime_group), for every window except a single
-- month whose every month has the force's counts: population (N_h, recorded victims in the
-- window's months), responses (n_h, current responses in the window, any answer) and weight
-- N_h / n_h (null where n_h = 0: nobody to carry that part of the population; 0 where
-- N_h = 0). uncovered_share, the same on every row of a window: the population's share in
-- strata with no response. Every stratum of the codebook is listed, counts or not.
create or replace table intermediate.int_stratum_weights as
with windows as (
    select period_type, period, count(*) as months, count(p.month) as months_with_counts
    from intermediate.int_period_windows as w
    left join (select distinct month from staging.stg_recorded_victims) as p using (month)
    where w.period_type <> 'month'
    group by all
),

covered as (
    select w.period_type, w.period, m.month
    from windows as w
    inner join intermediate.int_period_windows as m using (period_type, period)
    where w.months = w.months_with_counts
),

strata as (
    select a.area, g.crime_group
    from (select distinct area from staging.stg_responses union select distinct area from staging.stg_recorded_victims) as a
    cross join reference.crime_groups as g
),

population as (
    select c.period_type, c.period, r.area, r.crime_group, sum(r.victims)::bigint as population
    from covered as c
    inner join staging.stg_recorded_victims as r using (month)
    group by all
),

monthly_sample as (
    select month, area, crime_group, count(*) as responses
    from staging.stg_responses
    group by all
),

sample as (
    select c.period_type, c.period, s.area, s.crime_group, sum(s.responses)::bigint as responses
    from covered as c
    inner join monthly_sample as s using (month)
    group by all
),

combined as (
    select
        w.period_type,
        w.period,
        s.area,
        s.crime_group,
        coalesce(p.population, 0) as population,
        coalesce(r.responses, 0) as responses
    from (select distinct period_type, period from covered) as w
    cross join strata as s
    left join population as p using (period_type, period, area, crime_group)
    left join sample as r using (period_type, period, area, crime_group)
),

final as (
    select
        *,
        case when responses > 0 then population / responses end as weight,
        coalesce(
            sum(population) filter (where responses = 0) over window_strata
            / nullif(sum(population) over window_strata, 0),
            0
        ) as uncovered_share
    from combined
    window window_strata as (partition by period_type, period)
)

select * from final

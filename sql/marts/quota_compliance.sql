-- marts.quota_compliance: the supplier's monthly delivery against its minimum quotas
-- (grain: period, quota). Every calendar month from the first to the last with data is
-- listed, so a month with no responses shows as a shortfall. The quotas are read from the
-- contract as data: reference.quotas (targets) and reference.quota_values (the codes each
-- counts); `total` counts every response. A quota may name any column listed in `answers`.
create or replace table marts.quota_compliance as
with answers as (
    unpivot (select month, domestic_abuse, crime_group, hate_crime from staging.stg_responses)
    on domestic_abuse, crime_group, hate_crime
    into name column_name value value
),

counted as (
    select a.month, v.quota, count(*) as delivered
    from answers as a
    inner join reference.quota_values as v using (column_name, value)
    group by all

    union all

    select r.month, q.quota, count(*) as delivered
    from staging.stg_responses as r
    cross join reference.quotas as q
    where q.rule is null
    group by all
),

months as (
    select period as month from intermediate.int_period_windows where period_type = 'month'
),

final as (
    select
        m.month as period,
        q.quota,
        q.target,
        coalesce(c.delivered, 0) as delivered,
        coalesce(c.delivered, 0) >= q.target as met
    from months as m
    cross join reference.quotas as q
    left join counted as c on c.month = m.month and c.quota = q.quota
)

select * from final
order by period, quota

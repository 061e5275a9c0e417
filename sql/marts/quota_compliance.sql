-- marts.quota_compliance: the supplier's monthly delivery against its minimum quotas
-- (grain: period, quota). Every calendar month from the first to the last with data is
-- listed, so a month with no responses shows as a shortfall. The quota rules mirror
-- codebook `quotas` (reference.quotas holds their targets and wording; a test checks they agree).
create or replace table marts.quota_compliance as
with delivered as (
    select
        month,
        count(*) as total,
        count(*) filter (where domestic_abuse = 'Y') as domestic_abuse,
        count(*) filter (where crime_group in ('RAPE', 'OTHER_SEXUAL_OFFENCE')) as sexual_offences,
        count(*) filter (
            where crime_group in ('VIOLENCE_WITH_INJURY', 'VIOLENCE_WITHOUT_INJURY', 'STALKING_HARASSMENT')
        ) as violence,
        count(*) filter (where crime_group = 'BURGLARY_RESIDENTIAL') as burglary,
        count(*) filter (where hate_crime = 'Y') as hate_crime
    from staging.stg_responses
    group by month
),

delivered_long as (
    unpivot delivered
    on total, domestic_abuse, sexual_offences, violence, burglary, hate_crime
    into name quota value delivered
),

months as (
    select period as month from intermediate.int_period_windows where period_type = 'month'
),

final as (
    select
        m.month as period,
        q.quota,
        q.target,
        coalesce(d.delivered, 0) as delivered,
        coalesce(d.delivered, 0) >= q.target as met
    from months as m
    cross join reference.quotas as q
    left join delivered_long as d on d.month = m.month and d.quota = q.quota
)

select * from final
order by period, quota

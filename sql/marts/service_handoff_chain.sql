-- marts.service_handoff_chain: where victims are lost between the police and each
-- commissioned service (grain: service, period_type, period): referred → contacted →
-- contacted within the target days → supported → satisfied → better able to cope.
-- Counts are responses; every figure is null where fewer than 10 were referred.
create or replace view marts.service_handoff_chain as
with cells as (
    select c.*, m.service
    from intermediate.int_metric_cells as c
    inner join reference.metrics as m on m.metric = c.metric
    where m.service is not null and c.breakdown = 'all'
),

chain as (
    select
        service,
        period_type,
        period,
        max(denominator) filter (where metric like '%\_contact' escape '\') as referred,
        max(numerator) filter (where metric like '%\_contact' escape '\') as contacted,
        max(numerator) filter (where metric like '%\_timely' escape '\') as contacted_within_target,
        max(numerator) filter (where metric like '%\_supported' escape '\') as supported,
        max(numerator) filter (where metric like '%\_satisfied' escape '\') as satisfied,
        max(numerator) filter (where metric like '%\_cope' escape '\') as better_able_to_cope
    from cells
    group by service, period_type, period
),

final as (
    select
        c.service,
        s.service_name,
        c.period_type,
        c.period,
        case when c.referred >= 10 then c.referred end as referred,
        case when c.referred >= 10 then coalesce(c.contacted, 0) end as contacted,
        case when c.referred >= 10 then coalesce(c.contacted_within_target, 0) end as contacted_within_target,
        case when c.referred >= 10 then coalesce(c.supported, 0) end as supported,
        case when c.referred >= 10 then coalesce(c.satisfied, 0) end as satisfied,
        case when c.referred >= 10 then coalesce(c.better_able_to_cope, 0) end as better_able_to_cope,
        c.referred is null or is_suppressed(c.referred) as suppressed,
        is_indicative(c.referred) as indicative
    from chain as c
    inner join reference.services as s using (service)
)

select * from final

-- marts.journey_funnel_by_crime_group: how far cases got through the criminal justice
-- journey, per crime group ('ALL' = every response) and period (grain: crime_group,
-- period_type, period). Rates are shares of all responses in the cell; every figure is
-- null where the cell is suppressed (fewer than 10 responses).
create or replace view marts.journey_funnel_by_crime_group as
with cells as (
    select
        case when c.breakdown = 'all' then 'ALL' else c.breakdown_value end as crime_group,
        c.period_type,
        c.period,
        c.metric,
        c.denominator,
        c.rate,
        c.suppressed,
        c.indicative
    from intermediate.int_metric_cells as c
    inner join reference.metrics as m on m.metric = c.metric
    where m.family = 'journey' and c.breakdown in ('all', 'crime_group')
),

final as (
    select
        crime_group,
        period_type,
        period,
        case when bool_or(suppressed) then null else max(denominator) end as responses,
        case when bool_or(suppressed) then null else max(rate) filter (where metric = 'journey_INVESTIGATION') end
            as reached_investigation,
        case when bool_or(suppressed) then null else max(rate) filter (where metric = 'journey_CHARGE_DECISION') end
            as reached_charge_decision,
        case when bool_or(suppressed) then null else max(rate) filter (where metric = 'journey_COURT') end
            as reached_court,
        case when bool_or(suppressed) then null else max(rate) filter (where metric = 'journey_POST_COURT') end
            as reached_post_court,
        bool_or(suppressed) as suppressed,
        bool_or(indicative) as indicative
    from cells
    group by crime_group, period_type, period
)

select * from final

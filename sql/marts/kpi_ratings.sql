-- marts.kpi_ratings: each contract's services against their KPI targets (grain: contract,
-- service, metric, period_type, period), for rolling_12m, rolling_3m, quarter and
-- financial_year (metrics-v2 §4). Targets: reference.targets, from contract.yaml's `targets`
-- (placeholders the OPCC edits). An area-limited scope ({service: IDVA, area: SWINDON}) is
-- rated on that area's responses only (area `all` otherwise). Figures as published: blank
-- when the cell is withheld. GREEN when ci_low >= target (meeting it, with confidence), RED
-- when ci_high < target (below it, with confidence), AMBER otherwise (cannot tell at this
-- sample size), NOT_RATED when the cell is withheld, has no answers, or has no target.
create or replace table marts.kpi_ratings as
with windows as (
    select distinct period_type, period, period_label
    from intermediate.int_period_windows
    where period_type in ('rolling_12m', 'rolling_3m', 'quarter', 'financial_year')
),

scoped as (
    select
        t.contract,
        t.service,
        coalesce(t.area, 'all') as area,
        t.metric,
        w.period_type,
        w.period,
        w.period_label,
        t.target,
        case when t.area is null then 'all' else 'area' end as breakdown
    from reference.targets as t
    cross join windows as w
),

cells as (
    select
        s.*,
        p.metric is not null as answered,
        coalesce(p.withheld, false) as withheld,
        p.denominator,
        p.rate,
        p.ci_low,
        p.ci_high,
        coalesce(p.indicative, false) as indicative
    from scoped as s
    left join marts.published_metric_values as p
        on p.metric = s.metric
        and p.period_type = s.period_type
        and p.period = s.period
        and p.breakdown = s.breakdown
        and p.breakdown_value = s.area
),

final as (
    select
        contract,
        service,
        area,
        metric,
        period_type,
        period,
        period_label,
        target,
        case when answered then denominator else 0 end as denominator,
        rate,
        ci_low,
        ci_high,
        case
            when target is null or withheld or not answered then 'NOT_RATED'
            when ci_low >= target then 'GREEN'
            when ci_high < target then 'RED'
            else 'AMBER'
        end as rating,
        indicative
    from cells
    order by contract, service, metric, period_type, period
)

select * from final

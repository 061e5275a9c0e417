-- intermediate.int_metric_observations: one row per response and metric whose denominator
-- the response is in (grain: response_id, metric); `success` marks the numerator. Carries the
-- response's month and breakdown columns. Definitions: metrics.md ("Rates").
create or replace view intermediate.int_metric_observations as
with responses as (
    select * from staging.stg_responses
),

police as (
    unpivot (
        select response_id, sat_contact, sat_actions, sat_informed, sat_treatment, sat_overall, sat_court
        from responses
    )
    on sat_contact, sat_actions, sat_informed, sat_treatment, sat_overall, sat_court
    into name metric value answer
),

police_observations as (
    -- answers 1..7 count; 8 (don't know), 9 (not applicable) and blank do not
    select response_id, metric, answer >= 5 as success
    from police
    where answer between 1 and 7
),

rights as (
    unpivot (select response_id, columns('^vcop_\d{2}$') from responses)
    on columns('^vcop_\d{2}$')
    into name metric value answer
),

rights_observations as (
    -- Y or N count; DK, NA and blank do not
    select response_id, metric, answer = 'Y' as success
    from rights
    where answer in ('Y', 'N')
),

pooled_rights_observations as (
    select response_id, 'rights_all' as metric, success
    from rights_observations
    union all
    select o.response_id, 'rights_' || r.principle as metric, o.success
    from rights_observations as o
    inner join reference.rights as r on r.right_code = o.metric
),

service_columns as (
    select response_id, columns('^svc_') from responses
),

services as (
    -- include nulls: a service with a status but no days (or no answers) must stay
    select *
    from service_columns
    unpivot include nulls (
        (status, days, sat, cope, safer) for service in (
            (svc_VWCU_status, svc_VWCU_days, svc_VWCU_sat, svc_VWCU_cope, svc_VWCU_safer) as 'VWCU',
            (svc_RJ_status, svc_RJ_days, svc_RJ_sat, svc_RJ_cope, svc_RJ_safer) as 'RJ',
            (svc_CYP_status, svc_CYP_days, svc_CYP_sat, svc_CYP_cope, svc_CYP_safer) as 'CYP',
            (svc_ADULT_status, svc_ADULT_days, svc_ADULT_sat, svc_ADULT_cope, svc_ADULT_safer) as 'ADULT',
            (svc_IDVA_status, svc_IDVA_days, svc_IDVA_sat, svc_IDVA_cope, svc_IDVA_safer) as 'IDVA',
            (svc_ISVA_status, svc_ISVA_days, svc_ISVA_sat, svc_ISVA_cope, svc_ISVA_safer) as 'ISVA',
            (svc_SARC_status, svc_SARC_days, svc_SARC_sat, svc_SARC_cope, svc_SARC_safer) as 'SARC',
            (svc_REFUGE_status, svc_REFUGE_days, svc_REFUGE_sat, svc_REFUGE_cope, svc_REFUGE_safer) as 'REFUGE'
        )
    )
),

service_observations as (
    select response_id, 'svc_' || service || '_contact' as metric, status in ('CONTACTED', 'SUPPORTED') as success
    from services
    where status in ('REFERRED', 'CONTACTED', 'SUPPORTED')
    union all
    select response_id, 'svc_' || service || '_supported' as metric, status = 'SUPPORTED' as success
    from services
    where status in ('REFERRED', 'CONTACTED', 'SUPPORTED')
    union all
    select response_id, 'svc_' || service || '_timely' as metric, days <= handoff_target_days() as success
    from services
    where status in ('CONTACTED', 'SUPPORTED') and days is not null
    union all
    select response_id, 'svc_' || service || '_satisfied' as metric, sat >= 4 as success
    from services
    where sat between 1 and 5
    union all
    select response_id, 'svc_' || service || '_cope' as metric, cope = 'Y' as success
    from services
    where cope in ('Y', 'N')
    union all
    select response_id, 'svc_' || service || '_safer' as metric, safer = 'Y' as success
    from services
    where safer in ('Y', 'N')
),

journey_observations as (
    -- every response is in the denominator; the numerator reached the stage or beyond
    select r.response_id, 'journey_' || stage.journey_stage as metric, reached.stage_rank >= stage.stage_rank as success
    from responses as r
    inner join reference.journey_stages as reached on reached.journey_stage = r.journey_stage
    cross join reference.journey_stages as stage
    where stage.stage_rank > 1
),

observations as (
    select * from police_observations
    union all select * from rights_observations
    union all select * from pooled_rights_observations
    union all select * from service_observations
    union all select * from journey_observations
),

final as (
    select
        o.response_id,
        o.metric,
        o.success,
        r.month,
        r.crime_group,
        r.domestic_abuse,
        r.hate_crime,
        r.area,
        r.journey_stage,
        r.repeat_victim,
        r.age_band,
        r.gender,
        r.ethnic_group,
        r.disability
    from observations as o
    inner join responses as r using (response_id)
)

select * from final

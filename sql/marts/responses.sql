-- marts.responses: the current version of every loaded response (grain: response_id).
-- The codebook's columns, typed; crime_reference replaced by crime_reference_pseudonym;
-- comments redacted at ingestion; then where the current version came from. For analysts,
-- the answer columns hold valid answers only, so that avg(sat_overall) or count(vcop_07) means
-- what it says: police satisfaction 1..7 and service satisfaction 1..5 (8 don't know and
-- 9 not applicable become blank), Victims' Code rights and a service's cope and safer Y or N
-- (DK and NA become blank). Each keeps what was answered in a sibling `<column>_code`,
-- after the other columns.
create or replace view marts.responses as
with current_responses as (
    select * exclude (month) from staging.stg_responses
),

final as (
    select
        columns(lambda c: not regexp_full_match(c, '(sat_[a-z]+|svc_[A-Z]+_(sat|cope|safer)|vcop_\d{2})')),

        case when columns('^(sat_[a-z]+)$') between 1 and 7 then columns('^(sat_[a-z]+)$') end as '\1',
        case when columns('^(vcop_\d{2})$') in ('Y', 'N') then columns('^(vcop_\d{2})$') end as '\1',
        case when columns('^(svc_[A-Z]+_sat)$') between 1 and 5 then columns('^(svc_[A-Z]+_sat)$') end as '\1',
        case when columns('^(svc_[A-Z]+_(cope|safer))$') in ('Y', 'N') then columns('^(svc_[A-Z]+_(cope|safer))$') end
            as '\1',

        columns('^(sat_[a-z]+)$') as '\1_code',
        columns('^(vcop_\d{2})$') as '\1_code',
        columns('^(svc_[A-Z]+_sat)$') as '\1_code',
        columns('^(svc_[A-Z]+_(cope|safer))$') as '\1_code'
    from current_responses
)

select * from final

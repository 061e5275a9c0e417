-- staging.stg_responses: the current version of every loaded response (grain: response_id),
-- with its interview month. A correction (the same response_id in a later delivery)
-- supersedes the earlier version: deliveries are ordered by period, then sequence, then
-- load order. Besides choosing the current version it only renames and derives (the
-- month; source_delivery_id and source_row_number, the version's key in core.response_versions).
-- The versions are ranked on their keys alone, then joined back: ranking whole rows
-- (comments and all) made each refresh a third slower.
create or replace view staging.stg_responses as
with ranked as (
    select
        v.delivery_id,
        v.row_number,
        row_number() over (
            partition by v.response_id
            order by d.period desc, d.seq desc, d.delivery_id desc, v.row_number desc
        ) as version_rank
    from core.response_versions as v
    inner join audit.deliveries as d using (delivery_id)
),

final as (
    select
        v.* exclude (delivery_id, row_number),
        strftime(v.interview_date, '%Y-%m') as month,
        d.file_name as source_file,
        v.row_number as source_row_number,
        v.delivery_id as source_delivery_id
    from core.response_versions as v
    inner join ranked as r on v.delivery_id = r.delivery_id and v.row_number = r.row_number and r.version_rank = 1
    inner join audit.deliveries as d on v.delivery_id = d.delivery_id
)

select * from final

-- staging.stg_responses: the current version of every loaded response (grain: response_id),
-- with its interview month. A correction (the same response_id in a later delivery)
-- supersedes the earlier version: deliveries are ordered by period, then sequence, then
-- load order. Renames and derives only.
create or replace view staging.stg_responses as
with versions as (
    select
        v.*,
        d.file_name as source_file,
        row_number() over (
            partition by v.response_id
            order by d.period desc, d.seq desc, d.delivery_id desc, v.row_number desc
        ) as version_rank
    from core.response_versions as v
    inner join audit.deliveries as d using (delivery_id)
),

final as (
    select
        * exclude (delivery_id, row_number, source_file, version_rank),
        strftime(interview_date, '%Y-%m') as month,
        source_file,
        row_number as source_row_number
    from versions
    where version_rank = 1
)

select * from final

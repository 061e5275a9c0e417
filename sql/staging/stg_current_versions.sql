-- staging.stg_current_versions: which loaded version of each response is current
-- (grain: response_id), as the last refresh found them: the key of the version in
-- core.response_versions (delivery_id, row_number). A correction (the same response_id in a
-- later delivery) supersedes the earlier version: deliveries are ordered by period, then
-- sequence, then load order.
-- A table, not a view: the snapshot every model and mart is built from, taken in the
-- refresh's own transaction. Ingestion only ever adds versions, so a file loaded after it
-- (or a run killed before its refresh) changes nothing a reader sees until the next refresh
-- commits: marts.responses, the metric tables and quota_compliance describe the same
-- responses. Keys only: copying whole responses (comments and all) doubled the refresh.
create or replace table staging.stg_current_versions as
with ranked as (
    select
        v.response_id,
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
    select response_id, delivery_id, row_number
    from ranked
    where version_rank = 1
)

select * from final

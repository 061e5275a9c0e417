-- staging.stg_responses: the current version of every loaded response (grain: response_id),
-- with its interview month, as of the last refresh: the versions staging.stg_current_versions
-- chose (a version loaded since is not shown until the next refresh). Besides joining the
-- chosen versions it only renames and derives (the month; source_delivery_id and
-- source_row_number, the version's key in core.response_versions).
create or replace view staging.stg_responses as
with final as (
    select
        v.* exclude (delivery_id, row_number),
        strftime(v.interview_date, '%Y-%m') as month,
        d.file_name as source_file,
        v.row_number as source_row_number,
        v.delivery_id as source_delivery_id
    from staging.stg_current_versions as c
    inner join core.response_versions as v on v.delivery_id = c.delivery_id and v.row_number = c.row_number
    inner join audit.deliveries as d on v.delivery_id = d.delivery_id
)

select * from final

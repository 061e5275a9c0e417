-- staging.stg_recorded_victims: the force's current recorded victims per month, area and
-- crime group (grain: month, area, crime_group), from each month's current counts file: the
-- loaded RecordedCrime file of the highest sequence (then the latest load) that kept at least
-- one row. A correction replaces its month's counts entirely; a combination the current file
-- does not list is 0 (absent here). A month with no loaded file has no rows.
-- A table: the snapshot taken in the refresh's own transaction, as stg_current_versions.
create or replace table staging.stg_recorded_victims as
with current_files as (
    select
        period as month,
        arg_max(delivery_id, [seq, delivery_id]) as delivery_id
    from audit.deliveries
    where kind = 'RECORDED_CRIME' and status = 'LOADED' and rows_loaded > 0
    group by period
),

final as (
    select r.month, r.area, r.crime_group, r.victims, r.delivery_id
    from core.recorded_victims as r
    inner join current_files as c using (delivery_id)
)

select * from final

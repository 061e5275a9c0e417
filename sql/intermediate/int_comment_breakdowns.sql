-- intermediate.int_comment_breakdowns: the two breakdowns only comment themes have, one row
-- per current response and breakdown value it falls in, with its stratum (area, crime group)
-- and whether it raises each theme with each polarity (`theme_<name>_<neg|pos>__x`):
--   service: once per service its comment_services is about (metrics-v2 §5: the respondent used
--     the service and the comment names it, or it is the only service used and the comment
--     names none; decided when the comment was coded), that comment's themes only;
--   overall_satisfaction: SATISFIED (sat_overall 5-7), NEITHER (4) or DISSATISFIED (1-3),
--     the themes of all its comments: which complaints go with low satisfaction.
-- (grain: response_id, breakdown, breakdown_value.) Every row counts in every theme's
-- denominator: int_stratum_metric_cells_monthly counts them.
create or replace view intermediate.int_comment_breakdowns as
with responses as (
    select
        response_id,
        month,
        area as stratum_area,
        crime_group as stratum_crime_group,
        sat_overall
    from staging.stg_responses
),

about_service as (
    select
        r.response_id,
        r.month,
        r.stratum_area,
        r.stratum_crime_group,
        'service' as breakdown,
        unnest(c.about_services) as breakdown_value,
        columns('^(theme_\w+_(?:neg|pos))$') as '\1__x'
    from responses as r
    inner join staging.stg_comment_codes as c using (response_id)
    where c.field = 'comment_services'
),

by_satisfaction as (
    select
        r.response_id,
        r.month,
        r.stratum_area,
        r.stratum_crime_group,
        'overall_satisfaction' as breakdown,
        case
            when r.sat_overall between 5 and 7 then 'SATISFIED'
            when r.sat_overall = 4 then 'NEITHER'
            else 'DISSATISFIED'
        end as breakdown_value,
        columns('^(theme_\w+)$') as '\1__x'
    from responses as r
    inner join intermediate.int_comment_themes as t using (response_id)
    where r.sat_overall between 1 and 7
),

final as (
    select * from about_service
    union all by name
    select * from by_satisfaction
)

select * from final

-- intermediate.int_response_measures: for every current response, whether it is in the
-- denominator (`<metric>__n`) and the numerator (`<metric>__x`) of each per-response metric,
-- with its month and breakdown columns (grain: response_id). Definitions: metrics.md
-- ("Rates"). Wide on purpose: one row per response keeps the monthly aggregation to a
-- single pass over a million rows, where one row per response and metric would be 35x more.
-- A view: its one reader aggregates it straight away, and storing 150 columns per response
-- took half of a refresh.
-- Service measures rely on the contract's validation: days are only loaded with CONTACTED
-- or SUPPORTED, and satisfaction, cope and safer only with SUPPORTED.
create or replace view intermediate.int_response_measures as
with responses as (
    select r.*, s.stage_rank, t.response_id as commented, t.* exclude (response_id)
    from staging.stg_responses as r
    inner join reference.journey_stages as s using (journey_stage)
    left join intermediate.int_comment_themes as t using (response_id)
),

final as (
    select
        response_id,
        month,
        crime_group,
        domestic_abuse,
        hate_crime,
        area,
        journey_stage,
        repeat_victim,
        age_band,
        gender,
        ethnic_group,
        disability,

        -- police satisfaction: answers 1..7 count (8, 9, blank do not); 5..7 satisfied
        coalesce(columns('^(sat_[a-z]+)$') between 1 and 7, false)::utinyint as '\1__n',
        coalesce(columns('^(sat_[a-z]+)$') between 5 and 7, false)::utinyint as '\1__x',

        -- Victims' Code rights: Y or N count (DK, NA, blank do not); Y met
        coalesce(columns('^(vcop_\d{2})$') in ('Y', 'N'), false)::utinyint as '\1__n',
        coalesce(columns('^(vcop_\d{2})$') = 'Y', false)::utinyint as '\1__x',

        -- the handoff: referred (REFERRED, CONTACTED, SUPPORTED), then contacted, then supported
        coalesce(columns('^svc_([A-Z]+)_status$') in ('REFERRED', 'CONTACTED', 'SUPPORTED'), false)::utinyint
            as 'svc_\1_contact__n',
        coalesce(columns('^svc_([A-Z]+)_status$') in ('CONTACTED', 'SUPPORTED'), false)::utinyint
            as 'svc_\1_contact__x',
        coalesce(columns('^svc_([A-Z]+)_status$') in ('REFERRED', 'CONTACTED', 'SUPPORTED'), false)::utinyint
            as 'svc_\1_supported__n',
        coalesce(columns('^svc_([A-Z]+)_status$') = 'SUPPORTED', false)::utinyint as 'svc_\1_supported__x',

        -- contacted with days given; within the target days
        (columns('^svc_([A-Z]+)_days$') is not null)::utinyint as 'svc_\1_timely__n',
        coalesce(columns('^svc_([A-Z]+)_days$') <= handoff_target_days(), false)::utinyint as 'svc_\1_timely__x',

        -- service satisfaction: 1..5 count (8, 9 do not); 4..5 satisfied
        coalesce(columns('^svc_([A-Z]+)_sat$') between 1 and 5, false)::utinyint as 'svc_\1_satisfied__n',
        coalesce(columns('^svc_([A-Z]+)_sat$') between 4 and 5, false)::utinyint as 'svc_\1_satisfied__x',

        -- better able to cope, feels safer: Y or N count (DK does not); Y
        coalesce(columns('^svc_([A-Z]+)_(cope|safer)$') in ('Y', 'N'), false)::utinyint as 'svc_\1_\2__n',
        coalesce(columns('^svc_([A-Z]+)_(cope|safer)$') = 'Y', false)::utinyint as 'svc_\1_\2__x',

        -- the journey funnel: every response counts; reached the stage or beyond
        1::utinyint as journey_INVESTIGATION__n,
        (stage_rank >= 2)::utinyint as journey_INVESTIGATION__x,
        1::utinyint as journey_CHARGE_DECISION__n,
        (stage_rank >= 3)::utinyint as journey_CHARGE_DECISION__x,
        1::utinyint as journey_COURT__n,
        (stage_rank >= 4)::utinyint as journey_COURT__x,
        1::utinyint as journey_POST_COURT__n,
        (stage_rank >= 5)::utinyint as journey_POST_COURT__x,

        -- comment themes: a response with a comment (either field) counts, once for every theme
        -- (`theme__n`, the denominator they share); raises the theme with that polarity (MIXED is both)
        (commented is not null)::utinyint as theme__n,
        coalesce(columns('^(theme_\w+_(?:neg|pos))$'), 0)::utinyint as '\1__x'
    from responses
)

select * from final

-- intermediate.int_comment_themes: for every current response with a comment, whether any of
-- its comments (comment_police, comment_services) raises each theme of the codeframe with each
-- polarity, MIXED counting as both (grain: response_id). Read by int_response_measures (the
-- `theme_<name>_neg` and `_pos` metrics) and int_comment_breakdowns. A response without a
-- comment has no row.
create or replace view intermediate.int_comment_themes as
with final as (
    select
        response_id,
        max(columns('^theme_\w+_(?:neg|pos)$'))
    from staging.stg_comment_codes
    group by response_id
)

select * from final

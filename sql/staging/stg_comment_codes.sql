-- staging.stg_comment_codes: the stored codes of the current versions' comments
-- (grain: response_id, field), as the last refresh found them: core.comment_codes joined to the
-- versions staging.stg_current_versions chose, each theme as two flags, raised negatively
-- (`theme_<name>_neg`: NEG or MIXED) and positively (`_pos`: POS or MIXED). The refresh codes every stored comment before
-- it builds the models, in the same transaction, so every current comment has its codes.
create or replace view staging.stg_comment_codes as
with final as (
    select
        c.response_id,
        k.field,
        k.sentiment,
        k.about_services,
        coalesce(columns('^theme_(\w+)$') in ('NEG', 'MIXED'), false)::utinyint as 'theme_\1_neg',
        coalesce(columns('^theme_(\w+)$') in ('POS', 'MIXED'), false)::utinyint as 'theme_\1_pos'
    from staging.stg_current_versions as c
    inner join core.comment_codes as k on k.delivery_id = c.delivery_id and k.row_number = c.row_number
)

select * from final

-- core.comment_codes: one row per stored comment of every response version and field
-- (grain: delivery_id, row_number, field): the themes it raises with their polarity (one
-- column per theme of the codeframe, blank when not raised), its overall sentiment, and for
-- comment_services the services it is about (metrics-v2 §5: used and named, or the only one
-- used). Coded from the redacted text as stored in core.response_versions, never the text itself.
-- Written only by victim_voice/ingestion/comment_coding.py, in the refresh's transaction
-- before the models: every version not yet coded by the current classifier (`coded_by`) is
-- coded, so a new load is coded in its run and a changed classifier re-codes every comment.
create schema if not exists core;

create table if not exists core.comment_codes (
    delivery_id bigint not null,
    row_number bigint not null,
    field varchar not null check (field in ('comment_police', 'comment_services')),
    coded_by varchar not null,
    sentiment varchar not null check (sentiment in ('POSITIVE', 'NEGATIVE', 'MIXED', 'NEUTRAL')),
    about_services varchar[],
    theme_kept_informed varchar check (theme_kept_informed in ('POS', 'NEG', 'MIXED')),
    theme_contact_access varchar check (theme_contact_access in ('POS', 'NEG', 'MIXED')),
    theme_timeliness varchar check (theme_timeliness in ('POS', 'NEG', 'MIXED')),
    theme_respect_empathy varchar check (theme_respect_empathy in ('POS', 'NEG', 'MIXED')),
    theme_believed varchar check (theme_believed in ('POS', 'NEG', 'MIXED')),
    theme_investigation varchar check (theme_investigation in ('POS', 'NEG', 'MIXED')),
    theme_outcome_justice varchar check (theme_outcome_justice in ('POS', 'NEG', 'MIXED')),
    theme_court varchar check (theme_court in ('POS', 'NEG', 'MIXED')),
    theme_safety varchar check (theme_safety in ('POS', 'NEG', 'MIXED')),
    theme_emotional_support varchar check (theme_emotional_support in ('POS', 'NEG', 'MIXED')),
    theme_practical_help varchar check (theme_practical_help in ('POS', 'NEG', 'MIXED')),
    theme_rights_information varchar check (theme_rights_information in ('POS', 'NEG', 'MIXED')),
    theme_handoffs varchar check (theme_handoffs in ('POS', 'NEG', 'MIXED')),
    theme_children_family varchar check (theme_children_family in ('POS', 'NEG', 'MIXED')),
    primary key (delivery_id, row_number, field)
);

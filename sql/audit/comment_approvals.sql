-- audit.comment_approvals: one row per reviewer's decision on a comment that may leave the
-- warehouse in a contract pack (grain: response_id, field, contract, service, reviewed_sha256).
-- The response is marts.responses' response_id; delivery_id and row_number are the version
-- reviewed (core.response_versions' key); reviewed_sha256 is the hash of the stored, redacted
-- text the reviewer read, so a correction that changes the text needs a new decision, and one
-- that leaves it alone keeps this one. released_text is what the pack shows (the stored text,
-- or the reviewer's edit redacted again) and released_sha256 its hash; both null when withheld.
-- Written only by `victim-voice comments approve` (victim_voice/outputs/comment_review.py).
create schema if not exists audit;

create table if not exists audit.comment_approvals (
    response_id varchar not null,
    delivery_id bigint not null,
    row_number bigint not null,
    field varchar not null check (field in ('comment_services')),
    contract varchar not null,
    service varchar not null,
    reviewed_sha256 varchar not null,
    decision varchar not null check (decision in ('RELEASE', 'WITHHOLD', 'RELEASE_EDITED')),
    reviewer varchar not null,
    decided_at timestamp not null,
    released_sha256 varchar,
    released_text varchar,
    primary key (response_id, field, contract, service, reviewed_sha256),
    check ((decision = 'WITHHOLD') = (released_text is null)),
    check ((released_text is null) = (released_sha256 is null))
);

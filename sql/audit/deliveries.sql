-- audit.deliveries: one row per delivery file seen (grain: delivery_id). A file is
-- identified by its name and SHA-256, so an unchanged file is never processed twice.
-- Public columns as in metrics.md come first; delivery_id, rows_corrected and
-- ignored_columns are the project's own. For a LOADED file
-- rows_in_file = rows_loaded + rows_quarantined. reprocessing_of: a file read again by
-- `victim-voice reprocess` (same name and SHA-256) is recorded as a new delivery naming the
-- earlier one; its rows_in_file counts only the rows no earlier processing of the file loaded
-- (the ones it read again), so the same equation holds. alerted_at: when a run finished raising the
-- file's alerts (if any); null until then, so a run that stopped before alerting leaves it
-- for the next run to alert. For a folder, pipe or link, sha256 is that of its kind.
create schema if not exists audit;

create table if not exists audit.deliveries (
    file_name varchar not null,
    sha256 varchar not null,
    period varchar,
    seq integer,
    status varchar not null check (status in ('LOADED', 'REJECTED', 'DUPLICATE')),
    rows_in_file bigint,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    reason varchar,
    processed_at timestamp not null,
    delivery_id bigint primary key,
    rows_corrected bigint not null,
    ignored_columns varchar,
    reprocessing_of bigint,
    alerted_at timestamp,
    check (status <> 'LOADED' or rows_in_file = rows_loaded + rows_quarantined)
);

-- warehouses made before reprocessing gain the column
alter table audit.deliveries add column if not exists reprocessing_of bigint;
-- kind: SURVEY (the supplier's VictimVoice_ files) or RECORDED_CRIME (the force's
-- RecordedCrime_ counts, recorded-crime.md); warehouses made before the counts gain it
alter table audit.deliveries add column if not exists kind varchar default 'SURVEY';

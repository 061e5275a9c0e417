-- audit.purges: one row per retention purge (grain: purge_id). Recorded, with its files in
-- audit.purged_files, before any file is removed: status RECORDED until the removals are
-- done, then DONE, or INCOMPLETE while a file could not be removed (the next purge finishes
-- it). files_to_remove were recorded, files_removed are gone; quarantine details deleted are
-- counted, never named. without_backup: run with --without-backup. Rows from before purge_id
-- existed have it blank.
create schema if not exists audit;

create table if not exists audit.purges (
    purged_at timestamp not null,
    older_than_days integer not null,
    files_removed bigint not null,
    quarantine_rows_removed bigint not null,
    purge_id bigint,
    files_to_remove bigint,
    status varchar,
    without_backup boolean,
    finished_at timestamp
);

-- warehouses made before purges were recorded file by file gain the columns
alter table audit.purges add column if not exists purge_id bigint;
alter table audit.purges add column if not exists files_to_remove bigint;
alter table audit.purges add column if not exists status varchar;
alter table audit.purges add column if not exists without_backup boolean;
alter table audit.purges add column if not exists finished_at timestamp;

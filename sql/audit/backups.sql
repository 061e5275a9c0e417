-- audit.backups: one row per backup of the warehouse (grain: backup_id), written before the
-- copy is made, so the copy holds its own row: path (the backup folder), created_at,
-- deliveries_up_to (the last delivery_id the copy holds; purge keeps files after it). Once
-- the copy is written and checked, the warehouse's row gains sha256 and size_bytes (of the
-- copy's warehouse.duckdb), manifest_sha256 and verified = true; the copy's own row keeps
-- them blank (a file cannot hold its own checksum) until it is restored. A backup that fails
-- says why in note and is never verified.
create schema if not exists audit;

create table if not exists audit.backups (
    backup_id bigint primary key,
    created_at timestamp not null,
    path varchar not null,
    deliveries_up_to bigint not null,
    verified boolean not null,
    sha256 varchar,
    size_bytes bigint,
    manifest_sha256 varchar,
    verified_at timestamp,
    note varchar
);

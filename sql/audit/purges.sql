-- audit.purges: one row per retention purge (grain: purged_at). Delivered files removed from
-- the landing folder and quarantine details deleted, counted, never named.
create schema if not exists audit;

create table if not exists audit.purges (
    purged_at timestamp not null,
    older_than_days integer not null,
    files_removed bigint not null,
    quarantine_rows_removed bigint not null
);

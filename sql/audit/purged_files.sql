-- audit.purged_files: one row per delivery file a purge removes (grain: purge_id, file_name),
-- written with its audit.purges row before the file is touched. file_name (a well-named
-- delivery only: misnamed files are never purged), sha256 (the bytes recorded), delivery_id
-- (its latest processing), reason (why it goes). status: PENDING (recorded, not yet removed),
-- REMOVED, FAILED (the removal failed: error says why; the next purge tries again), KEPT
-- (the file under that name changed since it was recorded: a new delivery, left alone).
create schema if not exists audit;

create table if not exists audit.purged_files (
    purge_id bigint not null,
    file_name varchar not null,
    sha256 varchar not null,
    delivery_id bigint not null,
    reason varchar not null,
    status varchar not null check (status in ('PENDING', 'REMOVED', 'FAILED', 'KEPT')),
    error varchar,
    updated_at timestamp not null,
    primary key (purge_id, file_name)
);

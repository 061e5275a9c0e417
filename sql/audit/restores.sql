-- audit.restores: one row per restore of a backup into this warehouse (grain: restored_at),
-- written into the restored warehouse once it opens and its row counts match the backup's
-- manifest: the backup (backup_id, its folder and created_at) and where the warehouse it
-- replaced was kept (set_aside; blank when there was none).
create schema if not exists audit;

create table if not exists audit.restores (
    restored_at timestamp not null,
    backup_id bigint not null,
    backup_path varchar not null,
    backup_created_at timestamp not null,
    set_aside varchar
);

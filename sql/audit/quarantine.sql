-- audit.quarantine: one row per rejected row and failed check
-- (grain: delivery_id, row_number, column_name, check_name).
-- Reasons quote only codebook values, never the delivered data; response_id is kept
-- only when it is a well-formed supplier id.
create schema if not exists audit;

create table if not exists audit.quarantine (
    file_name varchar not null,
    row_number bigint not null,
    response_id varchar,
    column_name varchar,
    check_name varchar not null,
    reason varchar not null,
    delivery_id bigint not null
);

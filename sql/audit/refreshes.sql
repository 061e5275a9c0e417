-- audit.refreshes: one row per metrics refresh that committed (grain: refresh_id): when, and
-- what the marts describe since: every delivery up to `deliveries_up_to` (the highest
-- audit.deliveries.delivery_id then), `response_versions` rows of core.response_versions, and
-- `models_version` (a hash of the SQL models and the contract they were built from). A run
-- whose refresh did not commit leaves the marts as the latest row says; the next run sees
-- the loads are ahead of it and refreshes, even with no new file.
create schema if not exists audit;

create table if not exists audit.refreshes (
    refresh_id bigint primary key,
    refreshed_at timestamp not null,
    deliveries_up_to bigint not null,
    response_versions bigint not null,
    models_version varchar not null
);

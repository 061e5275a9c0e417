-- core.recorded_victims: one row per loaded row of every recorded-crime counts file
-- (grain: delivery_id, area, crime_group). The force's victims of crimes recorded in the
-- month, by area and crime group: the population the survey is weighted to. Every file's
-- rows are kept; stg_recorded_victims picks each month's current file. Counts, never people.
-- Written only by victim_voice/ingestion/counts_loading.py, inside the transaction that
-- records the file in audit.deliveries (kind RECORDED_CRIME).
create schema if not exists core;

create table if not exists core.recorded_victims (
    delivery_id bigint not null,
    row_number bigint not null,
    month varchar not null,
    area varchar not null,
    crime_group varchar not null,
    victims bigint not null check (victims >= 0),
    primary key (delivery_id, area, crime_group)
);

-- marts.responses: the current version of every loaded response (grain: response_id).
-- The codebook's columns, typed; crime_reference replaced by crime_reference_pseudonym;
-- comments redacted at ingestion; then where the current version came from.
create or replace view marts.responses as
select * exclude (month)
from staging.stg_responses

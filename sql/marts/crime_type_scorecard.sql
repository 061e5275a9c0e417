-- marts.crime_type_scorecard: one line per crime group, plus 'ALL' and 'DOMESTIC_ABUSE'
-- (the flag, across crime groups) (grain: crime_type, period_type, period): volume of
-- responses, overall satisfaction, kept informed, treated fairly and with respect, and
-- Victims' Code rights met (pooled). A rate is null where its own cell is suppressed.
create or replace view marts.crime_type_scorecard as
with cells as (
    select
        case
            when breakdown = 'all' then 'ALL'
            when breakdown = 'domestic_abuse' then 'DOMESTIC_ABUSE'
            else breakdown_value
        end as crime_type,
        *
    from intermediate.int_metric_cells
    where breakdown in ('all', 'crime_group') or (breakdown = 'domestic_abuse' and breakdown_value = 'Y')
),

final as (
    select
        crime_type,
        period_type,
        period,
        max(denominator) filter (where metric = 'journey_INVESTIGATION' and not suppressed) as responses,
        max(rate) filter (where metric = 'sat_overall' and not suppressed) as satisfied_overall,
        max(rate) filter (where metric = 'sat_informed' and not suppressed) as kept_informed,
        max(rate) filter (where metric = 'sat_treatment' and not suppressed) as treated_fairly,
        max(rate) filter (where metric = 'rights_all' and not suppressed) as rights_met,
        bool_or(indicative) filter (
            where metric in ('journey_INVESTIGATION', 'sat_overall', 'sat_informed', 'sat_treatment', 'rights_all')
        ) as indicative
    from cells
    group by crime_type, period_type, period
)

select * from final

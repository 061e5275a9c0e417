-- intermediate.int_stratum_metric_cells_monthly: numerator and denominator per metric, month,
-- stratum (area and crime group: the strata the sample is weighted by, metrics-v2 §2) and
-- breakdown value (grain: metric, month, stratum_area, stratum_crime_group, breakdown, breakdown_value). The
-- grouping sets of metrics.md's breakdowns, each within area and crime group: summed over the
-- strata they are int_metric_cells_monthly; and a window's weighted sums are Σ over strata of
-- weight × these counts, so no pass over responses per window. A blank breakdown column leaves
-- the response out of that breakdown only. Pooled Victims' Code compliance (all rights, and
-- each of the Code's principles) sums the rights' cells: every Y or N answer is one observation.
-- Comment themes: by all, crime group, area and two breakdowns of their own (service,
-- overall_satisfaction: intermediate.int_comment_breakdowns); their metrics share one
-- denominator column (`theme__n`: the respondents with a comment).
create or replace table intermediate.int_stratum_metric_cells_monthly as
with grouped as (
    select
        month,
        stratum_area,
        stratum_crime_group,
        case
            when grouping(crime_group) = 0 then 'crime_group'
            when grouping(domestic_abuse) = 0 then 'domestic_abuse'
            when grouping(hate_crime) = 0 then 'hate_crime'
            when grouping(area) = 0 then 'area'
            when grouping(journey_stage) = 0 then 'journey_stage'
            when grouping(repeat_victim) = 0 then 'repeat_victim'
            when grouping(age_band) = 0 then 'age_band'
            when grouping(gender) = 0 then 'gender'
            when grouping(ethnic_group) = 0 then 'ethnic_group'
            when grouping(disability) = 0 then 'disability'
            else 'all'
        end as breakdown,
        case
            when grouping(crime_group) = 0 then crime_group
            when grouping(domestic_abuse) = 0 then domestic_abuse
            when grouping(hate_crime) = 0 then hate_crime
            when grouping(area) = 0 then area
            when grouping(journey_stage) = 0 then journey_stage
            when grouping(repeat_victim) = 0 then repeat_victim
            when grouping(age_band) = 0 then age_band
            when grouping(gender) = 0 then gender
            when grouping(ethnic_group) = 0 then ethnic_group
            when grouping(disability) = 0 then disability
            else 'all'
        end as breakdown_value,
        nullif(sum(columns('__[nx]$')), 0)  -- a 0 is left out by the unpivot: most strata's measures are 0
    from (
        select *, area as stratum_area, crime_group as stratum_crime_group
        from intermediate.int_response_measures
    )
    group by grouping sets (
        (month, stratum_area, stratum_crime_group),
        (month, stratum_area, stratum_crime_group, crime_group),
        (month, stratum_area, stratum_crime_group, domestic_abuse),
        (month, stratum_area, stratum_crime_group, hate_crime),
        (month, stratum_area, stratum_crime_group, area),
        (month, stratum_area, stratum_crime_group, journey_stage),
        (month, stratum_area, stratum_crime_group, repeat_victim),
        (month, stratum_area, stratum_crime_group, age_band),
        (month, stratum_area, stratum_crime_group, gender),
        (month, stratum_area, stratum_crime_group, ethnic_group),
        (month, stratum_area, stratum_crime_group, disability)
    )
),

comment_groups as (
    select
        month,
        stratum_area,
        stratum_crime_group,
        breakdown,
        breakdown_value,
        count(*) as theme__n,  -- every comment in the group counts
        nullif(sum(columns('^theme_\w+__x$')), 0)
    from intermediate.int_comment_breakdowns
    group by all
),

long as (
    unpivot (
        select * from grouped where breakdown_value is not null
        union all by name
        select * from comment_groups
    )
    on columns('__[nx]$')
    into name measure value responses
),

per_response_metrics as materialized (
    select
        split_part(measure, '__', 1) as metric,
        month,
        stratum_area,
        stratum_crime_group,
        breakdown,
        breakdown_value,
        coalesce(sum(responses) filter (where measure like '%\_\_x' escape '\'), 0)::bigint as numerator,
        coalesce(sum(responses) filter (where measure like '%\_\_n' escape '\'), 0)::bigint as denominator
    from long
    group by all
),

pooled_rights as (
    select
        pooled.metric,
        c.month,
        c.stratum_area,
        c.stratum_crime_group,
        c.breakdown,
        c.breakdown_value,
        sum(c.numerator)::bigint as numerator,
        sum(c.denominator)::bigint as denominator
    from per_response_metrics as c
    inner join reference.rights as r on r.right_code = c.metric
    cross join lateral (select unnest(['rights_all', 'rights_' || r.principle]) as metric) as pooled
    group by all
),

theme_cells as (
    -- every theme metric shares one denominator, the respondents with a comment (`theme`); its
    -- numerators are the theme metrics' own rows, absent where nobody raised it. Themes are
    -- broken down by crime group, area (the area-limited contract scopes' totals), service and
    -- overall satisfaction only (codeframe.yaml): a theme among, say, one age band's comments
    -- is a small count of free text about few people
    select
        m.metric,
        d.month,
        d.stratum_area,
        d.stratum_crime_group,
        d.breakdown,
        d.breakdown_value,
        coalesce(x.numerator, 0)::bigint as numerator,
        d.denominator
    from per_response_metrics as d
    cross join (select metric from reference.metrics where family = 'themes') as m
    left join per_response_metrics as x
        on x.metric = m.metric
        and x.month = d.month
        and x.stratum_area = d.stratum_area
        and x.stratum_crime_group = d.stratum_crime_group
        and x.breakdown = d.breakdown
        and x.breakdown_value = d.breakdown_value
    where d.metric = 'theme' and d.breakdown in ('all', 'crime_group', 'area', 'service', 'overall_satisfaction')
),

final as (
    select * from per_response_metrics where denominator > 0 and metric <> 'theme'
    union all
    select * from pooled_rights where denominator > 0
    union all
    select * from theme_cells
)

select * from final

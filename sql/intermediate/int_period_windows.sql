-- intermediate.int_period_windows: which months make up each reporting window
-- (grain: period_type, period, month), with the window's first month (period_start) and its
-- label (period_label). `month` windows are every calendar month from the first to the last
-- month with data; rolling_3m and rolling_12m end in any month; the financial periods
-- (metrics-v2 §1; the year runs April to March) end in the months they are emitted for:
-- quarter (the financial quarter, ending June, September, December, March), financial_year
-- (April to March, ending March) and fy_to_date (April to `period`, ending June, September,
-- December). Every window is emitted only where it lies wholly between the first and the
-- last month with data.
create or replace table intermediate.int_period_windows as
with bounds as (
    select
        strptime(min(month), '%Y-%m') as first_month,
        strptime(max(month), '%Y-%m') as last_month
    from staging.stg_responses
),

months as (
    select
        month_start,
        strftime(month_start, '%Y-%m') as month,
        month(month_start) as calendar_month,
        -- the financial year a month belongs to, by the calendar year it starts in
        year(month_start) - (month(month_start) < 4)::int as financial_year
    from bounds, unnest(generate_series(first_month, last_month, interval 1 month)) as m(month_start)
),

window_ends as (
    -- every window's type, last month and length in months (null: not emitted for that month)
    select
        l.period_type,
        e.month_start as end_start,
        e.month as period,
        e.financial_year,
        case l.period_type
            when 'month' then 1
            when 'rolling_3m' then 3
            when 'rolling_12m' then 12
            when 'quarter' then case when e.calendar_month in (3, 6, 9, 12) then 3 end
            when 'financial_year' then case when e.calendar_month = 3 then 12 end
            when 'fy_to_date' then case when e.calendar_month in (6, 9, 12) then e.calendar_month - 3 end
        end as months
    from months as e
    cross join (
        values ('month'), ('rolling_3m'), ('rolling_12m'), ('quarter'), ('financial_year'), ('fy_to_date')
    ) as l(period_type)
),

windows as (
    select
        *,
        end_start - to_months(months - 1) as window_start,
        financial_year::varchar || '-' || right((financial_year + 1)::varchar, 2) as financial_year_label
    from window_ends
    where months is not null
        and end_start - to_months(months - 1) >= (select first_month from bounds)
),

labelled as (
    select
        *,
        -- "Aug–Oct 2026" within one calendar year, "Nov 2025–Oct 2026" across two
        case
            when year(window_start) = year(end_start)
                then strftime(window_start, '%b') || '–' || strftime(end_start, '%b %Y')
            else strftime(window_start, '%b %Y') || '–' || strftime(end_start, '%b %Y')
        end as month_range
    from windows
),

final as (
    select
        w.period_type,
        w.period,
        strftime(w.window_start, '%Y-%m') as period_start,
        case w.period_type
            when 'month' then strftime(w.end_start, '%b %Y')
            when 'quarter' then
                'Q' || ((month(w.end_start) + 8) % 12 // 3 + 1)::varchar || ' ' || w.financial_year_label
                || ' (' || w.month_range || ')'
            when 'financial_year' then w.financial_year_label
            when 'fy_to_date' then w.financial_year_label || ' to date (' || w.month_range || ')'
            else w.month_range
        end as period_label,
        member.month
    from labelled as w
    inner join months as member on member.month_start between w.window_start and w.end_start
)

select * from final

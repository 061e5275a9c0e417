-- intermediate.int_period_windows: which months make up each reporting window
-- (grain: period_type, period, month). `month` windows are every calendar month from the
-- first to the last month with data; rolling_3m and rolling_12m windows are emitted only
-- where the whole window lies between those months.
create or replace table intermediate.int_period_windows as
with bounds as (
    select
        strptime(min(month), '%Y-%m') as first_month,
        strptime(max(month), '%Y-%m') as last_month
    from staging.stg_responses
),

months as (
    select month_start, strftime(month_start, '%Y-%m') as month
    from bounds, unnest(generate_series(first_month, last_month, interval 1 month)) as m(month_start)
),

lengths as (
    select * from (values ('month', 1), ('rolling_3m', 3), ('rolling_12m', 12)) as l(period_type, months)
),

final as (
    select l.period_type, window_end.month as period, member.month
    from lengths as l
    cross join months as window_end
    inner join months as member
        on member.month_start between window_end.month_start - to_months(l.months - 1) and window_end.month_start
    where window_end.month_start - to_months(l.months - 1) >= (select first_month from bounds)
)

select * from final

-- marts.victims_code_by_right: Victims' Code compliance per right (grain: right_code,
-- period_type, period): share of victims answering Y among those answering Y or N.
-- Rate and interval are null where the cell is suppressed.
create or replace view marts.victims_code_by_right as
select
    r.right_code,
    r.right_text,
    r.principle,
    c.period_type,
    c.period,
    c.denominator as answered,
    case when not c.suppressed then c.rate end as rate,
    case when not c.suppressed then c.ci_low end as ci_low,
    case when not c.suppressed then c.ci_high end as ci_high,
    c.suppressed,
    c.indicative
from intermediate.int_metric_cells as c
inner join reference.rights as r on r.right_code = c.metric
where c.breakdown = 'all'

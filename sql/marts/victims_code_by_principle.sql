-- marts.victims_code_by_principle: Victims' Code compliance by the Code's four principles
-- (information, support, voice, challenge) and overall ('all') (grain: principle,
-- period_type, period). Answers of every right under the principle are pooled: Y among
-- Y or N. Rate and interval are null where the cell is suppressed.
create or replace view marts.victims_code_by_principle as
select
    replace(c.metric, 'rights_', '') as principle,
    c.period_type,
    c.period,
    c.denominator as answers,
    case when not c.suppressed then c.rate end as rate,
    case when not c.suppressed then c.ci_low end as ci_low,
    case when not c.suppressed then c.ci_high end as ci_high,
    c.suppressed,
    c.indicative
from intermediate.int_metric_cells as c
inner join reference.metrics as m on m.metric = c.metric
where m.family = 'victims_code_pooled' and c.breakdown = 'all'

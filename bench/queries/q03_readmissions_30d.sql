-- Inpatient stays (class IMP) by discharge year, and how many were followed
-- by another inpatient admission of the same patient within 30 days.
with imp as (
  select patient_id, period_end,
         lead(period_start) over (partition by patient_id order by period_start, id) as next_start
  from encounter
  where class_code = 'IMP'
)
select extract(year from period_end)::int as year,
       count(*)::bigint as stays,
       count(*) filter (where next_start <= period_end + interval '30 days')::bigint as readmissions_30d
from imp
group by 1

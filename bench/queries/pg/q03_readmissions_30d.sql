-- PostgreSQL over jsonb: see ../q03_readmissions_30d.sql.
with e as (
  select doc->>'id' as id,
         split_part(doc->'subject'->>'reference', '/', 2) as patient_id,
         (doc->'period'->>'start')::timestamptz as period_start,
         (doc->'period'->>'end')::timestamptz as period_end
  from fhir_encounter
  where doc->'class'->>'code' = 'IMP'
), imp as (
  select patient_id, period_end,
         lead(period_start) over (partition by patient_id order by period_start, id) as next_start
  from e
)
select extract(year from period_end)::int as year,
       count(*)::bigint as stays,
       count(*) filter (where next_start <= period_end + interval '30 days')::bigint as readmissions_30d
from imp
group by 1

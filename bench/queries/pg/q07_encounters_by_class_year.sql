-- PostgreSQL over jsonb: see ../q07_encounters_by_class_year.sql.
with e as (
  select doc->'class'->>'code' as class_code,
         (doc->'period'->>'start')::timestamptz as period_start,
         (doc->'period'->>'end')::timestamptz as period_end
  from fhir_encounter
)
select class_code,
       extract(year from period_start)::int as year,
       count(*)::bigint as encounters,
       avg((extract(epoch from period_end) - extract(epoch from period_start)) / 60)::float8 as mean_minutes
from e
where period_start >= timestamptz '2016-01-01 00:00:00+00'
group by 1, 2

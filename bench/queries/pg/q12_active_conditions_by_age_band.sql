-- PostgreSQL over jsonb: see ../q12_active_conditions_by_age_band.sql.
with per as (
  select p.doc->>'id' as id,
         case when (p.doc->>'birthDate')::date > date '1986-01-01' then '0-39'
              when (p.doc->>'birthDate')::date > date '1966-01-01' then '40-59'
              when (p.doc->>'birthDate')::date > date '1946-01-01' then '60-79'
              else '80+' end as age_band,
         count(c.doc) as active
  from fhir_patient p
  left join fhir_condition c
    on split_part(c.doc->'subject'->>'reference', '/', 2) = p.doc->>'id'
   and c.doc->'clinicalStatus'->'coding'->0->>'code' = 'active'
  group by 1, 2
)
select age_band, count(*)::bigint as patients, avg(active)::float8 as mean_active, max(active)::bigint as max_active
from per
group by 1

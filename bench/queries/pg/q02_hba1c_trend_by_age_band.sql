-- PostgreSQL over jsonb: see ../q02_hba1c_trend_by_age_band.sql.
with o as (
  select split_part(doc->'subject'->>'reference', '/', 2) as patient_id,
         coalesce(doc->>'effectiveDateTime', doc->>'effectiveInstant', doc->'effectivePeriod'->>'start')::timestamptz as effective,
         (doc->'valueQuantity'->>'value')::float8 as value
  from fhir_observation
  where doc @> '{"code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]}}'
)
select case when (p.doc->>'birthDate')::date > date '1986-01-01' then '0-39'
            when (p.doc->>'birthDate')::date > date '1966-01-01' then '40-59'
            when (p.doc->>'birthDate')::date > date '1946-01-01' then '60-79'
            else '80+' end as age_band,
       extract(year from o.effective)::int as year,
       count(*)::bigint as tests,
       avg(o.value)::float8 as mean_hba1c
from o join fhir_patient p on p.doc->>'id' = o.patient_id
where o.effective >= timestamptz '2016-01-01 00:00:00+00'
group by 1, 2

-- PostgreSQL over jsonb: see ../q08_blood_pressure_by_age_band.sql.
with oc as (
  select split_part(o.doc->'subject'->>'reference', '/', 2) as patient_id,
         coalesce(o.doc->>'effectiveDateTime', o.doc->>'effectiveInstant', o.doc->'effectivePeriod'->>'start')::timestamptz as effective,
         jsonb_path_query_first(c.comp, '$.code.coding[*] ? (@.system == "http://loinc.org").code') #>> '{}' as loinc_code,
         (c.comp->'valueQuantity'->>'value')::float8 as value
  from fhir_observation o, jsonb_array_elements(o.doc->'component') as c(comp)
  where o.doc ? 'component'
)
select case when (p.doc->>'birthDate')::date > date '1986-01-01' then '0-39'
            when (p.doc->>'birthDate')::date > date '1966-01-01' then '40-59'
            when (p.doc->>'birthDate')::date > date '1946-01-01' then '60-79'
            else '80+' end as age_band,
       count(distinct oc.patient_id)::bigint as patients,
       avg(case when oc.loinc_code = '8480-6' then oc.value end)::float8 as systolic,
       avg(case when oc.loinc_code = '8462-4' then oc.value end)::float8 as diastolic
from oc join fhir_patient p on p.doc->>'id' = oc.patient_id
where oc.effective >= timestamptz '2021-01-01 00:00:00+00'
group by 1

-- PostgreSQL over jsonb: see ../q06_diabetes_prevalence_by_state.sql.
select p.doc->'address'->0->>'state' as state,
       count(*)::bigint as patients,
       count(d.patient_id)::bigint as diabetic,
       (100.0 * count(d.patient_id) / count(*))::float8 as pct
from fhir_patient p
left join (select distinct split_part(doc->'subject'->>'reference', '/', 2) as patient_id
           from fhir_condition
           where doc @> '{"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]}}') d
  on d.patient_id = p.doc->>'id'
group by 1

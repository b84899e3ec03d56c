-- PostgreSQL over jsonb: see ../q05_medications_per_patient.sql.
with per as (
  select p.doc->>'id' as id, count(m.doc) as meds
  from fhir_patient p
  left join fhir_medicationrequest m on split_part(m.doc->'subject'->>'reference', '/', 2) = p.doc->>'id'
  group by 1
)
select meds::bigint as medication_requests, count(*)::bigint as patients
from per
group by 1

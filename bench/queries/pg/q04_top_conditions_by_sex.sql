-- PostgreSQL over jsonb: see ../q04_top_conditions_by_sex.sql.
with c as (
  select split_part(doc->'subject'->>'reference', '/', 2) as patient_id,
         jsonb_path_query_first(doc, '$.code.coding[*] ? (@.system == "http://snomed.info/sct").code') #>> '{}' as snomed_code
  from fhir_condition
)
select c.snomed_code, p.doc->>'gender' as gender, count(distinct c.patient_id)::bigint as patients
from c join fhir_patient p on p.doc->>'id' = c.patient_id
group by 1, 2
order by patients desc, c.snomed_code, gender
limit 20

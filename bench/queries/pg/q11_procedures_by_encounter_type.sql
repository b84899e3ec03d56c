-- PostgreSQL over jsonb: see ../q11_procedures_by_encounter_type.sql.
select jsonb_path_query_first(e.doc, '$.type[*].coding[*] ? (@.system == "http://snomed.info/sct").code') #>> '{}' as type_code,
       count(*)::bigint as procedures,
       count(distinct split_part(pr.doc->'subject'->>'reference', '/', 2))::bigint as patients
from fhir_procedure pr
join fhir_encounter e on e.doc->>'id' = split_part(pr.doc->'encounter'->>'reference', '/', 2)
group by 1

-- Procedures per encounter type (SNOMED), with the patients they concern.
select e.type_code, count(*)::bigint as procedures, count(distinct pr.patient_id)::bigint as patients
from procedure pr join encounter e on e.id = pr.encounter_id
group by 1

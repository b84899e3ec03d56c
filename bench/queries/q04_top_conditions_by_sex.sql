-- The 20 most prevalent (condition, sex) pairs: distinct patients per SNOMED
-- code and sex.
select c.snomed_code, p.gender, count(distinct c.patient_id)::bigint as patients
from condition c join patient p on p.id = c.patient_id
group by 1, 2
order by patients desc, c.snomed_code, p.gender
limit 20

-- Patients aged 60 or more on 2026-01-01 (synth.ReferenceDate) with both
-- type 2 diabetes (SNOMED 44054006) and hypertension (38341003) who have a
-- metformin prescription (RxNorm 6809), by sex.
select p.gender, count(*)::bigint as patients
from patient p
where p.birth_date <= date '1966-01-01'
  and exists (select 1 from condition c where c.patient_id = p.id and c.snomed_code = '44054006')
  and exists (select 1 from condition c where c.patient_id = p.id and c.snomed_code = '38341003')
  and exists (select 1 from medication_request m where m.patient_id = p.id and m.rxnorm_code = '6809')
group by p.gender

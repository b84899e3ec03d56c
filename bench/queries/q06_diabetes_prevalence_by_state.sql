-- Type 2 diabetes prevalence by state of residence.
select p.state,
       count(*)::bigint as patients,
       count(d.patient_id)::bigint as diabetic,
       (100.0 * count(d.patient_id) / count(*))::double precision as pct
from patient p
left join (select distinct patient_id from condition where snomed_code = '44054006') d on d.patient_id = p.id
group by p.state

-- Distribution of the number of medication requests per patient (patients
-- with none included).
with per as (
  select p.id, count(m.id) as meds
  from patient p left join medication_request m on m.patient_id = p.id
  group by p.id
)
select meds::bigint as medication_requests, count(*)::bigint as patients
from per
group by 1

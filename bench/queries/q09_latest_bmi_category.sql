-- Patients by category of their latest BMI (LOINC 39156-5).
with latest as (
  select patient_id, value,
         row_number() over (partition by patient_id order by effective desc, id) as rn
  from observation
  where loinc_code = '39156-5'
)
select case when value < 18.5 then 'underweight'
            when value < 25 then 'normal'
            when value < 30 then 'overweight'
            else 'obese' end as bmi_category,
       count(*)::bigint as patients
from latest
where rn = 1
group by 1

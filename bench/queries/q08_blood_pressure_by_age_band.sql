-- Mean systolic (8480-6) and diastolic (8462-4) blood pressure since 2021
-- per age band on 2026-01-01, from the observation components.
select case when p.birth_date > date '1986-01-01' then '0-39'
            when p.birth_date > date '1966-01-01' then '40-59'
            when p.birth_date > date '1946-01-01' then '60-79'
            else '80+' end as age_band,
       count(distinct oc.patient_id)::bigint as patients,
       avg(case when oc.loinc_code = '8480-6' then oc.value end)::double precision as systolic,
       avg(case when oc.loinc_code = '8462-4' then oc.value end)::double precision as diastolic
from observation_component oc join patient p on p.id = oc.patient_id
where oc.effective >= timestamptz '2021-01-01 00:00:00+00'
group by 1

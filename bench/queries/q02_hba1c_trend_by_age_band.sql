-- HbA1c (LOINC 4548-4) trend: mean value and count per year since 2016 and
-- per age band on 2026-01-01.
select case when p.birth_date > date '1986-01-01' then '0-39'
            when p.birth_date > date '1966-01-01' then '40-59'
            when p.birth_date > date '1946-01-01' then '60-79'
            else '80+' end as age_band,
       extract(year from o.effective)::int as year,
       count(*)::bigint as tests,
       avg(o.value)::double precision as mean_hba1c
from observation o join patient p on p.id = o.patient_id
where o.loinc_code = '4548-4' and o.effective >= timestamptz '2016-01-01 00:00:00+00'
group by 1, 2

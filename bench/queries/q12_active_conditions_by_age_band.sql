-- Active conditions per patient by age band on 2026-01-01: patients, mean
-- and maximum number of active conditions.
with per as (
  select p.id,
         case when p.birth_date > date '1986-01-01' then '0-39'
              when p.birth_date > date '1966-01-01' then '40-59'
              when p.birth_date > date '1946-01-01' then '60-79'
              else '80+' end as age_band,
         count(c.id) as active
  from patient p left join condition c on c.patient_id = p.id and c.clinical_status = 'active'
  group by 1, 2
)
select age_band, count(*)::bigint as patients, avg(active)::double precision as mean_active, max(active)::bigint as max_active
from per
group by 1

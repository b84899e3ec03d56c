-- PostgreSQL over jsonb: see ../q09_latest_bmi_category.sql.
with latest as (
  select (doc->'valueQuantity'->>'value')::float8 as value,
         row_number() over (partition by split_part(doc->'subject'->>'reference', '/', 2)
                            order by coalesce(doc->>'effectiveDateTime', doc->>'effectiveInstant', doc->'effectivePeriod'->>'start')::timestamptz desc, doc->>'id') as rn
  from fhir_observation
  where doc @> '{"code":{"coding":[{"system":"http://loinc.org","code":"39156-5"}]}}'
)
select case when value < 18.5 then 'underweight'
            when value < 25 then 'normal'
            when value < 30 then 'overweight'
            else 'obese' end as bmi_category,
       count(*)::bigint as patients
from latest
where rn = 1
group by 1

-- PostgreSQL over jsonb: see ../q10_immunizations_by_vaccine_year.sql.
with i as (
  select jsonb_path_query_first(doc, '$.vaccineCode.coding[*] ? (@.system == "http://hl7.org/fhir/sid/cvx").code') #>> '{}' as cvx_code,
         (doc->>'occurrenceDateTime')::timestamptz as occurrence
  from fhir_immunization
  where doc->>'status' = 'completed'
)
select cvx_code, extract(year from occurrence)::int as year, count(*)::bigint as doses
from i
where occurrence >= timestamptz '2016-01-01 00:00:00+00'
group by 1, 2

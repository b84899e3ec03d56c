-- PostgreSQL over jsonb: see ../q01_diabetes_htn_metformin_60plus.sql.
select p.doc->>'gender' as gender, count(*)::bigint as patients
from fhir_patient p
where (p.doc->>'birthDate')::date <= date '1966-01-01'
  and exists (select 1 from fhir_condition c
              where split_part(c.doc->'subject'->>'reference', '/', 2) = p.doc->>'id'
                and c.doc @> '{"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"}]}}')
  and exists (select 1 from fhir_condition c
              where split_part(c.doc->'subject'->>'reference', '/', 2) = p.doc->>'id'
                and c.doc @> '{"code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003"}]}}')
  and exists (select 1 from fhir_medicationrequest m
              where split_part(m.doc->'subject'->>'reference', '/', 2) = p.doc->>'id'
                and m.doc @> '{"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"6809"}]}}')
group by 1

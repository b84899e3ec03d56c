-- DuckDB equivalent of ../condition_flat.json over the NDJSON file {{file}}.
SELECT json->>'id' AS id,
       split_part(json->'subject'->>'reference', '/', 2) AS patient_id,
       json->'clinicalStatus'->'coding'->0->>'code' AS clinical_status,
       list_filter(json_extract(json, '$.code.coding[*]'), lambda c: (c->>'system') = 'http://snomed.info/sct')[1]->>'code' AS snomed_code,
       list_filter(json_extract(json, '$.code.coding[*]'), lambda c: (c->>'system') = 'http://hl7.org/fhir/sid/icd-10-cm')[1]->>'code' AS icd10_code,
       CAST(json->>'onsetDateTime' AS TIMESTAMPTZ) AS onset,
       json->>'onsetDateTime' AS onset_raw
FROM read_ndjson_objects({{file}})

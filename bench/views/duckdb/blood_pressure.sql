-- DuckDB equivalent of ../blood_pressure.json over the NDJSON file {{file}}.
SELECT json->>'id' AS id,
       split_part(json->'subject'->>'reference', '/', 2) AS patient_id,
       CAST(json->>'effectiveDateTime' AS TIMESTAMPTZ) AS effective,
       json->>'effectiveDateTime' AS effective_raw,
       CAST(list_filter(json_extract(json, '$.component[*]'),
              lambda c: len(list_filter(json_extract(c, '$.code.coding[*]'), lambda k: (k->>'system') = 'http://loinc.org' AND (k->>'code') = '8480-6')) > 0)[1]->'valueQuantity'->>'value' AS DECIMAL(38,9)) AS systolic,
       CAST(list_filter(json_extract(json, '$.component[*]'),
              lambda c: len(list_filter(json_extract(c, '$.code.coding[*]'), lambda k: (k->>'system') = 'http://loinc.org' AND (k->>'code') = '8462-4')) > 0)[1]->'valueQuantity'->>'value' AS DECIMAL(38,9)) AS diastolic
FROM read_ndjson_objects({{file}})
WHERE len(list_filter(json_extract(json, '$.code.coding[*]'), lambda k: (k->>'system') = 'http://loinc.org' AND (k->>'code') = '85354-9')) > 0

-- DuckDB equivalent of ../patient_demographics.json over the NDJSON file {{file}}.
SELECT json->>'id' AS id,
       json->>'gender' AS gender,
       CAST(json->>'birthDate' AS DATE) AS birth_date,
       json->>'birthDate' AS birth_date_raw,
       json->'name'->0->>'family' AS family,
       json->'address'->0->>'city' AS city,
       json->'address'->0->>'state' AS state
FROM read_ndjson_objects({{file}})

-- DuckDB equivalent of ../observation_coding.json over the NDJSON file {{file}}.
SELECT o.json->>'id' AS id,
       split_part(o.json->'subject'->>'reference', '/', 2) AS patient_id,
       CAST(o.json->>'effectiveDateTime' AS TIMESTAMPTZ) AS effective,
       o.json->>'effectiveDateTime' AS effective_raw,
       (c->>'system') AS system,
       (c->>'code') AS code,
       c->>'display' AS display
FROM read_ndjson_objects({{file}}) AS o,
     UNNEST(json_extract(o.json, '$.code.coding[*]')) AS t(c)

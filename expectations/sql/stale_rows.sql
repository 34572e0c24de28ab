-- The rows of the extracts to validate (registered frame dq_stale: la_code, extract_date), each
-- extract in file order (as staging_extract.sql), for validation in pandas. `columns`, when
-- given, keeps only those of the table's columns (an extra input needs only a few); `skip`
-- leaves those out (columns no rule reads).
SELECT {% if columns is defined %}COLUMNS(lambda c: c IN ('{{ columns | join("', '") }}'))
       {%- elif skip is defined %}COLUMNS(lambda c: c NOT IN ('{{ skip | join("', '") }}'))
       {%- else %}t.*{% endif %}
FROM staging.{{ table }} AS t
SEMI JOIN dq_stale AS s ON t.la_code = s.la_code AND t.extract_date = CAST(s.extract_date AS DATE)
ORDER BY t.la_code, t.extract_date, t.source_file, t.row_number

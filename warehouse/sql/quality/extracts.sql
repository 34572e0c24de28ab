-- The extracts (la_code, extract_date) present in one staging table.
SELECT DISTINCT la_code, extract_date
FROM staging.{{ table }}
ORDER BY la_code, extract_date

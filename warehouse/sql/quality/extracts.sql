-- The extracts (la_code, extract_date) present in one staging table: each is validated alone.
SELECT DISTINCT la_code, extract_date
FROM staging.{{ table }}
ORDER BY la_code, extract_date

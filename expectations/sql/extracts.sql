-- The extracts (la_code, extract_date) present in one staging table, with their row counts.
SELECT la_code, extract_date, count(*) AS n_rows
FROM staging.{{ table }}
GROUP BY la_code, extract_date
ORDER BY la_code, extract_date

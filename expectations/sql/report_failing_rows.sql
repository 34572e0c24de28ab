-- Failing row positions, every table, of the extracts whose error reports are written now
-- (registered frame dq_report: la_code, extract_date): the first {{ cap }} of each expectation
-- (the reports list no more; marts.dq_results counts them all).
WITH wanted AS (
    SELECT DISTINCT la_code, CAST(extract_date AS DATE) AS extract_date FROM dq_report
)
SELECT f.la_code, f.extract_date, f.table_name, f.expectation, f.row_index
FROM quality.failing_rows AS f
JOIN wanted USING (la_code, extract_date)
QUALIFY row_number() OVER (PARTITION BY f.la_code, f.extract_date, f.table_name, f.expectation
                           ORDER BY f.row_index) <= {{ cap }}
ORDER BY f.la_code, f.extract_date, f.table_name, f.expectation, f.row_index

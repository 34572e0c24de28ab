-- Stored results, every table, of the extracts whose error reports are written now (registered
-- frame dq_report: la_code, extract_date).
WITH wanted AS (
    SELECT DISTINCT la_code, CAST(extract_date AS DATE) AS extract_date FROM dq_report
)
SELECT r.la_code, r.extract_date, r.table_name, r.expectation, r.severity, r.success,
       r.evaluated, r.unexpected, r.unexpected_pct, n.note
FROM marts.dq_results AS r
JOIN wanted USING (la_code, extract_date)
LEFT JOIN quality.result_notes AS n USING (la_code, extract_date, table_name, expectation)

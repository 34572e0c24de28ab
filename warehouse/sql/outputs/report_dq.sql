-- Published data-quality results of one LA's latest extract on or before the report's month
-- end. Parameters: dq_query (outputs/dq_results.sql rendered); bound: la_code, period_end.
WITH published AS ({{ dq_query }}),
latest AS (
    SELECT max(extract_date) AS extract_date
    FROM published
    WHERE la_code = $la_code AND extract_date <= $period_end
)
SELECT p.extract_date, p.table_name, p.expectation, p.severity, p.success, p.evaluated,
    p.unexpected, p.unexpected_pct, p.suppressed
FROM published AS p
JOIN latest USING (extract_date)
WHERE p.la_code = $la_code
ORDER BY p.success, p.severity, p.table_name, p.expectation

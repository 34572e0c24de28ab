-- Idempotent write: drop the validated extracts' rows, then insert the new results from the
-- registered pandas frame `dq_rows` (same columns as marts.dq_results).
DELETE FROM marts.dq_results
WHERE (la_code, extract_date, table_name) IN (
    SELECT DISTINCT la_code, extract_date, table_name FROM dq_rows
);
INSERT INTO marts.dq_results
    (la_code, extract_date, table_name, expectation, severity, success, evaluated, unexpected,
     unexpected_pct)
SELECT la_code, CAST(extract_date AS DATE), table_name, expectation, severity, success,
       evaluated, unexpected, unexpected_pct
FROM dq_rows;

-- Stored results of one extract, every table, for its error report.
-- Parameters: $la_code, $extract_date.
SELECT r.table_name, r.expectation, r.severity, r.success, r.evaluated, r.unexpected,
       r.unexpected_pct, n.note
FROM marts.dq_results AS r
LEFT JOIN quality.result_notes AS n USING (la_code, extract_date, table_name, expectation)
WHERE r.la_code = $la_code AND r.extract_date = $extract_date

-- Stored results of one table, every extract, for its asset checks (counts and notes only).
SELECT r.la_code, r.extract_date, r.expectation, r.severity, r.success, r.evaluated, r.unexpected,
       r.unexpected_pct, n.note
FROM marts.dq_results AS r
LEFT JOIN quality.result_notes AS n USING (la_code, extract_date, table_name, expectation)
WHERE r.table_name = $table
ORDER BY r.la_code, r.extract_date

-- Error reports written: the extracts of the registered frame dq_report_done (la_code,
-- extract_date) are no longer pending.
UPDATE quality.reports AS r SET pending = false
FROM dq_report_done AS d
WHERE r.la_code = d.la_code AND r.extract_date = CAST(d.extract_date AS DATE)

-- Error reports removed (their extracts left staging): the extracts of the registered frame
-- dq_report_done (la_code, extract_date).
DELETE FROM quality.reports AS r
USING dq_report_done AS d
WHERE r.la_code = d.la_code AND r.extract_date = CAST(d.extract_date AS DATE)

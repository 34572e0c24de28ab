-- Counts for the dq_results asset's metadata: rows, extracts, failed expectations by severity.
SELECT count(*),
       count(DISTINCT (la_code, extract_date)),
       count(*) FILTER (WHERE success = false AND severity = 'structural'),
       count(*) FILTER (WHERE success = false AND severity = 'recording')
FROM marts.dq_results

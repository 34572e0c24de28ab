-- One extract's error report is removed (the extract left staging). Parameters: $la_code, $extract_date.
DELETE FROM quality.reports
WHERE la_code = $la_code AND extract_date = $extract_date

-- One extract's error report is written. Parameters: $la_code, $extract_date.
UPDATE quality.reports SET pending = false
WHERE la_code = $la_code AND extract_date = $extract_date

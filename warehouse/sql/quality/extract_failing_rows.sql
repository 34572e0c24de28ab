-- Failing row positions of one extract, every table. Parameters: $la_code, $extract_date.
SELECT table_name, expectation, row_index
FROM quality.failing_rows
WHERE la_code = $la_code AND extract_date = $extract_date
ORDER BY table_name, expectation, row_index

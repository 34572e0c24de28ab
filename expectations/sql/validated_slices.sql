-- The extracts of one table validated before (to find those that have left staging).
SELECT la_code, extract_date
FROM quality.validations
WHERE table_name = $table

-- One extract's rows of a staging table, in file order, for validation in pandas.
-- Parameters: $la_code, $extract_date.
SELECT *
FROM staging.{{ table }}
WHERE la_code = $la_code AND extract_date = $extract_date
ORDER BY source_file, row_number

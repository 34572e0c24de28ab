-- Forget the results of the slices in the registered frame dq_drop (la_code, extract_date,
-- table_name): re-validated or gone from staging. Delete-then-insert keeps the write idempotent.
DELETE FROM marts.dq_results AS r
USING dq_drop AS d
WHERE r.la_code = d.la_code AND r.extract_date = CAST(d.extract_date AS DATE)
  AND r.table_name = d.table_name;
DELETE FROM quality.result_notes AS r
USING dq_drop AS d
WHERE r.la_code = d.la_code AND r.extract_date = CAST(d.extract_date AS DATE)
  AND r.table_name = d.table_name;
DELETE FROM quality.failing_rows AS r
USING dq_drop AS d
WHERE r.la_code = d.la_code AND r.extract_date = CAST(d.extract_date AS DATE)
  AND r.table_name = d.table_name;
DELETE FROM quality.validations AS r
USING dq_drop AS d
WHERE r.la_code = d.la_code AND r.extract_date = CAST(d.extract_date AS DATE)
  AND r.table_name = d.table_name;

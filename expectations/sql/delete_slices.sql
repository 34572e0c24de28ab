-- Forget the results of the slices in the registered frame dq_drop (la_code, extract_date,
-- table_name): re-validated or gone from staging. Delete-then-insert keeps the write idempotent.
{% for stored in ['marts.dq_results', 'quality.result_notes', 'quality.failing_rows',
                  'quality.validations'] %}
DELETE FROM {{ stored }} AS r
USING dq_drop AS d
WHERE r.la_code = d.la_code AND r.extract_date = CAST(d.extract_date AS DATE)
  AND r.table_name = d.table_name;
{% endfor %}

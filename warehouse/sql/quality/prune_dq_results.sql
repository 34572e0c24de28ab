-- Rows of extracts (or tables) no longer in staging are removed, so marts.dq_results mirrors it.
DELETE FROM marts.dq_results AS r
WHERE NOT EXISTS (
    SELECT 1 FROM dq_validated AS v
    WHERE v.la_code = r.la_code
      AND CAST(v.extract_date AS DATE) = r.extract_date
      AND v.table_name = r.table_name
);

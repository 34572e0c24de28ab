-- Rows of one table's extracts that were never recorded as validated (e.g. written before the
-- bookkeeping existed, or of a table no longer in staging) are removed: marts.dq_results mirrors
-- staging.
DELETE FROM marts.dq_results AS r
WHERE r.table_name = $table
  AND NOT EXISTS (
    SELECT 1 FROM quality.validations AS v
    WHERE v.la_code = r.la_code AND v.extract_date = r.extract_date AND v.table_name = r.table_name
);

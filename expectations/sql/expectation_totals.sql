-- Every stored result of one table summed per expectation, for its asset checks: counts and
-- notes only (notes name columns or missing inputs, never values). A not-evaluated result
-- (success NULL) counts neither its rows nor as checked.
SELECT r.expectation,
       count(*) AS extracts,
       count(*) FILTER (WHERE r.success IS NOT NULL) AS extracts_checked,
       count(*) FILTER (WHERE NOT r.success) AS extracts_failing,
       coalesce(sum(r.evaluated) FILTER (WHERE r.success IS NOT NULL), 0) AS evaluated,
       coalesce(sum(r.unexpected) FILTER (WHERE r.success IS NOT NULL), 0) AS unexpected,
       list_sort(list_distinct(list(n.note) FILTER (WHERE n.note <> ''))) AS notes
FROM marts.dq_results AS r
LEFT JOIN quality.result_notes AS n USING (la_code, extract_date, table_name, expectation)
WHERE r.table_name = $table
GROUP BY r.expectation

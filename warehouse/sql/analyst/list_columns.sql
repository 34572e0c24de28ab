-- Every table and view column of the warehouse with its current comment (DuckDB's own catalogs
-- and internal views excluded).
SELECT
    c.schema_name,
    c.table_name,
    c.column_name,
    c.data_type,
    c.comment
FROM duckdb_columns() AS c
WHERE c.database_name = current_database()
    AND NOT c.internal
    AND c.schema_name NOT IN ('information_schema', 'pg_catalog')
ORDER BY c.schema_name, c.table_name, c.column_index

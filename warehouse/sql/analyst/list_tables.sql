-- Every table and view of the warehouse, with its kind and current comment.
SELECT schema_name, table_name, 'TABLE' AS kind, comment
FROM duckdb_tables()
WHERE database_name = current_database() AND NOT internal AND NOT temporary
UNION ALL
SELECT schema_name, view_name, 'VIEW' AS kind, comment
FROM duckdb_views()
WHERE database_name = current_database() AND NOT internal AND NOT temporary
    AND schema_name NOT IN ('information_schema', 'pg_catalog')
ORDER BY schema_name, table_name

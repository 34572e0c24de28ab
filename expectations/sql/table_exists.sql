-- Does {{ schema }}.{{ table }} exist? (quality checks skip staging tables not built yet)
SELECT count(*) > 0
FROM duckdb_tables()
WHERE schema_name = '{{ schema }}' AND table_name = '{{ table }}'

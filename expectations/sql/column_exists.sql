-- Does {{ schema }}.{{ table }} have column {{ column }}? (tables built by hand may lack file_id)
SELECT count(*) > 0
FROM duckdb_columns()
WHERE schema_name = '{{ schema }}' AND table_name = '{{ table }}' AND column_name = '{{ column }}'

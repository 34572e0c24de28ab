-- Write one query's result as Parquet into a fresh, not yet published folder (the caller swaps it
-- into place afterwards). Without partition_by, target is a single file path. With partition_by,
-- Hive-style sub-folders (la_code=.../year=...) are written and the partition columns are also
-- kept inside the files, so each file is typed and self-describing.
-- Parameters: query (SQL text), target (quoted path literal), partition_by (list of columns).
COPY ({{ query }}) TO {{ target }} (
    FORMAT parquet,
    COMPRESSION zstd
{%- if partition_by %},
    PARTITION_BY ({{ partition_by | join(', ') }}),
    WRITE_PARTITION_COLUMNS true,
    FILENAME_PATTERN 'part_{i}'
{%- endif %}
)

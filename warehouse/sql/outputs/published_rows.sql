-- Rows in a published export (its Parquet files). Parameters: files (quoted glob literal).
SELECT count(*) FROM read_parquet({{ files }}, hive_partitioning = false)

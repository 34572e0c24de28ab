-- Whether a table or view exists. Parameters: bound as ? (schema, table).
SELECT count(*) > 0
FROM information_schema.tables
WHERE table_schema = ? AND table_name = ?

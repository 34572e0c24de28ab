-- Cells of the DfE files the catalogue reads that are neither a number nor a suppression
-- marker, and mappings that found no row at all: a refreshed file whose layout changed.
SELECT indicator_id, file, column_name, count(*) AS cells
FROM dfe_observations
WHERE TRY_CAST(raw AS DOUBLE) IS NULL AND lower(raw) NOT IN ('c', 'z', 'x', 'k', 'u', 'low')
GROUP BY ALL
ORDER BY ALL

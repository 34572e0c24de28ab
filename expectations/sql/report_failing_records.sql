-- The failing rows of staging.{{ table }} that the error reports written now list (extracts in
-- the registered frame dq_report: la_code, extract_date), with dq_row_index, their position among
-- their extract's rows in file order (as staging_extract.sql and stale_rows.sql order them).
-- Positions are numbered over the few ordering columns and the rows fetched by rowid after.
WITH listed AS (
    -- the first {{ cap }} failing rows of each expectation: all the reports list
    SELECT f.la_code, f.extract_date, f.row_index
    FROM quality.failing_rows AS f
    SEMI JOIN dq_report AS p
        ON f.la_code = p.la_code AND f.extract_date = CAST(p.extract_date AS DATE)
    WHERE f.table_name = '{{ table }}'
    QUALIFY row_number() OVER (PARTITION BY f.la_code, f.extract_date, f.expectation
                               ORDER BY f.row_index) <= {{ cap }}
),
wanted AS (
    SELECT DISTINCT la_code, extract_date, row_index FROM listed
),
positioned AS (
    SELECT t.rowid AS dq_rowid, t.la_code, t.extract_date,
           row_number() OVER (PARTITION BY t.la_code, t.extract_date
                              ORDER BY t.source_file, t.row_number) - 1 AS dq_row_index
    FROM staging.{{ table }} AS t
    SEMI JOIN wanted AS w ON t.la_code = w.la_code AND t.extract_date = w.extract_date
),
picked AS (
    SELECT p.dq_rowid, p.dq_row_index
    FROM positioned AS p
    SEMI JOIN wanted AS w
        ON p.la_code = w.la_code AND p.extract_date = w.extract_date
       AND p.dq_row_index = w.row_index
)
SELECT t.*, picked.dq_row_index
FROM staging.{{ table }} AS t
JOIN picked ON t.rowid = picked.dq_rowid
ORDER BY t.la_code, t.extract_date, picked.dq_row_index

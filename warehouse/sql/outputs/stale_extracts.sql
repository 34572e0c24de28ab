-- Extracts that failed to load, and what their council's figures rest on instead: the previous
-- load of the same extract (a failed load leaves its rows in raw) or the council's latest loaded
-- extract. Messages name files and columns, never values.
WITH good AS (
    SELECT la_code, max(extract_date) AS last_good_extract
    FROM raw.extracts
    WHERE status = 'loaded'
    GROUP BY la_code
),
previous AS (
    SELECT la_code, extract_date, max(loaded_at) AS loaded_at
    FROM raw.files
    GROUP BY la_code, extract_date
)
SELECT e.la_code, e.extract_date, e.message, p.loaded_at, g.last_good_extract
FROM raw.extracts AS e
LEFT JOIN previous AS p USING (la_code, extract_date)
LEFT JOIN good AS g USING (la_code)
WHERE e.status = 'failed'
ORDER BY e.la_code, e.extract_date

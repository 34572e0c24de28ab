-- Published data-quality results for board report pages: for each page (an LA and month end),
-- those of the LA's latest extract on or before the month end, with each check's failing
-- percentage on the extract before. One query for all the pages of a run.
-- Parameters: dq_query (outputs/dq_results.sql rendered); bound: la_codes and period_ends, the
-- pages as two lists of the same length.
WITH published AS ({{ dq_query }}),
pages AS (
    SELECT unnest($la_codes::VARCHAR[]) AS la_code, unnest($period_ends::DATE[]) AS page_end
),
latest AS (
    SELECT pg.la_code, pg.page_end, max(p.extract_date) AS extract_date
    FROM pages AS pg
    JOIN published AS p ON p.la_code = pg.la_code AND p.extract_date <= pg.page_end
    GROUP BY pg.la_code, pg.page_end
),
previous AS (
    -- the extract before the latest, to tell a check that got worse
    SELECT l.la_code, l.page_end, max(p.extract_date) AS extract_date
    FROM latest AS l
    JOIN published AS p ON p.la_code = l.la_code AND p.extract_date < l.extract_date
    GROUP BY l.la_code, l.page_end
)
SELECT l.la_code, l.page_end, p.extract_date, p.table_name, p.expectation, p.severity, p.success,
    p.evaluated, p.unexpected, p.unexpected_pct, p.suppressed, b.unexpected_pct AS previous_pct
FROM latest AS l
JOIN published AS p USING (la_code, extract_date)
LEFT JOIN previous AS pv ON pv.la_code = l.la_code AND pv.page_end = l.page_end
LEFT JOIN published AS b
    ON b.la_code = l.la_code AND b.extract_date = pv.extract_date
    AND b.table_name = p.table_name AND b.expectation = p.expectation
ORDER BY l.la_code, l.page_end, p.success, p.severity, p.table_name, p.expectation

-- Published (suppressed as configured) indicator values for board report pages: for each page
-- (an LA and month end), every headline row and the breakdown rows of indicators that have no
-- headline ('all') row, over the five years up to the page's month end. One query for all the
-- pages of a run: a query per page scanned the published values once per page.
-- Parameters: values_query (outputs/indicator_values.sql rendered); bound: la_codes and
-- period_ends, the pages as two lists of the same length.
WITH published AS ({{ values_query }}),
headline_ids AS (
    SELECT DISTINCT indicator_id FROM published WHERE breakdown = 'all'
),
pages AS (
    SELECT unnest($la_codes::VARCHAR[]) AS la_code, unnest($period_ends::DATE[]) AS page_end
)
SELECT pg.la_code, pg.page_end, p.indicator_id, p.period_end, p.breakdown, p.numerator,
    p.denominator, p.value, p.suppressed
FROM pages AS pg
JOIN published AS p
    ON p.la_code = pg.la_code
    AND p.period_end <= pg.page_end
    AND p.period_end > pg.page_end - INTERVAL 5 YEAR
WHERE p.breakdown = 'all' OR p.indicator_id NOT IN (SELECT indicator_id FROM headline_ids)
ORDER BY pg.la_code, pg.page_end, p.indicator_id, p.breakdown, p.period_end

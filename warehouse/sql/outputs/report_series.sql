-- Published (suppressed as configured) indicator values of one LA for the board report: every
-- headline row and the breakdown rows of indicators that have no headline ('all') row, over the
-- five years up to the report's month end.
-- Parameters: values_query (outputs/indicator_values.sql rendered); bound: la_code, period_end.
WITH published AS ({{ values_query }}),
headline_ids AS (
    SELECT DISTINCT indicator_id FROM published WHERE breakdown = 'all'
)
SELECT indicator_id, period_end, breakdown, numerator, denominator, value, suppressed
FROM published
WHERE la_code = $la_code
    AND period_end <= $period_end
    AND period_end > $period_end - INTERVAL 5 YEAR
    AND (breakdown = 'all' OR indicator_id NOT IN (SELECT indicator_id FROM headline_ids))
ORDER BY indicator_id, breakdown, period_end

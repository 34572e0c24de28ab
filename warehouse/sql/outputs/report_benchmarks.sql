-- The published comparators for board report pages: for each page (an LA and month end) and
-- indicator, those of the latest 31 March on or before the month end: England, the council's
-- region, its statistical neighbours and its own published figure with rank and quartile.
-- Bound: la_codes and period_ends, the pages as two lists of the same length.
WITH pages AS (
    SELECT unnest($la_codes::VARCHAR[]) AS la_code, unnest($period_ends::DATE[]) AS page_end
),
years AS (
    SELECT pg.la_code, pg.page_end, c.indicator_id, max(c.period_end) AS period_end
    FROM pages AS pg
    JOIN marts.indicator_comparators AS c ON c.period_end <= pg.page_end
    GROUP BY ALL
)
SELECT y.la_code, y.page_end, y.indicator_id, y.period_end, c.geography_level,
    c.geography_name, c.value, c.suppression_marker, c.neighbours_with_value, c.rank, c.rank_of,
    c.quartile, c.definition_note
FROM years AS y
LEFT JOIN reference.councils AS k ON k.la_code = y.la_code
JOIN marts.indicator_comparators AS c
    ON c.indicator_id = y.indicator_id AND c.period_end = y.period_end
    AND (c.geography_level = 'england'
        OR (c.geography_level = 'region' AND c.geography_code = k.region_code)
        OR (c.geography_level IN ('statistical_neighbours', 'la') AND c.geography_code = y.la_code))
ORDER BY y.la_code, y.page_end, y.indicator_id, c.geography_level

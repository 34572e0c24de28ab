-- marts.indicator_comparators: the published comparators of each catalogue indicator that has a
-- DfE counterpart, one row per indicator, 31 March and geography:
--   england, region: as published;
--   la: each council's published figure, with its rank and quartile among all councils (rank 1
--       and quartile 1 = best by the indicator's polarity; for context measures, the lowest);
--       counts are not ranked (they follow the council's size);
--   statistical_neighbours (geography_code = the council whose neighbours they are): the MEDIAN
--       of the ten neighbours' published values, as the DfE's dashboard computes it; for counts
--       the SUM, left NULL when any neighbour's count is suppressed or missing.
CREATE SCHEMA IF NOT EXISTS marts;

CREATE OR REPLACE TABLE marts.indicator_comparators AS
WITH published AS (
    SELECT p.*, c.unit, c.polarity
    FROM reference.dfe_published AS p
    JOIN marts.indicator_catalogue AS c USING (indicator_id)
),
councils AS (
    SELECT p.*
    FROM published AS p
    WHERE p.geography_level = 'la' AND p.geography_code IN (SELECT la_code FROM reference.councils)
),
ranked AS (
    SELECT *,
        CASE WHEN value IS NOT NULL AND unit <> 'count' THEN rank() OVER (
            PARTITION BY indicator_id, period_end, value IS NULL
            ORDER BY CASE WHEN polarity = 'higher_better' THEN -value ELSE value END
        ) END AS rank,
        CASE WHEN unit <> 'count' THEN count(value) OVER (PARTITION BY indicator_id, period_end)
            END AS rank_of
    FROM councils
),
years AS (
    SELECT DISTINCT indicator_id, period_end, unit, source, definition_note FROM published
),
neighbour_values AS (
    SELECT sn.la_code, y.indicator_id, y.period_end, y.unit, y.source, y.definition_note,
        l.value, l.numerator, l.denominator
    FROM reference.statistical_neighbours AS sn
    CROSS JOIN years AS y
    LEFT JOIN councils AS l
        ON l.indicator_id = y.indicator_id AND l.period_end = y.period_end
        AND l.geography_code = sn.neighbour_la_code
),
neighbours AS (
    SELECT n.la_code, n.indicator_id, n.period_end, n.unit, n.source, n.definition_note,
        count(n.value) AS with_value, count(*) AS neighbours,
        median(n.value) AS median_value, sum(n.value) AS sum_value,
        sum(n.numerator) AS numerator, sum(n.denominator) AS denominator,
        count(n.numerator) AS with_numerator
    FROM neighbour_values AS n
    GROUP BY ALL
)
SELECT indicator_id, period_end, geography_level, geography_code, geography_name, value,
    numerator, denominator, suppression_marker, NULL::INTEGER AS neighbours_with_value,
    NULL::INTEGER AS rank, NULL::INTEGER AS rank_of, NULL::INTEGER AS quartile,
    source, definition_note
FROM published
WHERE geography_level IN ('england', 'region')
UNION ALL
SELECT indicator_id, period_end, 'statistical_neighbours', n.la_code,
    'Statistical neighbours of ' || c.la_name,
    CASE WHEN unit <> 'count' THEN median_value WHEN with_value = neighbours THEN sum_value END,
    CASE WHEN unit = 'count' AND with_value = neighbours THEN n.numerator END,
    NULL, NULL, with_value, NULL, NULL, NULL,
    source || ' (median of the 10 statistical neighbours, DfE 2025 model; sum for counts)',
    definition_note
FROM neighbours AS n
JOIN reference.councils AS c ON c.la_code = n.la_code
UNION ALL
SELECT indicator_id, period_end, 'la', geography_code, geography_name, value, numerator,
    denominator, suppression_marker, NULL, rank, rank_of,
    CASE WHEN rank IS NOT NULL THEN ceil(4.0 * rank / rank_of)::INTEGER END,
    source, definition_note
FROM ranked
ORDER BY indicator_id, period_end, geography_level, geography_code;

COMMENT ON TABLE marts.indicator_comparators IS
    'Published DfE comparators per indicator, 31 March and geography (england, region, '
    'statistical_neighbours = median of the council''s 10 neighbours, la = a council with its '
    'rank and quartile). From reference.dfe_published; see docs/board_report.md';
COMMENT ON COLUMN marts.indicator_comparators.geography_code IS
    'E92000001 (england), E12... (region), the council''s ONS code (la; statistical_neighbours: '
    'the council whose neighbours they are)';
COMMENT ON COLUMN marts.indicator_comparators.suppression_marker IS
    'The DfE''s suppression marker (c, z, x, k, u, low) where value is NULL for that reason';
COMMENT ON COLUMN marts.indicator_comparators.neighbours_with_value IS
    'statistical_neighbours rows: how many of the 10 neighbours have a published value';
COMMENT ON COLUMN marts.indicator_comparators.rank IS
    'la rows: rank among councils with a value, 1 = best by polarity (lowest for context)';
COMMENT ON COLUMN marts.indicator_comparators.quartile IS
    'la rows: 1 (best quarter of councils) to 4 (worst), from rank / rank_of';
COMMENT ON COLUMN marts.indicator_comparators.definition_note IS
    'How the DfE definition differs from the warehouse''s (warehouse/domain/indicators.yaml)';

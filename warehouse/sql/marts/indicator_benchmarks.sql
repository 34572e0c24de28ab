-- marts.indicator_benchmarks (view): each council's latest headline value of every indicator
-- beside the published comparators of the latest 31 March up to it: England, the council's
-- region, its statistical neighbours (median) and its own published figure, rank and quartile.
CREATE SCHEMA IF NOT EXISTS marts;

CREATE OR REPLACE VIEW marts.indicator_benchmarks AS
WITH latest AS (
    SELECT la_code, indicator_id, max(period_end) AS period_end
    FROM marts.indicator_values
    WHERE breakdown = 'all'
    GROUP BY ALL
),
own AS (
    SELECT v.la_code, v.indicator_id, v.period_end, v.value, v.numerator, v.denominator
    FROM marts.indicator_values AS v
    JOIN latest USING (la_code, indicator_id, period_end)
    WHERE v.breakdown = 'all'
),
comparator_year AS (
    SELECT o.la_code, o.indicator_id, max(c.period_end) AS comparator_period_end
    FROM own AS o
    JOIN marts.indicator_comparators AS c
        ON c.indicator_id = o.indicator_id AND c.period_end <= o.period_end
    GROUP BY ALL
),
at_year AS (
    SELECT o.*, y.comparator_period_end, k.la_name, k.region_code
    FROM own AS o
    JOIN comparator_year AS y USING (la_code, indicator_id)
    LEFT JOIN reference.councils AS k ON k.la_code = o.la_code
)
SELECT a.la_code, a.la_name, a.indicator_id, a.period_end, a.value, a.numerator, a.denominator,
    a.comparator_period_end,
    e.value AS england_value,
    a.region_code, r.geography_name AS region_name, r.value AS region_value,
    s.value AS statistical_neighbours_value, s.neighbours_with_value,
    l.value AS published_value, l.suppression_marker AS published_marker,
    l.rank, l.rank_of, l.quartile,
    coalesce(e.definition_note, l.definition_note) AS definition_note
FROM at_year AS a
LEFT JOIN marts.indicator_comparators AS e
    ON e.indicator_id = a.indicator_id AND e.period_end = a.comparator_period_end
    AND e.geography_level = 'england'
LEFT JOIN marts.indicator_comparators AS r
    ON r.indicator_id = a.indicator_id AND r.period_end = a.comparator_period_end
    AND r.geography_level = 'region' AND r.geography_code = a.region_code
LEFT JOIN marts.indicator_comparators AS s
    ON s.indicator_id = a.indicator_id AND s.period_end = a.comparator_period_end
    AND s.geography_level = 'statistical_neighbours' AND s.geography_code = a.la_code
LEFT JOIN marts.indicator_comparators AS l
    ON l.indicator_id = a.indicator_id AND l.period_end = a.comparator_period_end
    AND l.geography_level = 'la' AND l.geography_code = a.la_code;

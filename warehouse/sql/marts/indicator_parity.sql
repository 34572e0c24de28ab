-- marts.indicator_parity (view): where a council's own data covers a 31 March the DfE has
-- published, the warehouse's value beside the published one. `differs` is true when they are
-- more than 0.5 apart: the DfE rounds rates and percentages to whole numbers, so a smaller gap
-- is rounding; counts are exact, so any difference of one or more shows.
CREATE SCHEMA IF NOT EXISTS marts;

CREATE OR REPLACE VIEW marts.indicator_parity AS
SELECT v.la_code, v.indicator_id, v.period_end,
    v.value AS warehouse_value, v.numerator AS warehouse_numerator,
    v.denominator AS warehouse_denominator,
    c.value AS published_value, c.numerator AS published_numerator,
    c.denominator AS published_denominator, c.suppression_marker AS published_marker,
    v.value - c.value AS difference,
    CASE WHEN v.value IS NOT NULL AND c.value IS NOT NULL
        THEN abs(v.value - c.value) > 0.5 END AS differs,
    c.definition_note
FROM marts.indicator_values AS v
JOIN marts.indicator_comparators AS c
    ON c.geography_level = 'la' AND c.geography_code = v.la_code
    AND c.indicator_id = v.indicator_id AND c.period_end = v.period_end
WHERE v.breakdown = 'all';

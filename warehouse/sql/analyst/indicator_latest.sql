-- marts.indicator_latest: the latest period of every indicator for every LA (every breakdown at
-- that period), with the catalogue's labels and a display value rounded for the unit.
-- Built on marts.indicator_trend (create that view first).
-- Parameter: catalogue_columns (columns present in marts.indicator_catalogue).
CREATE OR REPLACE VIEW marts.indicator_latest AS
WITH latest_period AS (
    SELECT la_code, indicator_id, max(period_end) AS period_end
    FROM marts.indicator_values
    GROUP BY la_code, indicator_id
)
SELECT
    t.la_code,
    t.indicator_id,
    t.name,
    t.theme,
    t.unit,
    t.polarity,
    {% if 'frequency' in catalogue_columns %}c.frequency{% else %}CAST(NULL AS VARCHAR){% endif %}
        AS frequency,
    t.period_end,
    t.breakdown,
    t.numerator,
    t.denominator,
    t.value,
    CASE
        WHEN t.value IS NULL THEN NULL
        WHEN t.unit = 'pct' THEN format('{:.1f}%', t.value)
        WHEN t.unit = 'rate_per_10k' THEN format('{:.1f} per 10,000', t.value)
        WHEN t.unit = 'days' THEN format('{:,} days', CAST(round(t.value) AS BIGINT))
        ELSE format('{:,}', CAST(round(t.value) AS BIGINT))
    END AS value_display,
    t.previous_month_value,
    t.change_1m,
    t.change_12m
FROM marts.indicator_trend AS t
JOIN latest_period AS l
    ON l.la_code = t.la_code
    AND l.indicator_id = t.indicator_id
    AND l.period_end = t.period_end
LEFT JOIN marts.indicator_catalogue AS c
    ON c.indicator_id = t.indicator_id;

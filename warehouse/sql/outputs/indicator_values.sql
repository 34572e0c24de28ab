-- marts.indicator_values as published outside the warehouse (Parquet exports, board report).
-- Small-number suppression (on by default for anything published; never applied in the warehouse):
-- a row is suppressed when a count of children in it is between 1 and threshold - 1 (1-4 by
-- default): the numerator (unless the unit is `days`, whose numerator is a sum of days, not
-- children) or the denominator. A suppressed row keeps its keys and sets numerator, denominator
-- and value to NULL, with suppressed = true. Zero is never suppressed.
-- Parameters: suppress (bool), threshold (int).
WITH catalogue AS (
    SELECT indicator_id, unit FROM marts.indicator_catalogue
),
indicator_rows AS (
    SELECT
        CAST(v.la_code AS VARCHAR) AS la_code,
        CAST(v.indicator_id AS VARCHAR) AS indicator_id,
        CAST(v.period_end AS DATE) AS period_end,
        CAST(v.breakdown AS VARCHAR) AS breakdown,
        CAST(v.numerator AS DOUBLE) AS numerator,
        CAST(v.denominator AS DOUBLE) AS denominator,
        CAST(v.value AS DOUBLE) AS value,
        coalesce(c.unit, 'count') <> 'days' AS numerator_counts_children
    FROM marts.indicator_values AS v
    LEFT JOIN catalogue AS c USING (indicator_id)
),
flagged AS (
    SELECT
        *,
        {% if suppress %}
        coalesce(
            (numerator_counts_children AND numerator >= 1 AND numerator < {{ threshold }})
            OR (denominator >= 1 AND denominator < {{ threshold }}),
            false
        )
        {% else %}
        false
        {% endif %} AS suppressed
    FROM indicator_rows
)
SELECT
    la_code,
    indicator_id,
    period_end,
    CAST(year(period_end) AS INTEGER) AS year,
    breakdown,
    CASE WHEN suppressed THEN NULL ELSE numerator END AS numerator,
    CASE WHEN suppressed THEN NULL ELSE denominator END AS denominator,
    CASE WHEN suppressed THEN NULL ELSE value END AS value,
    suppressed
FROM flagged

-- marts.indicator_trend: every indicator value with its recent history, for analysts and charts.
-- "Previous month" is the previous calendar month end (NULL when that month has no row, and for
-- annual measures, which are dated 31 March only); "12 months ago" is the same month end a year
-- earlier; highest/lowest are over the 12 month ends ending at period_end (this one and the 11
-- before, whichever exist). Months are compared as year * 12 + month, so 28 February and 31 March
-- are one month apart whatever the day.
-- Parameter: catalogue_columns (columns present in marts.indicator_catalogue).
CREATE OR REPLACE VIEW marts.indicator_trend AS
WITH series AS (
    SELECT
        la_code,
        indicator_id,
        breakdown,
        period_end,
        year(period_end) * 12 + month(period_end) AS month_index,
        numerator,
        denominator,
        value
    FROM marts.indicator_values
),
windowed AS (
    SELECT
        *,
        max(value) OVER last_12_months AS highest_12m,
        min(value) OVER last_12_months AS lowest_12m,
        count(value) OVER last_12_months AS values_in_12m
    FROM series
    WINDOW last_12_months AS (
        PARTITION BY la_code, indicator_id, breakdown
        ORDER BY month_index
        RANGE BETWEEN 11 PRECEDING AND CURRENT ROW
    )
)
SELECT
    w.la_code,
    w.indicator_id,
    c.name,
    {% if 'theme' in catalogue_columns %}c.theme{% else %}CAST(NULL AS VARCHAR){% endif %} AS theme,
    c.unit,
    c.polarity,
    w.breakdown,
    w.period_end,
    w.month_index,
    w.numerator,
    w.denominator,
    w.value,
    previous_month.value AS previous_month_value,
    w.value - previous_month.value AS change_1m,
    year_ago.value AS value_12m_ago,
    w.value - year_ago.value AS change_12m,
    w.highest_12m,
    w.lowest_12m,
    w.values_in_12m,
    w.values_in_12m >= 2 AND w.value = w.highest_12m AS is_highest_12m,
    w.values_in_12m >= 2 AND w.value = w.lowest_12m AS is_lowest_12m
FROM windowed AS w
LEFT JOIN series AS previous_month
    ON previous_month.la_code = w.la_code
    AND previous_month.indicator_id = w.indicator_id
    AND previous_month.breakdown = w.breakdown
    AND previous_month.month_index = w.month_index - 1
LEFT JOIN series AS year_ago
    ON year_ago.la_code = w.la_code
    AND year_ago.indicator_id = w.indicator_id
    AND year_ago.breakdown = w.breakdown
    AND year_ago.month_index = w.month_index - 12
LEFT JOIN marts.indicator_catalogue AS c
    ON c.indicator_id = w.indicator_id;

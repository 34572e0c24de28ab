{#- Expected (la_code, indicator_id, period_end, breakdown) rows missing from
    marts.indicator_values for the given indicators, plus duplicated keys. A row is expected for
    every month end (annual: 31 March) from the indicator's first published month end on
    (model.coverage). -#}
WITH expected_breakdowns AS (
    SELECT * FROM (VALUES {{ expected_values }}) AS e(indicator_id, frequency, breakdown)
),

expected_rows AS (
    SELECT m.la_code, e.indicator_id, m.period_end, e.breakdown
    FROM model.month_ends AS m
    JOIN expected_breakdowns AS e
        ON e.frequency = 'monthly' OR (e.frequency = 'annual' AND month(m.period_end) = 3)
    JOIN model.coverage AS c
        ON c.la_code = m.la_code AND c.indicator_id = e.indicator_id
        AND m.period_end >= c.first_period_end
),

missing_rows AS (
    SELECT x.* FROM expected_rows AS x
    ANTI JOIN marts.indicator_values AS v
        ON v.la_code = x.la_code AND v.indicator_id = x.indicator_id
        AND v.period_end = x.period_end AND v.breakdown = x.breakdown
),

duplicate_keys AS (
    SELECT la_code, indicator_id, period_end, breakdown
    FROM marts.indicator_values
    WHERE indicator_id IN (SELECT indicator_id FROM expected_breakdowns)
    GROUP BY ALL
    HAVING count(*) > 1
)

SELECT 'missing' AS problem, count(*) AS n FROM missing_rows
UNION ALL
SELECT 'duplicate', count(*) FROM duplicate_keys

-- Entering and leaving care: cla_starts_month, cla_starts_12m, cla_ceased_month, cla_ceased_12m,
-- cla_ceased_permanence_12m_pct, sgo_granted_12m, adoptions_12m, cla_starts_residential_month_pct,
-- cla_starts_outside_la_month_pct, cla_starts_over_20_miles_month_pct (spec/indicators.md).
-- "in the month ending d" = month_start..d; "in the 12 months ending d" = window_12m_start..d.
WITH month_ends AS (
    SELECT la_code, period_end, month_start, window_12m_start FROM model.month_ends
),

starts_in_window AS (
    SELECT
        m.la_code,
        m.period_end,
        s.child,
        s.age_band,
        s.start_date >= m.month_start AS in_month,
        -- "first placement is K1, K2, R1, R2, R5 or S1"
        coalesce(s.first_place IN ('K1', 'K2', 'R1', 'R2', 'R5', 'S1'), false) AS residential,
        s.first_pl_outside_la,
        s.first_distance_miles
    FROM month_ends AS m
    JOIN model.period_starts AS s
        ON s.la_code = m.la_code
        AND s.start_date BETWEEN m.window_12m_start AND m.period_end
),

ceased_in_window AS (
    -- a period of care ends on the DEC of its last episode
    SELECT
        m.la_code,
        m.period_end,
        p.child,
        p.end_rec,
        model.reason_group(p.end_rec) AS reason_group,
        p.end_date >= m.month_start AS in_month
    FROM month_ends AS m
    JOIN model.periods_of_care AS p
        ON p.la_code = m.la_code
        AND p.end_date BETWEEN m.window_12m_start AND m.period_end
),

start_totals AS (
    SELECT
        m.la_code,
        m.period_end,
        count(s.child) FILTER (WHERE s.in_month) AS starts_month,
        count(s.child) AS starts_12m,
        count(s.child) FILTER (WHERE s.in_month AND s.residential) AS residential_month,
        count(s.child) FILTER (WHERE s.in_month AND s.first_pl_outside_la) AS outside_la_month,
        count(s.child) FILTER (WHERE s.in_month AND s.first_pl_outside_la IS NOT NULL)
            AS la_known_month,
        count(s.child) FILTER (WHERE s.in_month AND s.first_distance_miles > 20.0)
            AS over_20_miles_month,
        count(s.child) FILTER (WHERE s.in_month AND s.first_distance_miles IS NOT NULL)
            AS distance_known_month
    FROM month_ends AS m
    LEFT JOIN starts_in_window AS s ON s.la_code = m.la_code AND s.period_end = m.period_end
    GROUP BY m.la_code, m.period_end
),

ceased_totals AS (
    SELECT
        m.la_code,
        m.period_end,
        count(c.child) FILTER (WHERE c.in_month) AS ceased_month,
        count(c.child) AS ceased_12m,
        -- permanence: adoption, CAO, SGO; the denominator leaves out E15 (age assessed as 18+)
        count(c.child) FILTER (
            WHERE c.end_rec IN ('E11', 'E12', 'E41', 'E45', 'E46', 'E47', 'E48')
        ) AS permanence_12m,
        count(c.child) FILTER (WHERE c.end_rec IS DISTINCT FROM 'E15') AS ceased_not_e15_12m,
        count(c.child) FILTER (WHERE c.end_rec IN ('E45', 'E46', 'E47', 'E48')) AS sgo_12m,
        count(c.child) FILTER (WHERE c.end_rec IN ('E11', 'E12')) AS adopted_12m
    FROM month_ends AS m
    LEFT JOIN ceased_in_window AS c ON c.la_code = m.la_code AND c.period_end = m.period_end
    GROUP BY m.la_code, m.period_end
),

starts_by_age_band AS (
    SELECT
        m.la_code,
        m.period_end,
        d.value AS age_band,
        count(s.child) FILTER (WHERE s.in_month) AS starts_month,
        count(s.child) AS starts_12m
    FROM month_ends AS m
    JOIN (
        SELECT value FROM marts.indicator_dimensions WHERE dim = 'age_band'
        UNION
        SELECT DISTINCT age_band FROM model.period_starts
    ) AS d ON true
    LEFT JOIN starts_in_window AS s
        ON s.la_code = m.la_code AND s.period_end = m.period_end AND s.age_band = d.value
    GROUP BY ALL
),

ceased_by_reason AS (
    SELECT m.la_code, m.period_end, d.value AS reason_group, count(c.child) AS ceased_12m
    FROM month_ends AS m
    JOIN (
        SELECT value FROM marts.indicator_dimensions WHERE dim = 'reason_group'
        UNION
        SELECT DISTINCT model.reason_group(end_rec) FROM model.periods_of_care
        WHERE end_date IS NOT NULL
    ) AS d ON true
    LEFT JOIN ceased_in_window AS c
        ON c.la_code = m.la_code AND c.period_end = m.period_end AND c.reason_group = d.value
    GROUP BY ALL
)

SELECT la_code, 'cla_starts_month' AS indicator_id, period_end, 'all' AS breakdown,
    starts_month AS numerator, NULL AS denominator, starts_month AS value
FROM start_totals
UNION ALL
SELECT la_code, 'cla_starts_month', period_end, 'age_band=' || age_band, starts_month, NULL,
    starts_month
FROM starts_by_age_band
UNION ALL
SELECT la_code, 'cla_starts_12m', period_end, 'all', starts_12m, NULL, starts_12m
FROM start_totals
UNION ALL
SELECT la_code, 'cla_starts_12m', period_end, 'age_band=' || age_band, starts_12m, NULL,
    starts_12m
FROM starts_by_age_band
UNION ALL
SELECT la_code, 'cla_ceased_month', period_end, 'all', ceased_month, NULL, ceased_month
FROM ceased_totals
UNION ALL
SELECT la_code, 'cla_ceased_12m', period_end, 'all', ceased_12m, NULL, ceased_12m
FROM ceased_totals
UNION ALL
SELECT la_code, 'cla_ceased_12m', period_end, 'reason_group=' || reason_group, ceased_12m, NULL,
    ceased_12m
FROM ceased_by_reason
UNION ALL
SELECT la_code, 'cla_ceased_permanence_12m_pct', period_end, 'all', permanence_12m,
    ceased_not_e15_12m, model.pct(permanence_12m, ceased_not_e15_12m)
FROM ceased_totals
UNION ALL
SELECT la_code, 'sgo_granted_12m', period_end, 'all', sgo_12m, NULL, sgo_12m
FROM ceased_totals
UNION ALL
SELECT la_code, 'adoptions_12m', period_end, 'all', adopted_12m, NULL, adopted_12m
FROM ceased_totals
UNION ALL
SELECT la_code, 'cla_starts_residential_month_pct', period_end, 'all', residential_month,
    starts_month, model.pct(residential_month, starts_month)
FROM start_totals
UNION ALL
SELECT la_code, 'cla_starts_outside_la_month_pct', period_end, 'all', outside_la_month,
    la_known_month, model.pct(outside_la_month, la_known_month)
FROM start_totals
UNION ALL
SELECT la_code, 'cla_starts_over_20_miles_month_pct', period_end, 'all', over_20_miles_month,
    distance_known_month, model.pct(over_20_miles_month, distance_known_month)
FROM start_totals

-- Missing and away from placement: cla_missing_month_pct, cla_missing_repeat_month_pct,
-- cla_away_month_pct (spec/indicators.md).
WITH month_ends AS (
    SELECT la_code, period_end, month_start FROM model.month_ends
),

looked_after_in_month AS (
    -- "children looked after at any time in that month": an episode (short breaks dropped) begun
    -- by the month end and not ended before the month's first day
    SELECT DISTINCT m.la_code, m.period_end, e.child
    FROM month_ends AS m
    JOIN model.episodes AS e
        ON e.la_code = m.la_code
        AND e.decom <= m.period_end
        AND (e.dec IS NULL OR e.dec >= m.month_start)
),

incidents_in_month AS (
    -- Missing rows by the month they start in (counted per child before meeting the children
    -- looked after, which is far the larger side)
    SELECT
        mi.la_code,
        m.period_end,
        mi.child,
        count(DISTINCT mi.mis_start) FILTER (WHERE mi.missing = 'M') AS missing_incidents,
        count(DISTINCT mi.mis_start) FILTER (WHERE mi.missing = 'A') AS away_incidents
    FROM history.missing AS mi
    JOIN month_ends AS m
        ON m.la_code = mi.la_code
        AND mi.mis_start BETWEEN m.month_start AND m.period_end
    GROUP BY ALL
),

month_totals AS (
    SELECT
        m.la_code,
        m.period_end,
        count(la.child) AS looked_after_in_month,
        count(la.child) FILTER (WHERE i.missing_incidents >= 1) AS went_missing,
        count(la.child) FILTER (WHERE i.missing_incidents >= 2) AS went_missing_repeatedly,
        count(la.child) FILTER (WHERE i.away_incidents >= 1) AS went_away
    FROM month_ends AS m
    LEFT JOIN looked_after_in_month AS la
        ON la.la_code = m.la_code AND la.period_end = m.period_end
    -- incidents of children not looked after in the month do not count
    LEFT JOIN incidents_in_month AS i
        ON i.la_code = la.la_code AND i.period_end = la.period_end AND i.child = la.child
    GROUP BY m.la_code, m.period_end
)

SELECT la_code, 'cla_missing_month_pct' AS indicator_id, period_end, 'all' AS breakdown,
    went_missing AS numerator, looked_after_in_month AS denominator,
    model.pct(went_missing, looked_after_in_month) AS value
FROM month_totals
UNION ALL
SELECT la_code, 'cla_missing_repeat_month_pct', period_end, 'all', went_missing_repeatedly,
    went_missing, model.pct(went_missing_repeatedly, went_missing)
FROM month_totals
UNION ALL
SELECT la_code, 'cla_away_month_pct', period_end, 'all', went_away, looked_after_in_month,
    model.pct(went_away, looked_after_in_month)
FROM month_totals

-- Placement stability: cla_3plus_placements_12m_pct, cla_long_term_stability_pct,
-- placement_moves_month (spec/indicators.md; former NI 62 / NI 63).
WITH month_ends AS (
    SELECT la_code, period_end, month_start, window_12m_start FROM model.month_ends
),

placements_in_window AS (
    -- placements (any period of care) overlapping the 12 months ending d: begun by d and not
    -- ended before the window's first day
    SELECT c.la_code, c.period_end, c.child, count(pl.placement_seq) AS placements
    FROM model.child_month AS c
    JOIN month_ends AS m ON m.la_code = c.la_code AND m.period_end = c.period_end
    LEFT JOIN model.placements AS pl
        ON pl.la_code = c.la_code
        AND pl.child = c.child
        AND pl.start_date <= c.period_end
        AND (pl.end_date IS NULL OR pl.end_date >= m.window_12m_start)
    GROUP BY c.la_code, c.period_end, c.child
),

three_plus_by_age_band AS (
    SELECT
        m.la_code,
        m.period_end,
        d.value AS age_band,
        count(c.child) FILTER (WHERE w.placements >= 3) AS three_plus,
        count(c.child) AS looked_after
    FROM month_ends AS m
    JOIN (
        SELECT value FROM marts.indicator_dimensions WHERE dim = 'age_band'
        UNION
        SELECT DISTINCT age_band FROM model.child_month
    ) AS d ON true
    LEFT JOIN model.child_month AS c
        ON c.la_code = m.la_code AND c.period_end = m.period_end AND c.age_band = d.value
    LEFT JOIN placements_in_window AS w
        ON w.la_code = c.la_code AND w.period_end = c.period_end AND w.child = c.child
    GROUP BY ALL
),

long_term_cohort AS (
    -- denominator: looked after at d, aged under 16 at d, current period of care began at least
    -- 2 years and 6 months before d
    SELECT
        c.*,
        previous.start_date AS previous_placement_start
    FROM model.child_month AS c
    LEFT JOIN model.placements AS previous
        ON previous.la_code = c.la_code
        AND previous.child = c.child
        AND previous.period_seq = c.period_seq
        AND previous.placement_seq = c.placement_seq - 1
    WHERE c.age < 16
      AND c.period_start <= (c.period_end - INTERVAL 30 MONTH)::DATE
),

long_term_stability AS (
    SELECT
        m.la_code,
        m.period_end,
        count(c.child) AS cohort,
        -- numerator: in the same placement for at least 2 years at d, or placed for adoption
        -- (A3-A6) with the adoptive placement plus the one just before it lasting 2 years
        count(c.child) FILTER (
            WHERE c.placement_start <= (c.period_end - INTERVAL 2 YEAR)::DATE
               OR (
                   c.place IN ('A3', 'A4', 'A5', 'A6')
                   AND c.previous_placement_start <= (c.period_end - INTERVAL 2 YEAR)::DATE
               )
        ) AS stable
    FROM month_ends AS m
    LEFT JOIN long_term_cohort AS c ON c.la_code = m.la_code AND c.period_end = m.period_end
    GROUP BY m.la_code, m.period_end
),

moves_in_month AS (
    -- new placements with RNE P or B starting in the month (a return from a temporary absence
    -- never starts one), by the REASON_PLACE_CHANGE of the episode that ended
    SELECT
        m.la_code,
        m.period_end,
        coalesce(pl.ended_episode_reason, 'none') AS reason_place_change
    FROM month_ends AS m
    JOIN model.placements AS pl
        ON pl.la_code = m.la_code
        AND pl.start_date BETWEEN m.month_start AND m.period_end
    WHERE pl.is_move
),

moves_by_reason AS (
    SELECT m.la_code, m.period_end, d.value AS reason_place_change, count(mv.la_code) AS moves
    FROM month_ends AS m
    JOIN (
        SELECT value FROM marts.indicator_dimensions WHERE dim = 'reason_place_change'
        UNION
        SELECT DISTINCT coalesce(ended_episode_reason, 'none') FROM model.placements
        WHERE is_move
    ) AS d ON true
    LEFT JOIN moves_in_month AS mv
        ON mv.la_code = m.la_code AND mv.period_end = m.period_end
        AND mv.reason_place_change = d.value
    GROUP BY ALL
)

SELECT la_code, 'cla_3plus_placements_12m_pct' AS indicator_id, period_end, 'all' AS breakdown,
    sum(three_plus) AS numerator, sum(looked_after) AS denominator,
    model.pct(sum(three_plus), sum(looked_after)) AS value
FROM three_plus_by_age_band
GROUP BY la_code, period_end
UNION ALL
SELECT la_code, 'cla_3plus_placements_12m_pct', period_end, 'age_band=' || age_band, three_plus,
    looked_after, model.pct(three_plus, looked_after)
FROM three_plus_by_age_band
UNION ALL
SELECT la_code, 'cla_long_term_stability_pct', period_end, 'all', stable, cohort,
    model.pct(stable, cohort)
FROM long_term_stability
UNION ALL
SELECT la_code, 'placement_moves_month', period_end, 'all', sum(moves), NULL, sum(moves)
FROM moves_by_reason
GROUP BY la_code, period_end
UNION ALL
SELECT la_code, 'placement_moves_month', period_end, 'reason_place_change=' || reason_place_change,
    moves, NULL, moves
FROM moves_by_reason

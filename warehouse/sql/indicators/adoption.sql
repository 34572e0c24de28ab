-- Adoption: children_placed_for_adoption_count, children_waiting_adoption_count,
-- adoption_a10_avg_days_12m (spec/indicators.md; adoption scorecard A10).
WITH month_ends AS (
    SELECT la_code, period_end, window_12m_start FROM model.month_ends
),

waiting_children AS (
    -- looked after at d with a PlacedAdoption record in force at d, not in placement A3-A6
    SELECT DISTINCT c.la_code, c.period_end, c.child
    FROM model.child_month AS c
    JOIN history.placed_adoption AS pa
        ON pa.la_code = c.la_code
        AND pa.child = c.child
        AND pa.date_placed <= c.period_end
        AND (pa.date_placed_ceased IS NULL OR pa.date_placed_ceased > c.period_end)
    WHERE c.place IS NULL OR c.place NOT IN ('A3', 'A4', 'A5', 'A6')
),

adopted_periods AS (
    -- periods of care ended by adoption (REC E11, E12) whose start is in the data: for a period
    -- that began before the data the days from its start are not known
    SELECT p.*
    FROM model.periods_of_care AS p
    WHERE p.end_rec IN ('E11', 'E12')
      AND p.start_observed
),

first_adoptive_episodes AS (
    -- the period's first A3-A6 episode
    SELECT a.la_code, a.child, a.period_seq, min(e.episode_seq) AS episode_seq
    FROM adopted_periods AS a
    JOIN model.episodes AS e
        ON e.la_code = a.la_code
        AND e.child = a.child
        AND e.episode_seq BETWEEN a.first_episode_seq AND a.last_episode_seq
        AND e.place IN ('A3', 'A4', 'A5', 'A6')
    GROUP BY ALL
),

moved_in_with_adopters AS (
    -- the DECOM of the first A3-A6 placement; when AD1.FOSTER_CARE = 1 (adopted by the foster
    -- carers) the start of the placement with those carers, i.e. of the placement the adoptive
    -- episode belongs to (T/U changes keep the carer's placement)
    SELECT
        a.la_code,
        a.child,
        a.start_date,
        a.end_date,
        CASE
            WHEN ad1.foster_care = '1' THEN pl.start_date
            ELSE e.decom
        END AS moved_in
    FROM adopted_periods AS a
    JOIN first_adoptive_episodes AS f
        ON f.la_code = a.la_code AND f.child = a.child AND f.period_seq = a.period_seq
    JOIN model.episodes AS e
        ON e.la_code = f.la_code AND e.child = f.child AND e.episode_seq = f.episode_seq
    LEFT JOIN model.placements AS pl
        ON pl.la_code = f.la_code
        AND pl.child = f.child
        AND pl.period_seq = f.period_seq
        AND f.episode_seq BETWEEN pl.first_episode_seq AND pl.last_episode_seq
    LEFT JOIN history.ad1 AS ad1 ON ad1.la_code = a.la_code AND ad1.child = a.child
),

month_totals AS (
    SELECT
        m.la_code,
        m.period_end,
        (
            SELECT count(*) FROM model.child_month AS c
            WHERE c.la_code = m.la_code AND c.period_end = m.period_end
              AND c.place IN ('A3', 'A4', 'A5', 'A6')
        ) AS placed_for_adoption,
        (
            SELECT count(*) FROM waiting_children AS w
            WHERE w.la_code = m.la_code AND w.period_end = m.period_end
        ) AS waiting,
        (
            SELECT sum(date_diff('day', mi.start_date, mi.moved_in)) FROM moved_in_with_adopters AS mi
            WHERE mi.la_code = m.la_code
              AND mi.end_date BETWEEN m.window_12m_start AND m.period_end
        ) AS days_to_move_in,
        (
            SELECT count(*) FROM moved_in_with_adopters AS mi
            WHERE mi.la_code = m.la_code
              AND mi.end_date BETWEEN m.window_12m_start AND m.period_end
        ) AS adopted
    FROM month_ends AS m
)

SELECT la_code, 'children_placed_for_adoption_count' AS indicator_id, period_end,
    'all' AS breakdown, placed_for_adoption AS numerator, NULL AS denominator,
    placed_for_adoption AS value
FROM month_totals
UNION ALL
SELECT la_code, 'children_waiting_adoption_count', period_end, 'all', waiting, NULL, waiting
FROM month_totals
UNION ALL
-- an average: sum of days over the number of children adopted; NULL when none were
SELECT la_code, 'adoption_a10_avg_days_12m', period_end, 'all', coalesce(days_to_move_in, 0),
    adopted, CASE WHEN adopted > 0 THEN days_to_move_in / adopted END
FROM month_totals

-- Social worker changes: cla_sw_3plus_12m_pct (spec/indicators.md). SWEpisodes are in returns
-- from 2023/24 only: model.coverage publishes it once its 12 months are covered by them.
WITH month_ends AS (
    SELECT la_code, period_end, window_12m_start FROM model.month_ends
),

social_workers_in_window AS (
    -- distinct SW_ID whose SWEpisodes overlap the 12 months ending d
    SELECT c.la_code, c.period_end, c.child, count(DISTINCT sw.sw_id) AS social_workers
    FROM model.child_month AS c
    JOIN month_ends AS m ON m.la_code = c.la_code AND m.period_end = c.period_end
    LEFT JOIN history.sw_episodes AS sw
        ON sw.la_code = c.la_code
        AND sw.child = c.child
        AND sw.sw_decom <= c.period_end
        AND (sw.sw_dec IS NULL OR sw.sw_dec >= m.window_12m_start)
    GROUP BY c.la_code, c.period_end, c.child
),

month_totals AS (
    SELECT
        m.la_code,
        m.period_end,
        count(s.child) FILTER (WHERE s.social_workers >= 3) AS three_plus,
        count(s.child) AS looked_after
    FROM month_ends AS m
    LEFT JOIN social_workers_in_window AS s
        ON s.la_code = m.la_code AND s.period_end = m.period_end
    GROUP BY m.la_code, m.period_end
)

SELECT la_code, 'cla_sw_3plus_12m_pct' AS indicator_id, period_end, 'all' AS breakdown,
    three_plus AS numerator, looked_after AS denominator,
    model.pct(three_plus, looked_after) AS value
FROM month_totals

-- Data-quality measures (spec/indicators.md "Data-quality measures"), monthly like the others.
WITH month_ends AS (
    SELECT la_code, period_end, month_start, window_12m_start FROM model.month_ends
),

starts_postcodes AS (
    -- starts in the month whose first placement (or, with none yet, first episode) has HOME_POST
    -- or PL_POST blank or not found in the postcode directory
    SELECT
        m.la_code,
        m.period_end,
        count(s.child) AS starts,
        count(s.child) FILTER (
            WHERE NOT coalesce(s.home_postcode_found, false)
               OR NOT coalesce(s.pl_postcode_found, false)
        ) AS no_postcode
    FROM month_ends AS m
    LEFT JOIN model.period_starts AS s
        ON s.la_code = m.la_code AND s.start_date BETWEEN m.month_start AND m.period_end
    GROUP BY m.la_code, m.period_end
),

cla_postcodes AS (
    SELECT
        m.la_code,
        m.period_end,
        count(c.child) AS looked_after,
        count(c.child) FILTER (
            WHERE NOT coalesce(c.home_postcode_found, false)
               OR NOT coalesce(c.pl_postcode_found, false)
        ) AS no_postcode,
        -- not placed with parents (P1), both postcodes recorded
        count(c.child) FILTER (
            WHERE c.place IS DISTINCT FROM 'P1'
              AND c.home_pcd IS NOT NULL AND c.pl_pcd IS NOT NULL
        ) AS both_postcodes_not_p1,
        count(c.child) FILTER (
            WHERE c.place IS DISTINCT FROM 'P1'
              AND c.home_pcd IS NOT NULL AND c.pl_pcd IS NOT NULL
              AND c.home_pcd = c.pl_pcd
        ) AS home_equals_placement
    FROM month_ends AS m
    LEFT JOIN model.child_month AS c ON c.la_code = m.la_code AND c.period_end = m.period_end
    GROUP BY m.la_code, m.period_end
),

episode_changes AS (
    -- placement changes (903 rule 225): an episode ending X1, the next RNE P, B, T or U, neither
    -- placement T0-T4; dated on the day the next episode begins
    SELECT
        e.la_code,
        e.child,
        e.reason_place_change,
        lead(e.decom) OVER child_order AS changed_on,
        lead(e.rne) OVER child_order AS next_rne,
        lead(e.is_temporary) OVER child_order AS next_is_temporary,
        e.rec,
        e.is_temporary
    FROM model.episodes AS e
    WINDOW child_order AS (PARTITION BY e.la_code, e.child ORDER BY e.episode_seq)
),

placement_changes AS (
    SELECT *
    FROM episode_changes
    WHERE rec = 'X1'
      AND next_rne IN ('P', 'B', 'T', 'U')
      AND NOT is_temporary
      AND NOT next_is_temporary
),

change_reasons AS (
    SELECT
        m.la_code,
        m.period_end,
        count(c.child) AS changes,
        count(c.child) FILTER (WHERE c.reason_place_change IS NULL) AS no_reason,
        count(c.child) FILTER (WHERE c.reason_place_change IS NOT NULL) AS with_reason,
        count(c.child) FILTER (WHERE c.reason_place_change = 'OTHER') AS reason_other
    FROM month_ends AS m
    LEFT JOIN placement_changes AS c
        ON c.la_code = m.la_code AND c.changed_on BETWEEN m.month_start AND m.period_end
    GROUP BY m.la_code, m.period_end
),

ceased_reasons AS (
    SELECT
        m.la_code,
        m.period_end,
        count(p.child) AS ceased,
        count(p.child) FILTER (WHERE p.end_rec = 'E8') AS ceased_e8
    FROM month_ends AS m
    LEFT JOIN model.periods_of_care AS p
        ON p.la_code = m.la_code AND p.end_date BETWEEN m.window_12m_start AND m.period_end
    GROUP BY m.la_code, m.period_end
)

SELECT la_code, 'dq_starts_no_postcode_month_pct' AS indicator_id, period_end,
    'all' AS breakdown, no_postcode AS numerator, starts AS denominator,
    model.pct(no_postcode, starts) AS value
FROM starts_postcodes
UNION ALL
SELECT la_code, 'dq_cla_no_postcode_pct', period_end, 'all', no_postcode, looked_after,
    model.pct(no_postcode, looked_after)
FROM cla_postcodes
UNION ALL
SELECT la_code, 'dq_moves_no_reason_month_pct', period_end, 'all', no_reason, changes,
    model.pct(no_reason, changes)
FROM change_reasons
UNION ALL
SELECT la_code, 'dq_moves_reason_other_month_pct', period_end, 'all', reason_other, with_reason,
    model.pct(reason_other, with_reason)
FROM change_reasons
UNION ALL
SELECT la_code, 'dq_ceased_reason_e8_12m_pct', period_end, 'all', ceased_e8, ceased,
    model.pct(ceased_e8, ceased)
FROM ceased_reasons
UNION ALL
SELECT la_code, 'dq_home_equals_placement_postcode_pct', period_end, 'all', home_equals_placement,
    both_postcodes_not_p1, model.pct(home_equals_placement, both_postcodes_not_p1)
FROM cla_postcodes

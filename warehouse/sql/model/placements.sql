-- model.placements: one row per placement within a period of care (spec/indicators.md
-- "Placement"). first/last_episode_seq bound the placement's episodes: its non-temporary episodes
-- are those of the child with episode_seq in that range (temporary absences inside are not).
CREATE OR REPLACE TABLE model.placements AS
WITH episodes_in_periods AS (
    SELECT
        e.la_code,
        e.child,
        e.episode_seq,
        e.decom,
        e.rne,
        e.place,
        e.pl_pcd,
        e.is_temporary,
        e.reason_place_change,
        p.period_seq,
        p.start_observed AS period_start_observed,
        p.end_date AS period_end_date
    FROM model.episodes AS e
    JOIN model.periods_of_care AS p
        ON p.la_code = e.la_code
        AND p.child = e.child
        AND e.episode_seq BETWEEN p.first_episode_seq AND p.last_episode_seq
),

episodes_with_context AS (
    SELECT
        *,
        lag(is_temporary) OVER episode_order AS follows_temporary_absence,
        -- the REASON_PLACE_CHANGE of the episode that ended when this one began
        lag(reason_place_change) OVER episode_order AS ended_episode_reason,
        -- the last non-temporary episode before this one: the placement the child was in
        max(CASE WHEN NOT is_temporary THEN episode_seq END) OVER (
            PARTITION BY la_code, child, period_seq ORDER BY episode_seq
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS placement_left_episode_seq
    FROM episodes_in_periods
    WINDOW episode_order AS (PARTITION BY la_code, child, period_seq ORDER BY episode_seq)
),

placement_starts AS (
    SELECT
        c.*,
        -- T0-T4: "when the child returns to the placement they left it does not start a new one";
        -- the same placement = same PLACE and same placement postcode as the one left
        (
            coalesce(c.follows_temporary_absence, false)
            AND c.place IS NOT DISTINCT FROM placement_left.place
            AND c.pl_pcd IS NOT DISTINCT FROM placement_left.pl_pcd
        ) AS returns_from_temporary_absence,
        -- a new placement begins at RNE S, P or B; L (legal status only), T and U (same carer)
        -- continue the current one. The period's first non-temporary episode always begins one.
        (
            c.placement_left_episode_seq IS NULL
            OR (
                c.rne IN ('S', 'P', 'B')
                AND NOT (
                    coalesce(c.follows_temporary_absence, false)
                    AND c.place IS NOT DISTINCT FROM placement_left.place
                    AND c.pl_pcd IS NOT DISTINCT FROM placement_left.pl_pcd
                )
            )
        ) AS starts_placement
    FROM episodes_with_context AS c
    LEFT JOIN model.episodes AS placement_left
        ON placement_left.la_code = c.la_code
        AND placement_left.child = c.child
        AND placement_left.episode_seq = c.placement_left_episode_seq
    -- "An episode with PLACE in (T0, T1, T2, T3, T4) is a temporary absence: it is not a placement"
    WHERE NOT c.is_temporary
),

placement_episodes AS (
    SELECT
        *,
        sum(starts_placement::INTEGER) OVER (
            PARTITION BY la_code, child, period_seq ORDER BY episode_seq
        )::INTEGER AS placement_seq
    FROM placement_starts
),

placements_grouped AS (
    SELECT
        la_code,
        child,
        period_seq,
        placement_seq,
        min(episode_seq) AS first_episode_seq,
        max(episode_seq) AS last_episode_seq,
        min(decom) AS start_date,
        arg_min_null(rne, episode_seq) AS start_rne,
        arg_min_null(place, episode_seq) AS first_place,
        arg_min_null(ended_episode_reason, episode_seq) AS ended_episode_reason,
        any_value(period_start_observed) AS period_start_observed,
        any_value(period_end_date) AS period_end_date,
        count(*) AS episodes
    FROM placement_episodes
    GROUP BY ALL
)

SELECT
    la_code,
    child,
    period_seq,
    placement_seq,
    first_episode_seq,
    last_episode_seq,
    start_date,
    -- a placement lasts until the next one in the period begins (temporary absences from it
    -- included), else until the period ends (NULL while open)
    coalesce(
        lead(start_date) OVER (PARTITION BY la_code, child, period_seq ORDER BY placement_seq),
        period_end_date
    ) AS end_date,
    start_rne,
    first_place,
    -- the first placement of a period that began before the data: the placement before it (the
    -- one a child on a temporary absence T0-T4 left, say) is not in the data
    placement_seq = 1 AND NOT period_start_observed AS follows_placement_not_in_data,
    -- placement_moves_month: a new placement with RNE P or B (returns never start one), unless
    -- whether it is a move at all is not known
    coalesce(start_rne IN ('P', 'B'), false)
        AND NOT (placement_seq = 1 AND NOT period_start_observed) AS is_move,
    ended_episode_reason,
    episodes
FROM placements_grouped;

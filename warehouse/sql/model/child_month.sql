-- model.child_month: one row per child looked after at each month end d of its LA, with the
-- child's state at d (spec/indicators.md "Shared rules").
CREATE OR REPLACE TABLE model.child_month AS
WITH episodes_until_next AS (
    -- Overlapping episodes: the later one stands. An episode counts only until the next one
    -- begins (episodes are numbered in DECOM order), as history rule H5 ends it, so at most one
    -- episode of a child is current at any d; on repaired history this is the same as ranking
    -- the episodes current at each month end, without ranking 1.5M rows on a regional hub.
    SELECT
        la_code,
        child,
        episode_seq,
        ls,
        decom,
        dec,
        lead(decom) OVER (PARTITION BY la_code, child ORDER BY episode_seq) AS next_decom
    FROM model.episodes
),

looked_after_episodes AS (
    -- "Looked after at the end of day d": DECOM <= d and (DEC blank or DEC > d); a child who
    -- ceased on d is not looked after at d.
    SELECT
        m.la_code,
        m.period_end,
        e.child,
        e.episode_seq,
        e.ls
    FROM model.month_ends AS m
    JOIN episodes_until_next AS e
        ON e.la_code = m.la_code
        AND e.decom <= m.period_end
        AND (e.dec IS NULL OR e.dec > m.period_end)
        AND (e.next_decom IS NULL OR e.next_decom > m.period_end)
),

episode_state AS (
    -- While episode k is a child's current one, its period, placement and the episode whose
    -- placement details apply depend only on k, so they are found once per episode rather than
    -- once per child and month end. Episodes are numbered in DECOM order and history ends each
    -- one where the next begins (rule H5): the episodes of k's placement begun by any d at
    -- which k is current are exactly those numbered up to k.
    SELECT
        e.la_code,
        e.child,
        e.episode_seq,
        p.period_seq,
        p.start_date AS period_start,
        p.start_observed AS period_start_observed,
        pl.placement_seq,
        pl.start_date AS placement_start,
        pl.first_episode_seq AS placement_first_episode_seq,
        least(pl.last_episode_seq, e.episode_seq) AS placement_details_upto
    FROM model.episodes AS e
    JOIN model.periods_of_care AS p
        ON p.la_code = e.la_code
        AND p.child = e.child
        AND e.episode_seq BETWEEN p.first_episode_seq AND p.last_episode_seq
    -- the latest placement of the period begun by the episode (a child on a temporary absence
    -- is still in the placement they left); placement_seq rises with first_episode_seq
    ASOF LEFT JOIN model.placements AS pl
        ON pl.la_code = e.la_code
        AND pl.child = e.child
        AND pl.period_seq = p.period_seq
        AND pl.first_episode_seq <= e.episode_seq
),

episode_details AS (
    -- "A placement's type, provider and postcode are those of its latest episode on or before d"
    -- (temporary absences are not placements); a period with no placement yet (temporary
    -- episodes only) takes the current episode's postcodes
    SELECT
        s.*,
        CASE
            WHEN s.placement_seq IS NULL THEN s.episode_seq
            WHEN n.episode_seq >= s.placement_first_episode_seq THEN n.episode_seq
        END AS details_episode_seq
    FROM episode_state AS s
    ASOF LEFT JOIN (
        SELECT la_code, child, episode_seq FROM model.episodes WHERE NOT is_temporary
    ) AS n
        ON n.la_code = s.la_code
        AND n.child = s.child
        AND n.episode_seq <= s.placement_details_upto
),

placement_details AS (
    SELECT
        la.*,
        d.period_seq,
        d.period_start,
        d.period_start_observed,
        d.placement_seq,
        d.placement_start,
        d.details_episode_seq
    FROM looked_after_episodes AS la
    JOIN episode_details AS d
        ON d.la_code = la.la_code AND d.child = la.child AND d.episode_seq = la.episode_seq
),

uasc_status AS (
    -- UASC at d: a UASC record whose status had not ceased (DUC blank or after d), i.e. one
    -- open-ended record, or a latest DUC after d
    SELECT la_code, child, bool_or(duc IS NULL) AS open_ended, max(duc) AS last_duc
    FROM history.uasc
    GROUP BY la_code, child
)

SELECT
    pd.la_code,
    pd.period_end,
    pd.child,
    pd.episode_seq,
    pd.period_seq,
    pd.period_start,
    pd.period_start_observed,
    pd.placement_seq,
    pd.placement_start,
    h.dob,
    model.age_in_years(h.dob, pd.period_end) AS age,
    model.age_band(model.age_in_years(h.dob, pd.period_end)) AS age_band,
    model.sex_group(h.sex) AS sex,
    model.ethnicity_group(h.ethnic) AS ethnicity_group,
    pd.ls,
    model.legal_status_group(pd.ls) AS legal_status,
    CASE WHEN pd.placement_seq IS NOT NULL THEN e.place END AS place,
    CASE WHEN pd.placement_seq IS NOT NULL THEN e.place_provider END AS place_provider,
    model.placement_group(CASE WHEN pd.placement_seq IS NOT NULL THEN e.place END)
        AS placement_group,
    e.home_pcd,
    e.pl_pcd,
    e.home_postcode_found,
    e.pl_postcode_found,
    e.distance_miles,
    e.pl_utla,
    e.pl_outside_la,
    CASE WHEN u.open_ended OR u.last_duc > pd.period_end THEN 'Y' ELSE 'N' END AS uasc
FROM placement_details AS pd
LEFT JOIN model.episodes AS e
    ON e.la_code = pd.la_code AND e.child = pd.child AND e.episode_seq = pd.details_episode_seq
LEFT JOIN history.header AS h ON h.la_code = pd.la_code AND h.child = pd.child
LEFT JOIN uasc_status AS u ON u.la_code = pd.la_code AND u.child = pd.child;

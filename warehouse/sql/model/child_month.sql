-- model.child_month: one row per child looked after at each month end d of its LA, with the
-- child's state at d (spec/indicators.md "Shared rules").
CREATE OR REPLACE TABLE model.child_month AS
WITH looked_after_episodes AS (
    -- "Looked after at the end of day d": DECOM <= d and (DEC blank or DEC > d); a child who
    -- ceased on d is not looked after at d. Overlapping episodes: the later one stands.
    SELECT
        m.la_code,
        m.period_end,
        e.child,
        e.episode_seq,
        e.ls
    FROM model.month_ends AS m
    JOIN model.episodes AS e
        ON e.la_code = m.la_code
        AND e.decom <= m.period_end
        AND (e.dec IS NULL OR e.dec > m.period_end)
    QUALIFY row_number() OVER (
        PARTITION BY m.la_code, m.period_end, e.child ORDER BY e.episode_seq DESC
    ) = 1
),

current_periods AS (
    SELECT
        la.*,
        p.period_seq,
        p.start_date AS period_start,
        p.start_observed AS period_start_observed
    FROM looked_after_episodes AS la
    JOIN model.periods_of_care AS p
        ON p.la_code = la.la_code
        AND p.child = la.child
        AND la.episode_seq BETWEEN p.first_episode_seq AND p.last_episode_seq
),

current_placements AS (
    -- the latest placement of the period begun by the current episode (a child on a temporary
    -- absence is still in the placement they left)
    SELECT
        cp.*,
        pl.placement_seq,
        pl.start_date AS placement_start,
        pl.first_episode_seq AS placement_first_episode_seq,
        pl.last_episode_seq AS placement_last_episode_seq
    FROM current_periods AS cp
    LEFT JOIN model.placements AS pl
        ON pl.la_code = cp.la_code
        AND pl.child = cp.child
        AND pl.period_seq = cp.period_seq
        AND pl.first_episode_seq <= cp.episode_seq
    QUALIFY row_number() OVER (
        PARTITION BY cp.la_code, cp.period_end, cp.child ORDER BY pl.placement_seq DESC NULLS LAST
    ) = 1
),

placement_details AS (
    -- "A placement's type, provider and postcode are those of its latest episode on or before d";
    -- a period with no placement yet (temporary episodes only) takes the current episode's postcodes
    SELECT
        cp.*,
        e.episode_seq AS details_episode_seq
    FROM current_placements AS cp
    LEFT JOIN model.episodes AS e
        ON e.la_code = cp.la_code
        AND e.child = cp.child
        AND (
            (
                cp.placement_seq IS NOT NULL
                AND e.episode_seq BETWEEN cp.placement_first_episode_seq
                    AND cp.placement_last_episode_seq
                AND NOT e.is_temporary
                AND e.decom <= cp.period_end
            )
            OR (cp.placement_seq IS NULL AND e.episode_seq = cp.episode_seq)
        )
    QUALIFY row_number() OVER (
        PARTITION BY cp.la_code, cp.period_end, cp.child ORDER BY e.episode_seq DESC NULLS LAST
    ) = 1
),

uasc_status AS (
    -- UASC at d: a UASC record whose status had not ceased (DUC blank or after d)
    SELECT DISTINCT la_code, child, duc
    FROM history.uasc
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
    CASE
        WHEN EXISTS (
            SELECT 1 FROM uasc_status AS u
            WHERE u.la_code = pd.la_code AND u.child = pd.child
              AND (u.duc IS NULL OR u.duc > pd.period_end)
        ) THEN 'Y'
        ELSE 'N'
    END AS uasc
FROM placement_details AS pd
LEFT JOIN model.episodes AS e
    ON e.la_code = pd.la_code AND e.child = pd.child AND e.episode_seq = pd.details_episode_seq
LEFT JOIN history.header AS h ON h.la_code = pd.la_code AND h.child = pd.child;

-- model.period_starts: one row per period of care whose start is in the data (its first episode
-- has RNE = S), with its first placement as it stood at the end of the month the period started
-- (spec/indicators.md: "A placement's type, provider and postcode are those of its latest episode
-- on or before d", d = that month end). Feeds the *_month measures about entrants.
CREATE OR REPLACE TABLE model.period_starts AS
WITH observed_starts AS (
    -- "Period of care. Starts at an episode with RNE = S": a period whose first episode in the
    -- data is not an S began before the data and is not counted as a start
    SELECT
        p.*,
        last_day(p.start_date) AS start_month_end,
        h.dob
    FROM model.periods_of_care AS p
    LEFT JOIN history.header AS h ON h.la_code = p.la_code AND h.child = p.child
    WHERE p.start_observed
),

first_placements AS (
    -- the period's first placement, if it had begun by the end of the start month
    SELECT
        s.*,
        pl.placement_seq,
        pl.first_episode_seq AS placement_first_episode_seq,
        pl.last_episode_seq AS placement_last_episode_seq
    FROM observed_starts AS s
    LEFT JOIN model.placements AS pl
        ON pl.la_code = s.la_code
        AND pl.child = s.child
        AND pl.period_seq = s.period_seq
        AND pl.placement_seq = 1
        AND pl.start_date <= s.start_month_end
),

first_placement_details AS (
    -- its latest episode on or before the month end; without a placement yet, the period's first
    -- episode (for its postcodes only)
    SELECT
        fp.*,
        e.episode_seq AS details_episode_seq
    FROM first_placements AS fp
    LEFT JOIN model.episodes AS e
        ON e.la_code = fp.la_code
        AND e.child = fp.child
        AND (
            (
                fp.placement_seq IS NOT NULL
                AND e.episode_seq BETWEEN fp.placement_first_episode_seq
                    AND fp.placement_last_episode_seq
                AND NOT e.is_temporary
                AND e.decom <= fp.start_month_end
            )
            OR (fp.placement_seq IS NULL AND e.episode_seq = fp.first_episode_seq)
        )
    QUALIFY row_number() OVER (
        PARTITION BY fp.la_code, fp.child, fp.period_seq ORDER BY e.episode_seq DESC NULLS LAST
    ) = 1
)

SELECT
    d.la_code,
    d.child,
    d.period_seq,
    d.start_date,
    d.start_month_end,
    model.age_in_years(d.dob, d.start_date) AS age_at_start,
    model.age_band(model.age_in_years(d.dob, d.start_date)) AS age_band,
    d.placement_seq IS NOT NULL AS has_placement,
    CASE WHEN d.placement_seq IS NOT NULL THEN e.place END AS first_place,
    CASE WHEN d.placement_seq IS NOT NULL THEN e.pl_outside_la END AS first_pl_outside_la,
    CASE WHEN d.placement_seq IS NOT NULL THEN e.distance_miles END AS first_distance_miles,
    e.home_pcd,
    e.pl_pcd,
    e.home_postcode_found,
    e.pl_postcode_found
FROM first_placement_details AS d
LEFT JOIN model.episodes AS e
    ON e.la_code = d.la_code AND e.child = d.child AND e.episode_seq = d.details_episode_seq;

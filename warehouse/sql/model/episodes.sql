-- model.episodes: the 903 episodes every measure is built from, one row per episode, in order per
-- child, with the placement postcodes looked up in the ONS Postcode Directory.
-- Rules: spec/indicators.md "Shared rules".
CREATE SCHEMA IF NOT EXISTS model;

CREATE OR REPLACE TABLE model.episodes AS
WITH episodes_without_short_breaks AS (
    -- "Short breaks are out": LS V3/V4 episodes are dropped before anything else
    SELECT *
    FROM history.episodes
    WHERE decom IS NOT NULL
      AND coalesce(ls, '') NOT IN ('V3', 'V4')
),

episodes_normalised AS (
    -- "Distance and location": postcodes upper case with inner spaces removed; blank = unknown
    SELECT
        la_code,
        child,
        decom,
        dec,
        rne,
        ls,
        cin,
        place,
        place_provider,
        rec,
        nullif(trim(reason_place_change), '') AS reason_place_change,
        nullif(upper(replace(home_post, ' ', '')), '') AS home_pcd,
        nullif(upper(replace(pl_post, ' ', '')), '') AS pl_pcd,
        urn,
        extract_date,
        -- "Placement": T0-T4 is a temporary absence, not a placement
        coalesce(place IN ('T0', 'T1', 'T2', 'T3', 'T4'), false) AS is_temporary,
        row_number() OVER (
            PARTITION BY la_code, child ORDER BY decom, dec NULLS LAST
        ) AS episode_seq
    FROM episodes_without_short_breaks
),

used_postcodes AS (
    -- the directory's rows for the postcodes the episodes use: one pass over its 2.7M rows
    -- instead of a hash table of all of them per lookup
    SELECT p.*
    FROM reference.postcodes AS p
    SEMI JOIN (
        SELECT home_pcd AS pcd_abbr FROM episodes_normalised
        UNION
        SELECT pl_pcd FROM episodes_normalised
    ) AS used ON used.pcd_abbr = p.pcd_abbr
),

home_la AS (
    -- the extract's LA as an upper-tier code of today (an old code such as Barnsley E08000016
    -- maps to its successor)
    SELECT DISTINCT e.la_code, coalesce(lut.utla_code, e.la_code) AS la_utla
    FROM episodes_normalised AS e
    LEFT JOIN reference.la_upper_tier AS lut ON lut.ltla_code = e.la_code
)

SELECT
    e.*,
    home.pcd_abbr IS NOT NULL AS home_postcode_found,
    placed.pcd_abbr IS NOT NULL AS pl_postcode_found,
    home.oseast1m AS home_easting,
    home.osnrth1m AS home_northing,
    placed.oseast1m AS pl_easting,
    placed.osnrth1m AS pl_northing,
    placed.laua AS pl_laua,
    -- the placement's upper-tier LA (district -> county); unknown if blank or not found
    coalesce(placed_lut.utla_code, placed.laua) AS pl_utla,
    -- "outside the LA": the placement's upper-tier code differs from the extract's LA code
    CASE
        WHEN placed.laua IS NOT NULL THEN coalesce(placed_lut.utla_code, placed.laua) <> h.la_utla
    END AS pl_outside_la,
    -- DfE distance: round(sqrt(dE^2 + dN^2) / 1000 / 1.6093, 1) miles; unknown when either
    -- postcode is blank, not found, has no grid reference, or is in Northern Ireland (Irish grid)
    CASE
        WHEN coalesce(home.laua, '') NOT LIKE 'N%' AND coalesce(placed.laua, '') NOT LIKE 'N%'
        THEN round(
            sqrt(
                power(home.oseast1m - placed.oseast1m, 2)
                + power(home.osnrth1m - placed.osnrth1m, 2)
            ) / 1000 / 1.6093,
            1
        )
    END AS distance_miles
FROM episodes_normalised AS e
JOIN home_la AS h ON h.la_code = e.la_code
LEFT JOIN used_postcodes AS home ON home.pcd_abbr = e.home_pcd
LEFT JOIN used_postcodes AS placed ON placed.pcd_abbr = e.pl_pcd
LEFT JOIN reference.la_upper_tier AS placed_lut ON placed_lut.ltla_code = placed.laua;

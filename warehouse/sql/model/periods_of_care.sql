-- model.periods_of_care: one row per period of care (spec/indicators.md "Period of care").
CREATE OR REPLACE TABLE model.periods_of_care AS
WITH episodes_with_previous AS (
    SELECT
        *,
        lag(rec) OVER (PARTITION BY la_code, child ORDER BY episode_seq) AS previous_rec
    FROM model.episodes
),

period_starts AS (
    -- "Period of care": starts at an episode with RNE = S; continues through episodes that follow
    -- an episode ending with REC = X1. A child's first episode in the data always opens a period
    -- (when its RNE is not S the period began before the data: start_observed = false).
    SELECT
        *,
        (rne = 'S' OR previous_rec IS DISTINCT FROM 'X1') AS starts_period
    FROM episodes_with_previous
),

episodes_in_periods AS (
    SELECT
        *,
        sum(starts_period::INTEGER) OVER (
            PARTITION BY la_code, child ORDER BY episode_seq
        )::INTEGER AS period_seq
    FROM period_starts
)

SELECT
    la_code,
    child,
    period_seq,
    min(episode_seq) AS first_episode_seq,
    max(episode_seq) AS last_episode_seq,
    min(decom) AS start_date,
    coalesce(arg_min_null(rne, episode_seq) = 'S', false) AS start_observed,
    -- "ends at the first episode whose REC is not X1 (or stays open)": the period ends when its
    -- last episode ends. A last episode ending X1 with nothing after it (a recording gap) still
    -- ends the period on that day; its reason is then not known.
    arg_max_null(dec, episode_seq) AS end_date,
    arg_max_null(rec, episode_seq) AS end_rec,
    count(*) AS episodes
FROM episodes_in_periods
GROUP BY la_code, child, period_seq;

-- Reviews: cla_reviews_in_timescale_pct, cla_review_participation_12m_pct (spec/indicators.md,
-- "Review schedule").
WITH month_ends AS (
    SELECT la_code, period_end, window_12m_start FROM model.month_ends
),

period_schedules AS (
    -- Reviews are in the data from the coverage start. A period's schedule is known from its start
    -- only when the start is in the data (RNE S) and on or after the coverage start; otherwise the
    -- reviews before its first review in the data are not, so that review's predecessor (the
    -- previous review, or the period start) is not known and the schedule restarts from it.
    SELECT
        p.la_code,
        p.child,
        p.period_seq,
        p.start_date,
        p.start_observed AND p.start_date >= c.coverage_start AS schedule_known
    FROM model.periods_of_care AS p
    JOIN (SELECT DISTINCT la_code, coverage_start FROM model.month_ends) AS c
        ON c.la_code = p.la_code
),

first_review_due AS (
    -- the first review is due 20 working days after the period of care starts (working days
    -- exclude weekends and England bank holidays: reference.working_days); not known when the
    -- schedule restarts from the first review in the data
    SELECT
        s.*,
        CASE WHEN s.schedule_known THEN due.day END AS first_due
    FROM period_schedules AS s
    LEFT JOIN reference.working_days AS start_day ON start_day.day = s.start_date
    LEFT JOIN reference.working_days AS due
        ON due.working_day_number = start_day.working_day_number + 20
        AND due.is_working_day
),

period_reviews AS (
    -- a period's reviews in date order. The reviews held by a month end d are a prefix of this
    -- list, so numbering them once per period gives the same numbers as numbering them at each d
    SELECT
        p.la_code,
        p.child,
        p.period_seq,
        r.review,
        row_number() OVER w AS review_number,
        lag(r.review) OVER w AS previous_review
    FROM model.periods_of_care AS p
    JOIN (SELECT DISTINCT la_code, child, review FROM history.reviews) AS r
        ON r.la_code = p.la_code
        AND r.child = p.child
        AND r.review >= p.start_date
    WINDOW w AS (PARTITION BY p.la_code, p.child, p.period_seq ORDER BY r.review)
),

reviews_against_schedule AS (
    -- the second review is due 3 calendar months after the first held; each later one 6 calendar
    -- months after the previous review held. After a restart the first review in the data is not
    -- judged (due NULL) and each later one is due 6 months after the previous: the child's first
    -- review was before the data. `on_time_so_far`: this review and all before it
    SELECT
        s.*,
        bool_and(s.due IS NULL OR s.review <= s.due) OVER (
            PARTITION BY s.la_code, s.child, s.period_seq ORDER BY s.review_number
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS on_time_so_far
    FROM (
        SELECT
            r.*,
            f.schedule_known,
            CASE
                WHEN r.review_number = 1 THEN f.first_due
                WHEN r.review_number = 2 AND f.schedule_known
                    THEN (r.previous_review + INTERVAL 3 MONTH)::DATE
                ELSE (r.previous_review + INTERVAL 6 MONTH)::DATE
            END AS due
        FROM period_reviews AS r
        JOIN first_review_due AS f
            ON f.la_code = r.la_code AND f.child = r.child AND f.period_seq = r.period_seq
    ) AS s
),

children_reviews AS (
    -- the latest review held on or before d in the current period says how many were held and
    -- whether all of them were on time
    SELECT
        c.la_code,
        c.period_end,
        c.child,
        f.schedule_known,
        f.first_due,
        coalesce(r.review_number, 0) AS reviews_held,
        r.review AS last_review,
        coalesce(r.on_time_so_far, true) AS all_held_on_time
    FROM model.child_month AS c
    JOIN first_review_due AS f
        ON f.la_code = c.la_code AND f.child = c.child AND f.period_seq = c.period_seq
    ASOF LEFT JOIN reviews_against_schedule AS r
        ON r.la_code = c.la_code
        AND r.child = c.child
        AND r.period_seq = c.period_seq
        AND r.review <= c.period_end
),

children_judged AS (
    -- judged at d: a known schedule once the first review is due; a restarted one once its first
    -- review in the data has been held (before then nothing about it is known)
    SELECT
        *,
        CASE
            WHEN reviews_held = 0 THEN first_due
            WHEN reviews_held = 1 AND schedule_known THEN (last_review + INTERVAL 3 MONTH)::DATE
            ELSE (last_review + INTERVAL 6 MONTH)::DATE
        END AS next_due
    FROM children_reviews
    WHERE CASE WHEN schedule_known THEN first_due <= period_end ELSE reviews_held >= 1 END
),

review_timeliness AS (
    -- denominator: children looked after at d who are judged at d; numerator: every review due
    -- on or before d was held on or before its due date, i.e. all reviews held were on time and
    -- the next one is not yet due
    SELECT
        m.la_code,
        m.period_end,
        count(c.child) AS due_by_d,
        count(c.child) FILTER (WHERE c.all_held_on_time AND c.next_due > c.period_end) AS on_time
    FROM month_ends AS m
    LEFT JOIN children_judged AS c ON c.la_code = m.la_code AND c.period_end = m.period_end
    GROUP BY m.la_code, m.period_end
),

reviews_in_care AS (
    -- reviews held while in a period of care (short-break-only children have none: their
    -- episodes were dropped)
    SELECT DISTINCT r.la_code, r.child, r.review, r.review_code
    FROM history.reviews AS r
    JOIN model.periods_of_care AS p
        ON p.la_code = r.la_code
        AND p.child = r.child
        AND r.review >= p.start_date
        AND (p.end_date IS NULL OR r.review <= p.end_date)
),

participation AS (
    SELECT
        m.la_code,
        m.period_end,
        count(r.review) FILTER (WHERE r.review_code IN ('PN1', 'PN2', 'PN3', 'PN5', 'PN6'))
            AS participated,
        count(r.review) AS with_participation_code
    FROM month_ends AS m
    LEFT JOIN reviews_in_care AS r
        ON r.la_code = m.la_code
        AND r.review BETWEEN m.window_12m_start AND m.period_end
        AND r.review_code IN ('PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7')
    GROUP BY m.la_code, m.period_end
)

SELECT la_code, 'cla_reviews_in_timescale_pct' AS indicator_id, period_end, 'all' AS breakdown,
    on_time AS numerator, due_by_d AS denominator, model.pct(on_time, due_by_d) AS value
FROM review_timeliness
UNION ALL
SELECT la_code, 'cla_review_participation_12m_pct', period_end, 'all', participated,
    with_participation_code, model.pct(participated, with_participation_code)
FROM participation

-- model.month_ends: the reporting dates of each LA (spec/indicators.md "Reporting dates"): every
-- month end from the first month end covered by its data to the latest month end on or before its
-- latest extract date. An extract covers 1 April of its collection year to its extract date
-- (docs/CONTRACTS.md), so the data covers months from the window start of the LA's earliest extract.
-- Which of these month ends each indicator is published for: model.coverage.
CREATE OR REPLACE TABLE model.month_ends AS
WITH extract_dates AS (
{%- for table in history_tables %}
    SELECT la_code, extract_date FROM history.{{ table }}
    {%- if not loop.last %} UNION ALL{% endif %}
{%- endfor %}
),

la_coverage AS (
    SELECT
        la_code,
        min(extract_date) AS first_extract_date,
        max(extract_date) AS latest_extract_date
    FROM extract_dates
    WHERE extract_date IS NOT NULL
    GROUP BY la_code
),

coverage_windows AS (
    SELECT
        *,
        make_date(
            year(first_extract_date) - CASE WHEN month(first_extract_date) < 4 THEN 1 ELSE 0 END,
            4,
            1
        ) AS coverage_start
    FROM la_coverage
),

month_starts AS (
    SELECT c.*, month_start::DATE AS month_start
    FROM coverage_windows AS c,
        unnest(generate_series(c.coverage_start, c.latest_extract_date, INTERVAL 1 MONTH))
            AS months(month_start)
)

SELECT
    m.la_code,
    last_day(m.month_start) AS period_end,
    m.month_start,
    -- "the 12 months ending d": the first day of the month 11 months before d's month, to d
    (m.month_start - INTERVAL 11 MONTH)::DATE AS window_12m_start,
    m.first_extract_date,
    m.latest_extract_date,
    m.coverage_start
FROM month_starts AS m
WHERE last_day(m.month_start) <= m.latest_extract_date;

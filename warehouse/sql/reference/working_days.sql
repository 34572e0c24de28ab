-- reference.working_days: one row per calendar day; weekends and England bank holidays are not
-- working days. `calendar_frame` is built by warehouse/working_days.py from the `holidays` package
-- (spec/indicators.md "Review schedule": no hand list).
CREATE SCHEMA IF NOT EXISTS reference;

CREATE OR REPLACE TABLE reference.working_days AS
SELECT
    day::DATE AS day,
    is_working_day::BOOLEAN AS is_working_day,
    nullif(holiday_name, '')::VARCHAR AS holiday_name,
    -- working days up to and including this day: "n working days after x" is the first day whose
    -- working_day_number is working_day_number(x) + n
    sum(is_working_day::INTEGER) OVER (ORDER BY day)::INTEGER AS working_day_number
FROM calendar_frame;

COMMENT ON TABLE reference.working_days IS
    'Calendar {{ first_day }} to {{ last_day }}: working days exclude weekends and England bank '
    'holidays (python package holidays {{ holidays_version }}, UK subdivision ENG).';

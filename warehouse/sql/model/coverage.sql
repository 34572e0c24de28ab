{% import 'macros.sql' as m -%}
-- model.coverage: for each LA and indicator, what the data covers and the first month end the
-- indicator is published for (warehouse/domain/indicators.yaml: look_back, history_from). The data
-- covers an LA from its coverage start, 1 April of its earliest extract's collection year; what
-- happened before then is not in it (apart from the episodes still open on that day), so a value
-- whose look-back reaches before the coverage start would count only part of what it should, and
-- is not published. The indicator runner keeps, and its completeness check expects, the rows from
-- first_period_end on.
CREATE OR REPLACE TABLE model.coverage AS
WITH la_coverage AS (
    SELECT
        la_code,
        any_value(coverage_start) AS coverage_start,
        any_value(first_extract_date) AS first_extract_date,
        any_value(latest_extract_date) AS latest_extract_date,
        max(period_end) AS latest_month_end,
        max(period_end) FILTER (WHERE month(period_end) = 3) AS latest_31_march
    FROM model.month_ends
    GROUP BY la_code
),

table_coverage AS (
    -- a table the returns hold only from a later year (SWEpisodes from 2023/24) is covered from
    -- the window start of the LA's earliest extract holding rows of it
    SELECT NULL::VARCHAR AS la_code, NULL::VARCHAR AS history_table, NULL::DATE AS table_start
    WHERE false
{%- for table in measures | map(attribute='history_from') | select | unique | sort %}
    UNION ALL
    SELECT la_code, '{{ table }}', {{ m.collection_year_start('min(extract_date)') }}
    FROM history.{{ table }}
    WHERE extract_date IS NOT NULL
    GROUP BY la_code
{%- endfor %}
),

measures AS (
    SELECT *
    FROM (VALUES
{%- for ms in measures %}
        {%- set history_from = "'" ~ ms.history_from ~ "'" if ms.history_from else "NULL" %}
        ('{{ ms.indicator_id }}', '{{ ms.frequency }}', '{{ ms.look_back }}', {{ ms.months }}, {{ history_from }})
        {%- if not loop.last %},{% endif %}
{%- endfor %}
    ) AS t(indicator_id, frequency, look_back, look_back_months, history_from)
),

measure_starts AS (
    SELECT
        c.*,
        ms.*,
        CASE WHEN ms.history_from IS NULL THEN c.coverage_start ELSE t.table_start END
            AS history_start
    FROM la_coverage AS c
    CROSS JOIN measures AS ms
    LEFT JOIN table_coverage AS t
        ON t.la_code = c.la_code AND t.history_table = ms.history_from
),

first_month_ends AS (
    -- the month end look_back_months calendar months after the coverage start's month: for 12
    -- months (11) the first whose "12 months ending d" starts on or after the coverage start; for
    -- 30 months the first d with d - 2 years 6 months on or after it
    SELECT
        *,
        last_day(history_start + to_months(look_back_months))::DATE AS first_month_end
    FROM measure_starts
)

SELECT
    la_code,
    indicator_id,
    frequency,
    look_back,
    history_from,
    coverage_start,
    first_extract_date,
    latest_extract_date,
    history_start,
    -- annual measures are dated 31 March: the first one on or after that month end
    CASE
        WHEN frequency = 'annual'
            THEN make_date({{ m.collection_year('first_month_end') }}, 3, 31)
        ELSE first_month_end
    END AS first_period_end,
    CASE WHEN frequency = 'annual' THEN latest_31_march ELSE latest_month_end END
        AS latest_period_end
FROM first_month_ends;

{#- The calendar years of each council's month ends whose rates per 10,000 do not use that
    year's population estimate: the year they use instead, or NULL (none within reach: no rate).
    Month ends as model/month_ends.sql derives them, from the extracts in raw.extracts. -#}
{% import 'macros.sql' as m -%}
WITH coverage AS (
    SELECT la_code, min(extract_date) AS first_extract_date, max(extract_date) AS latest
    FROM raw.extracts
    GROUP BY la_code
),

years AS (
    SELECT DISTINCT c.la_code, year(last_day(month_start::DATE)) AS year
    FROM coverage AS c,
        unnest(generate_series({{ m.collection_year_start('c.first_extract_date') }}, c.latest,
                               INTERVAL 1 MONTH)) AS months(month_start)
    WHERE last_day(month_start::DATE) <= c.latest
),

used AS (
    SELECT la_code, year, {{ m.population_year('y.la_code', 'y.year') }} AS population_year
    FROM years AS y
)

SELECT la_code, year, population_year
FROM used
WHERE population_year IS DISTINCT FROM year
ORDER BY la_code, year

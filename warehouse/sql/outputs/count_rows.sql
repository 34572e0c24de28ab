-- Rows in an export, and how many of them are suppressed. Parameters: query, flagged (bool).
SELECT
    count(*) AS row_count,
    {% if flagged %}count(*) FILTER (WHERE suppressed){% else %}0{% endif %} AS suppressed_rows
FROM ({{ query }}) AS export_rows

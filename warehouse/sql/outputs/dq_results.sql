-- marts.dq_results as published (Parquet exports, board report): one row per LA, extract,
-- table and expectation. Counts only, never the failing rows themselves.
-- Small-number suppression as in outputs/indicator_values.sql: when the rows evaluated or the
-- unexpected rows number 1 to threshold - 1, both counts and the percentage are NULL and
-- suppressed = true. Parameters: suppress (bool), threshold (int).
WITH dq_rows AS (
    SELECT
        CAST(la_code AS VARCHAR) AS la_code,
        CAST(extract_date AS DATE) AS extract_date,
        CAST(table_name AS VARCHAR) AS table_name,
        CAST(expectation AS VARCHAR) AS expectation,
        CAST(severity AS VARCHAR) AS severity,
        CAST(success AS BOOLEAN) AS success,
        CAST(evaluated AS DOUBLE) AS evaluated,
        CAST(unexpected AS DOUBLE) AS unexpected,
        CAST(unexpected_pct AS DOUBLE) AS unexpected_pct
    FROM marts.dq_results
),
flagged AS (
    SELECT
        *,
        {% if suppress %}
        coalesce(
            (evaluated >= 1 AND evaluated < {{ threshold }})
            OR (unexpected >= 1 AND unexpected < {{ threshold }}),
            false
        )
        {% else %}
        false
        {% endif %} AS suppressed
    FROM dq_rows
)
SELECT
    la_code,
    extract_date,
    CAST(year(extract_date) AS INTEGER) AS year,
    table_name,
    expectation,
    severity,
    success,
    CASE WHEN suppressed THEN NULL ELSE evaluated END AS evaluated,
    CASE WHEN suppressed THEN NULL ELSE unexpected END AS unexpected,
    CASE WHEN suppressed THEN NULL ELSE unexpected_pct END AS unexpected_pct,
    suppressed
FROM flagged

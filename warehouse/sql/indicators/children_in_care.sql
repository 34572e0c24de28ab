-- Children in care at each month end d: cla_count, cla_rate_per_10k, cla_placement_group_pct,
-- cla_outside_la_pct, cla_over_20_miles_pct, cla_care_order_at_home_count (spec/indicators.md
-- "Monthly measures"). model.child_month holds exactly the children looked after at d.
{% import 'macros.sql' as m -%}
WITH month_ends AS (
    SELECT la_code, period_end FROM model.month_ends
),

cla_totals AS (
    SELECT
        m.la_code,
        m.period_end,
        count(c.child) AS looked_after,
        -- "outside the LA": placement upper-tier LA differs; unknown LA is left out of both parts
        count(c.child) FILTER (WHERE c.pl_outside_la) AS placed_outside_la,
        count(c.child) FILTER (WHERE c.pl_outside_la IS NOT NULL) AS placement_la_known,
        -- "Over 20 miles means distance_miles > 20.0"
        count(c.child) FILTER (WHERE c.distance_miles > 20.0) AS placed_over_20_miles,
        count(c.child) FILTER (WHERE c.distance_miles IS NOT NULL) AS distance_known,
        -- care order (LS C1, C2) and placed with parents (P1)
        count(c.child) FILTER (WHERE c.ls IN ('C1', 'C2') AND c.place = 'P1')
            AS care_order_at_home
    FROM month_ends AS m
    LEFT JOIN model.child_month AS c ON c.la_code = m.la_code AND c.period_end = m.period_end
    GROUP BY m.la_code, m.period_end
),

population_years AS (
    -- "Rates per 10,000": the mid-year estimate of d's year, else the nearest within reach
    -- (macros.sql population_year)
    SELECT m.la_code, m.period_end,
        {{ m.population_year('m.la_code', 'year(m.period_end)') }} AS population_year
    FROM month_ends AS m
),

population_at_d AS (
    -- none within reach (or no population for the LA): the rate is NULL, its row still there
    SELECT y.la_code, y.period_end, p.population_0_17
    FROM population_years AS y
    LEFT JOIN reference.population AS p
        ON p.la_code = y.la_code AND p.year = y.population_year
),

cla_by_dimension AS (
    -- one count per breakdown value, straight from the spine (no unpivoted copy of it)
    SELECT
        la_code,
        period_end,
        CASE
            WHEN grouping(age_band) = 0 THEN 'age_band'
            WHEN grouping(sex) = 0 THEN 'sex'
            WHEN grouping(ethnicity_group) = 0 THEN 'ethnicity_group'
            WHEN grouping(legal_status) = 0 THEN 'legal_status'
            WHEN grouping(placement_group) = 0 THEN 'placement_group'
            ELSE 'uasc'
        END AS dim,
        coalesce(age_band, sex, ethnicity_group, legal_status, placement_group, uasc) AS value,
        count(*) AS children
    FROM model.child_month
    GROUP BY GROUPING SETS (
        (la_code, period_end, age_band), (la_code, period_end, sex),
        (la_code, period_end, ethnicity_group), (la_code, period_end, legal_status),
        (la_code, period_end, placement_group), (la_code, period_end, uasc)
    )
    -- UNPIVOT left out NULL values
    HAVING coalesce(age_band, sex, ethnicity_group, legal_status, placement_group, uasc)
        IS NOT NULL
),

dimension_frame AS (
    -- every listed value of each breakdown, zero-filled, plus any other value seen
    SELECT m.la_code, m.period_end, d.dim, d.value
    FROM month_ends AS m
    CROSS JOIN marts.indicator_dimensions AS d
    WHERE d.dim IN ('age_band', 'sex', 'ethnicity_group', 'legal_status', 'placement_group', 'uasc')
    UNION
    SELECT la_code, period_end, dim, value FROM cla_by_dimension
),

cla_breakdowns AS (
    SELECT f.la_code, f.period_end, f.dim, f.value, coalesce(b.children, 0) AS children
    FROM dimension_frame AS f
    LEFT JOIN cla_by_dimension AS b
        ON b.la_code = f.la_code AND b.period_end = f.period_end
        AND b.dim = f.dim AND b.value = f.value
)

SELECT la_code, 'cla_count' AS indicator_id, period_end, 'all' AS breakdown,
    looked_after AS numerator, NULL AS denominator, looked_after AS value
FROM cla_totals
UNION ALL
SELECT la_code, 'cla_count', period_end, dim || '=' || value, children, NULL, children
FROM cla_breakdowns
UNION ALL
SELECT t.la_code, 'cla_rate_per_10k', t.period_end, 'all', t.looked_after, p.population_0_17,
    t.looked_after / p.population_0_17 * 10000
FROM cla_totals AS t
JOIN population_at_d AS p ON p.la_code = t.la_code AND p.period_end = t.period_end
UNION ALL
-- cla_placement_group_pct: breakdown rows only (no 'all' row)
SELECT b.la_code, 'cla_placement_group_pct', b.period_end, b.dim || '=' || b.value,
    b.children, t.looked_after, model.pct(b.children, t.looked_after)
FROM cla_breakdowns AS b
JOIN cla_totals AS t ON t.la_code = b.la_code AND t.period_end = b.period_end
WHERE b.dim = 'placement_group'
UNION ALL
SELECT la_code, 'cla_outside_la_pct', period_end, 'all', placed_outside_la, placement_la_known,
    model.pct(placed_outside_la, placement_la_known)
FROM cla_totals
UNION ALL
SELECT la_code, 'cla_over_20_miles_pct', period_end, 'all', placed_over_20_miles, distance_known,
    model.pct(placed_over_20_miles, distance_known)
FROM cla_totals
UNION ALL
SELECT la_code, 'cla_care_order_at_home_count', period_end, 'all', care_order_at_home, NULL,
    care_order_at_home
FROM cla_totals

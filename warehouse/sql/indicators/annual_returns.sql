-- Annual measures from OC2 (children looked after 12 months at 31 March) and OC3 (care leavers),
-- dated 31 March of the collection year (spec/indicators.md "Annual measures"). Every 31 March among
-- an LA's month ends gets a row, as does every collection year present in OC2/OC3; an LA-year with
-- no OC2 (OC3) rows has NULL numerator, denominator and value.
WITH collection_years AS (
    SELECT la_code, year(period_end) AS collection_year
    FROM model.month_ends
    WHERE month(period_end) = 3
    UNION
    SELECT la_code, collection_year FROM history.oc2
    UNION
    SELECT la_code, collection_year FROM history.oc3
),

oc2_rows AS (
    SELECT
        o.*,
        model.age_in_years(coalesce(o.dob, h.dob), make_date(o.collection_year, 3, 31))
            AS age_at_31_march
    FROM history.oc2 AS o
    LEFT JOIN history.header AS h ON h.la_code = o.la_code AND h.child = o.child
),

oc2_totals AS (
    SELECT
        y.la_code,
        y.collection_year,
        count(o.child) AS oc2_children,
        count(o.child) FILTER (WHERE o.health_assessment = '1') AS health_assessment,
        count(o.child) FILTER (WHERE o.teeth_check = '1') AS teeth_check,
        count(o.child) FILTER (WHERE o.immunisations = '1') AS immunisations,
        -- convicted: of those aged 10-17 at 31 March
        count(o.child) FILTER (WHERE o.age_at_31_march BETWEEN 10 AND 17) AS aged_10_17,
        count(o.child) FILTER (WHERE o.age_at_31_march BETWEEN 10 AND 17 AND o.convicted = '1')
            AS convicted
    FROM collection_years AS y
    LEFT JOIN oc2_rows AS o ON o.la_code = y.la_code AND o.collection_year = y.collection_year
    GROUP BY y.la_code, y.collection_year
),

oc3_totals AS (
    SELECT
        y.la_code,
        y.collection_year,
        count(o.child) AS oc3_children,
        -- denominator: OC3 rows excluding IN_TOUCH DIED and RHOM
        count(o.child) FILTER (WHERE o.in_touch IS NULL OR o.in_touch NOT IN ('DIED', 'RHOM'))
            AS care_leavers,
        count(o.child) FILTER (WHERE o.in_touch = 'YES') AS in_touch,
        -- ACCOM ending in 1 = suitable
        count(o.child) FILTER (
            WHERE (o.in_touch IS NULL OR o.in_touch NOT IN ('DIED', 'RHOM'))
              AND o.accom LIKE '%1'
        ) AS suitable_accommodation,
        count(o.child) FILTER (
            WHERE (o.in_touch IS NULL OR o.in_touch NOT IN ('DIED', 'RHOM'))
              AND o.activ IN ('F1', 'P1', 'F2', 'P2', 'F4', 'P4', 'F5', 'P5')
        ) AS in_education_employment_training
    FROM collection_years AS y
    LEFT JOIN history.oc3 AS o ON o.la_code = y.la_code AND o.collection_year = y.collection_year
    GROUP BY y.la_code, y.collection_year
),

annual_rows AS (
    SELECT la_code, collection_year, 'cla_health_assessment_pct' AS indicator_id,
        health_assessment AS numerator, oc2_children AS denominator, oc2_children > 0 AS has_return
    FROM oc2_totals
    UNION ALL
    SELECT la_code, collection_year, 'cla_dental_check_pct', teeth_check, oc2_children,
        oc2_children > 0
    FROM oc2_totals
    UNION ALL
    SELECT la_code, collection_year, 'cla_immunisations_pct', immunisations, oc2_children,
        oc2_children > 0
    FROM oc2_totals
    UNION ALL
    SELECT la_code, collection_year, 'cla_convicted_pct', convicted, aged_10_17, oc2_children > 0
    FROM oc2_totals
    UNION ALL
    SELECT la_code, collection_year, 'care_leavers_in_touch_pct', in_touch, care_leavers,
        oc3_children > 0
    FROM oc3_totals
    UNION ALL
    SELECT la_code, collection_year, 'care_leavers_suitable_accom_pct', suitable_accommodation,
        care_leavers, oc3_children > 0
    FROM oc3_totals
    UNION ALL
    SELECT la_code, collection_year, 'care_leavers_eet_pct', in_education_employment_training,
        care_leavers, oc3_children > 0
    FROM oc3_totals
)

SELECT
    la_code,
    indicator_id,
    make_date(collection_year, 3, 31) AS period_end,
    'all' AS breakdown,
    CASE WHEN has_return THEN numerator END AS numerator,
    CASE WHEN has_return THEN denominator END AS denominator,
    CASE WHEN has_return THEN model.pct(numerator, denominator) END AS value
FROM annual_rows

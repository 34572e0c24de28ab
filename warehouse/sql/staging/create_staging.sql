-- Staging bookkeeping shared by the eleven tables.
CREATE SCHEMA IF NOT EXISTS staging;

-- A raw row that cannot be used at all (blank, or a key value missing or unreadable).
-- raw rows = staging rows + rejected rows, for every table and file.
CREATE TABLE IF NOT EXISTS staging.rejected_rows (
    file_id VARCHAR NOT NULL,
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    table_name VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,
    column_name VARCHAR,
    value VARCHAR,
    reason VARCHAR NOT NULL
);

-- A value that could not be read, set to NULL in a row that was kept.
CREATE TABLE IF NOT EXISTS staging.value_issues (
    file_id VARCHAR NOT NULL,
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    table_name VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,
    column_name VARCHAR NOT NULL,
    value VARCHAR,
    reason VARCHAR NOT NULL
);

-- Raw files already staged: each file is typed once, when it first arrives.
CREATE TABLE IF NOT EXISTS staging.staged_files (
    file_id VARCHAR PRIMARY KEY,
    table_name VARCHAR NOT NULL
);

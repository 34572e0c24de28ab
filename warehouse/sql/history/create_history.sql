CREATE SCHEMA IF NOT EXISTS history;

-- Every change history made to what the extracts said, one row per record touched.
-- The rules are in docs/history_rules.md.
CREATE TABLE IF NOT EXISTS history.repairs (
    la_code VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    child VARCHAR,
    record_date DATE,
    source_file VARCHAR,
    row_number INTEGER,
    detail VARCHAR NOT NULL
);

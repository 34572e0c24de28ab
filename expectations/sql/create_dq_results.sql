-- marts.dq_results: one row per expectation per extract (docs/CONTRACTS.md, quality layer).
-- success is NULL when the expectation could not be evaluated (a column or input missing).
CREATE SCHEMA IF NOT EXISTS marts;
CREATE TABLE IF NOT EXISTS marts.dq_results (
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    table_name VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,           -- structural (blocks downstream) | recording (warns)
    success BOOLEAN,
    evaluated BIGINT NOT NULL,           -- values the expectation looked at
    unexpected BIGINT NOT NULL,          -- values that broke it
    unexpected_pct DOUBLE,               -- 100 * unexpected / evaluated; NULL when none evaluated
    PRIMARY KEY (la_code, extract_date, table_name, expectation)
);

-- Store new validations from registered pandas frames: dq_rows (marts.dq_results columns),
-- dq_notes, dq_failing, dq_validated (la_code, extract_date, table_name, fingerprint); their
-- extracts' error reports become pending (dq_drop: every slice re-validated or gone).
INSERT INTO marts.dq_results
    (la_code, extract_date, table_name, expectation, severity, success, evaluated, unexpected,
     unexpected_pct)
SELECT la_code, CAST(extract_date AS DATE), table_name, expectation, severity, success,
       evaluated, unexpected, unexpected_pct
FROM dq_rows;
INSERT INTO quality.result_notes
SELECT la_code, CAST(extract_date AS DATE), table_name, expectation, note FROM dq_notes;
INSERT INTO quality.failing_rows
SELECT la_code, CAST(extract_date AS DATE), table_name, expectation, row_index FROM dq_failing;
INSERT INTO quality.validations
SELECT la_code, CAST(extract_date AS DATE), table_name, fingerprint, current_timestamp
FROM dq_validated;
-- Every extract touched (re-validated, or one of its tables gone) gets its report re-written
-- (or removed, when nothing of it is left).
INSERT OR REPLACE INTO quality.reports
SELECT DISTINCT la_code, CAST(extract_date AS DATE), true FROM dq_drop;

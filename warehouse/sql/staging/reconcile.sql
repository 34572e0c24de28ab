-- raw rows = staged rows + rejected rows, for one table (over the files raw holds now).
SELECT
    (SELECT count(*) FROM raw.{{ t.name }}) AS raw_rows,
    (SELECT count(*) FROM staging.{{ t.name }}) AS staged_rows,
    (SELECT count(*) FROM staging.rejected_rows WHERE table_name = '{{ t.name }}') AS rejected_rows

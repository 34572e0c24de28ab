-- Every extract (la_code, extract_date) of staging.{{ table }} with the fingerprint of what its
-- validation reads: its staged files, the same extract's files of {{ extras | join(', ') or 'no other table' }},
-- and $inputs (suite version, reference data version); plus the fingerprint last validated
-- and the extract's row count (validation runs are sized by rows).
-- A table without file_id (built by hand, not by the staging layer) is fingerprinted by content.
WITH slices AS (
    SELECT la_code, extract_date, {{ ids[table] }} AS ids, count(*) AS n_rows
    FROM staging.{{ table }} AS t
    GROUP BY la_code, extract_date
){% for x in extras %},
extra_{{ x }} AS (
    SELECT la_code, extract_date, {{ ids[x] }} AS ids
    FROM staging.{{ x }} AS t
    GROUP BY la_code, extract_date
){% endfor %}
SELECT s.la_code, s.extract_date, s.n_rows,
       md5(concat_ws('|', $inputs, s.ids{% for x in extras %}, coalesce(extra_{{ x }}.ids, ''){% endfor %})) AS fingerprint,
       v.fingerprint AS validated_fingerprint
FROM slices AS s
{% for x in extras %}LEFT JOIN extra_{{ x }} USING (la_code, extract_date)
{% endfor %}LEFT JOIN quality.validations AS v
    ON v.la_code = s.la_code AND v.extract_date = s.extract_date AND v.table_name = '{{ table }}'
ORDER BY s.la_code, s.extract_date

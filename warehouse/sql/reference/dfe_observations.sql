-- dfe_observations (temporary): every cell of the vendored DfE files that the catalogue's
-- `published` mappings read, one row per indicator, role (value, numerator, denominator) and
-- source row, still as text. Parameter: selections (warehouse/reference/comparators.py), each with
-- indicator_id, role, file, path, column and condition (the filter and where, SQL-quoted).
CREATE OR REPLACE TEMP TABLE dfe_observations AS
{% for s in selections %}
{% if not loop.first %}UNION ALL{% endif %}
SELECT '{{ s.indicator_id }}' AS indicator_id, '{{ s.role }}' AS role, '{{ s.file }}' AS file,
    '{{ s.column }}' AS column_name, time_period::INTEGER AS year, geographic_level,
    nullif(trim(region_code), '') AS region_code, nullif(trim(region_name), '') AS region_name,
    nullif(trim(old_la_code), '') AS dfe_code, nullif(trim(new_la_code), '') AS la_code,
    nullif(trim(la_name), '') AS la_name, trim("{{ s.column }}") AS raw
FROM read_csv('{{ s.path }}', header = true, all_varchar = true)
WHERE {{ s.condition }}
{% endfor %};

{#- Types and cleans the raw rows of one 903 table (rendered once per table from
    warehouse/domain/ssda903.yaml). Only files not staged before are read. -#}
{% import 'macros.sql' as m -%}
{% include 'staging/create_table.sql' %}

-- Files that left raw (reloaded or removed from landing) leave staging too.
DELETE FROM staging.{{ t.name }} WHERE file_id NOT IN (SELECT file_id FROM raw.files);
DELETE FROM staging.rejected_rows
WHERE table_name = '{{ t.name }}' AND file_id NOT IN (SELECT file_id FROM raw.files);
DELETE FROM staging.value_issues
WHERE table_name = '{{ t.name }}' AND file_id NOT IN (SELECT file_id FROM raw.files);
DELETE FROM staging.staged_files
WHERE table_name = '{{ t.name }}' AND file_id NOT IN (SELECT file_id FROM raw.files);

-- Typed and cleaned, with the rejection rule shared with ingest (macros.sql, cleaned_rows).
CREATE OR REPLACE TEMP TABLE cleaned_{{ t.name }} AS
{{ m.cleaned_rows(t, "(SELECT * FROM raw." ~ t.name ~ " WHERE file_id NOT IN "
                     "(SELECT file_id FROM staging.staged_files)) AS new_rows") }};

INSERT INTO staging.rejected_rows
SELECT
    file_id, la_code, extract_date, '{{ t.name }}', source_file, row_number,
    CASE WHEN is_blank THEN NULL
{%- for k in t.key %}
         WHEN {{ k | lower }} IS NULL THEN '{{ k }}'
{%- endfor %} END AS column_name,
    CASE WHEN is_blank THEN NULL
{%- for k in t.key %}
         WHEN {{ k | lower }} IS NULL THEN "raw_{{ k }}"
{%- endfor %} END AS value,
    CASE WHEN is_blank THEN 'blank row'
{%- for k in t.key %}
         WHEN coalesce(trim("raw_{{ k }}"), '') = ''
             THEN '{{ k }} is blank, and the row cannot be used without it'
         WHEN {{ k | lower }} IS NULL
             THEN '{{ k }} is {{ m.problem(t.columns[k]) }}, and the row cannot be used without it'
{%- endfor %} END AS reason
FROM cleaned_{{ t.name }}
WHERE is_rejected;

INSERT INTO staging.value_issues
{%- for column, column_type in t.columns.items() if column not in t.key %}
SELECT file_id, la_code, extract_date, '{{ t.name }}', source_file, row_number,
       '{{ column }}', "raw_{{ column }}",
       '{{ column }} is {{ m.problem(column_type) }}; left blank'
FROM cleaned_{{ t.name }}
WHERE NOT is_rejected AND {{ column | lower }} IS NULL AND coalesce(trim("raw_{{ column }}"), '') <> ''
{{ "UNION ALL" if not loop.last else ";" }}
{%- endfor %}

INSERT INTO staging.{{ t.name }}
SELECT
    file_id, la_code, extract_date, source_file, row_number,
{%- if t.annual %}
    collection_year,
{%- endif %}
{%- for column in t.columns %}
    {{ column | lower }}{{ "," if not loop.last }}
{%- endfor %}
FROM cleaned_{{ t.name }}
WHERE NOT is_rejected;

INSERT INTO staging.staged_files
SELECT file_id, table_name FROM raw.files
WHERE table_name = '{{ t.name }}' AND status = 'loaded'
  AND file_id NOT IN (SELECT file_id FROM staging.staged_files);

DROP TABLE cleaned_{{ t.name }};

{% import 'macros.sql' as m -%}
-- staging.<table>: the 903 columns typed, with where each row came from.
CREATE TABLE IF NOT EXISTS staging.{{ t.name }} (
    file_id VARCHAR NOT NULL,
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    source_file VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,
{%- if t.annual %}
    collection_year INTEGER NOT NULL,
{%- endif %}
{%- for column, column_type in t.columns.items() %}
    {{ column | lower }} {{ m.sql_type(column_type) }}{{ "," if not loop.last }}
{%- endfor %}
);

{#- The history.* tables as docs/CONTRACTS.md describes them, created empty when absent. Used by
    tests and benchmarks that build history by hand; the ingestion layer makes the real ones. -#}
CREATE SCHEMA IF NOT EXISTS history;
CREATE SCHEMA IF NOT EXISTS reference;
{% for t in tables %}
CREATE TABLE IF NOT EXISTS history.{{ t.name }} (
    la_code VARCHAR,
    extract_date DATE,
    source_file VARCHAR,
    {%- if t.annual %}
    collection_year INTEGER,
    {%- endif %}
    {%- for column, kind in t.columns.items() %}
    {{ column | lower }} {{ {'date': 'DATE', 'int': 'INTEGER'}.get(kind, 'VARCHAR') }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
);
{% endfor %}
CREATE TABLE IF NOT EXISTS reference.population (
    la_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    population_0_17 DOUBLE NOT NULL
);

-- Raw layer: every landing file as text, with where each row came from. Nothing is dropped here.
CREATE SCHEMA IF NOT EXISTS raw;

-- One row per landing file seen; size and mtime let an unchanged file be skipped unread.
CREATE TABLE IF NOT EXISTS raw.files (
    file_id VARCHAR PRIMARY KEY,
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    path VARCHAR NOT NULL,
    table_name VARCHAR,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT,
    mtime_ns BIGINT,
    encoding VARCHAR,
    row_count INTEGER,
    status VARCHAR NOT NULL,
    message VARCHAR,
    loaded_at TIMESTAMP
);

-- One row per extract folder: loaded, or failed with the reason (its previous load is kept).
CREATE TABLE IF NOT EXISTS raw.extracts (
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    status VARCHAR NOT NULL,
    message VARCHAR,
    file_count INTEGER,
    checked_at TIMESTAMP,
    PRIMARY KEY (la_code, extract_date)
);

{% for t in tables %}
CREATE TABLE IF NOT EXISTS raw.{{ t.name }} (
    file_id VARCHAR NOT NULL,
    la_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    source_file VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,
{%- for column in t.columns %}
    "{{ column }}" VARCHAR,
{%- endfor %}
    extra_columns JSON
);
{% endfor %}

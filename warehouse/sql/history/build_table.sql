{% import 'macros.sql' as m -%}
{#- One consistent record per natural key per LA across all its extracts, rebuilt from staging.
    Rendered once per table from warehouse/domain/ssda903.yaml; rules in docs/history_rules.md. -#}
{%- set keys = t.natural_key | map('lower') | join(', ') %}
{%- set partition = 'la_code, ' ~ keys ~ (', collection_year' if t.annual else '') %}
{%- set start = t.event_date | lower if t.event_date else None %}
{%- set end = t.end_date | lower if t.end_date else None %}
{%- set record_date = start if start else 'NULL::DATE' %}
{%- set columns = (['collection_year'] if t.annual else []) + (t.columns | map('lower') | list) %}
DELETE FROM history.repairs WHERE table_name = '{{ t.name }}';

-- rule H2: a key repeated within one extract is a duplicate; the last row is kept
INSERT INTO history.repairs
SELECT la_code, '{{ t.name }}', 'duplicate_in_extract', child, {{ record_date }}, source_file,
       row_number, 'repeats the key ({{ keys }}) of a later row in the same extract; dropped'
FROM staging.{{ t.name }}
QUALIFY row_number() OVER (
    PARTITION BY extract_date, {{ partition }} ORDER BY source_file DESC, row_number DESC
) > 1;

-- rule H1: the latest extract wins; within one extract, the last row of the file
CREATE OR REPLACE TEMP TABLE latest_{{ t.name }} AS
SELECT *
FROM staging.{{ t.name }}
QUALIFY row_number() OVER (
    PARTITION BY {{ partition }} ORDER BY extract_date DESC, source_file DESC, row_number DESC
) = 1;

{%- if start %}

-- rule H3: a later extract is authoritative for its window (1 April of its collection year to
-- its date) in the tables it includes. {% if t.complete_in_window %}It lists every record open in its window{% else %}It lists the records starting in its window, for the
-- children it lists{% endif %}. A record it should contain but does not was removed or corrected at
-- source: dropped if it starts in that window, ended at the window's start if it started before.
CREATE OR REPLACE TEMP TABLE windows_{{ t.name }} AS
SELECT DISTINCT
    la_code,
    extract_date,
    {{ m.collection_year_start('extract_date') }} AS window_start
FROM raw.files
WHERE table_name = '{{ t.name }}' AND status = 'loaded';

CREATE OR REPLACE TEMP TABLE judged_{{ t.name }} AS
SELECT
    l.*,
    (
        SELECT min(w.window_start)
        FROM windows_{{ t.name }} AS w
        WHERE w.la_code = l.la_code
          AND w.extract_date > l.extract_date
          AND l.{{ start }} <= w.extract_date
          AND {{ ('coalesce(l.' ~ end ~ ", DATE '9999-12-31')") if end and t.complete_in_window else 'l.' ~ start }} >= w.window_start
{%- if not t.complete_in_window %}
          AND EXISTS (
              SELECT 1 FROM staging.{{ t.name }} AS s
              WHERE s.la_code = w.la_code AND s.extract_date = w.extract_date AND s.child = l.child
          )
{%- endif %}
    ) AS contradicted_from
FROM latest_{{ t.name }} AS l;

INSERT INTO history.repairs
SELECT la_code, '{{ t.name }}',
       CASE WHEN {{ start }} >= contradicted_from THEN 'removed_in_later_extract'
            ELSE 'closed_by_later_extract' END,
       child, {{ start }}, source_file, row_number,
       CASE WHEN {{ start }} >= contradicted_from
            THEN 'absent from a later extract whose window covers it; dropped'
            ELSE 'continues into a later extract''s window but is absent from it; ended at '
                 || strftime(contradicted_from, '%d/%m/%Y') END
FROM judged_{{ t.name }}
WHERE contradicted_from IS NOT NULL;

CREATE OR REPLACE TEMP TABLE latest_{{ t.name }} AS
SELECT * EXCLUDE (contradicted_from{% if end %}, {{ end }}{% if t.end_reason %}, {{ t.end_reason | lower }}{% endif %}{% endif %})
{%- if end %},
    CASE WHEN contradicted_from IS NOT NULL THEN contradicted_from ELSE {{ end }} END AS {{ end }}
{%- if t.end_reason %},
    CASE WHEN contradicted_from IS NOT NULL THEN NULL ELSE {{ t.end_reason | lower }} END
        AS {{ t.end_reason | lower }}
{%- endif %}
{%- endif %}
FROM judged_{{ t.name }}
WHERE contradicted_from IS NULL OR {{ start }} < contradicted_from;
{%- endif %}

{%- if t.sequential %}

-- rule H4: a record that ends before it starts cannot be placed in time; dropped
INSERT INTO history.repairs
SELECT la_code, '{{ t.name }}', 'ends_before_it_starts', child, {{ start }}, source_file,
       row_number, '{{ t.end_date }} is before {{ t.event_date }}; dropped'
FROM latest_{{ t.name }}
WHERE {{ end }} < {{ start }};

CREATE OR REPLACE TEMP TABLE ordered_{{ t.name }} AS
SELECT
    *,
    lead({{ start }}) OVER (PARTITION BY la_code, child ORDER BY {{ start }}) AS next_start
{%- if t.name == 'episodes' %},
    lead(rne) OVER (PARTITION BY la_code, child ORDER BY {{ start }}) AS next_rne
{%- endif %}
FROM latest_{{ t.name }}
WHERE {{ end }} IS NULL OR {{ end }} >= {{ start }};

-- rule H5: a record left open, or running past the start of the child's next one, ends
-- where the next begins
INSERT INTO history.repairs
SELECT la_code, '{{ t.name }}',
       CASE WHEN {{ end }} IS NULL THEN 'open_before_next' ELSE 'overlaps_next' END,
       child, {{ start }}, source_file, row_number,
       CASE WHEN {{ end }} IS NULL THEN 'open although a later record follows; ended at '
            ELSE 'runs past the start of the next record; ended at ' END
       || strftime(next_start, '%d/%m/%Y')
{%- if t.name == 'episodes' %}
       || CASE WHEN {{ end }} IS NULL AND next_rne <> 'S' THEN ' with REC X1 (the next episode continues the period of care)'
               WHEN {{ end }} IS NULL THEN ' with REC unknown'
               ELSE '' END
{%- endif %}
FROM ordered_{{ t.name }}
WHERE next_start IS NOT NULL AND ({{ end }} IS NULL OR {{ end }} > next_start);

CREATE OR REPLACE TEMP TABLE latest_{{ t.name }} AS
SELECT * EXCLUDE (next_start{% if t.name == 'episodes' %}, next_rne, rec{% endif %}, {{ end }}),
    CASE WHEN next_start IS NOT NULL AND ({{ end }} IS NULL OR {{ end }} > next_start)
         THEN next_start ELSE {{ end }} END AS {{ end }}
{%- if t.name == 'episodes' %},
    CASE WHEN {{ end }} IS NULL AND next_start IS NOT NULL
         THEN CASE WHEN next_rne <> 'S' THEN 'X1' END
         ELSE rec END AS rec
{%- endif %}
FROM ordered_{{ t.name }};
{%- endif %}

CREATE OR REPLACE TABLE history.{{ t.name }} AS
SELECT la_code, extract_date, source_file, {{ columns | join(', ') }}
FROM latest_{{ t.name }}
ORDER BY la_code, {{ keys }};

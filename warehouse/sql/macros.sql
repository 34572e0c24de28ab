{#- Cleaning rules for raw text, one macro per column type of warehouse/domain/ssda903.yaml. -#}

{#- Excel turns ids and codes into numbers: "1234.0" -> "1234". -#}
{% macro clean_id(x) -%}
nullif(CASE WHEN regexp_full_match(trim({{ x }}), '\d+\.0+') THEN split_part(trim({{ x }}), '.', 1)
            ELSE trim({{ x }}) END, '')
{%- endmacro %}

{% macro clean_code(x) -%}
upper({{ clean_id(x) }})
{%- endmacro %}

{% macro clean_text(x) -%}
nullif(trim({{ x }}), '')
{%- endmacro %}

{#- Every cleaning macro is total: a value it cannot type becomes NULL (then a value issue or a
    rejected row naming file, row and column), never an error, which would stop staging for every
    council and quote the value. So casts are TRY_CAST: a whole number beyond INTEGER (an NHS
    number in SDQ_SCORE) is blanked like any unreadable value. -#}
{% macro clean_int(x) -%}
CASE WHEN regexp_full_match(trim({{ x }}), '-?\d+(\.0+)?') THEN TRY_CAST(split_part(trim({{ x }}), '.', 1) AS INTEGER) END
{%- endmacro %}

{#- UK postcode, any spacing or case; returned in the standard "LS17 8JH" form. -#}
{% macro clean_postcode(x) -%}
CASE WHEN regexp_full_match(upper(regexp_replace({{ x }}, '\s', '', 'g')), '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}')
     THEN left(upper(regexp_replace({{ x }}, '\s', '', 'g')), length(regexp_replace({{ x }}, '\s', '', 'g')) - 3)
          || ' ' || right(upper(regexp_replace({{ x }}, '\s', '', 'g')), 3) END
{%- endmacro %}

{#- Dates: dd/mm/YYYY as the 903 specifies, ISO, and what Excel writes when a file passes
    through it (a time suffix, 2-digit years, month names, serial day numbers). Years outside
    1900-2100 are treated as unusable rather than guessed. -#}
{% macro parse_date(x) -%}
CASE
    WHEN regexp_full_match(trim({{ x }}), '\d{5}(\.0+)?')
        THEN DATE '1899-12-30' + TRY_CAST(split_part(trim({{ x }}), '.', 1) AS INTEGER)
    WHEN regexp_full_match(trim({{ x }}), '\d{1,2}[/.-]\d{1,2}[/.-]\d{2}')
        THEN CAST(try_strptime(regexp_replace(trim({{ x }}), '[.-]', '/', 'g'), '%d/%m/%y') AS DATE)
    ELSE CAST(try_strptime(trim({{ x }}), [
        '%d/%m/%Y', '%Y-%m-%d', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%Y-%m-%d %H:%M:%S',
        '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%d-%m-%Y', '%d.%m.%Y', '%Y/%m/%d',
        '%d-%b-%y', '%d-%b-%Y', '%d %b %Y', '%d %B %Y', '%d-%B-%Y'
    ]) AS DATE)
END
{%- endmacro %}

{% macro clean_date(x) -%}
CASE WHEN {{ parse_date(x) }} BETWEEN DATE '1900-01-01' AND DATE '2100-12-31' THEN {{ parse_date(x) }} END
{%- endmacro %}

{% macro clean(column_type, x) -%}
{%- if column_type == 'id' %}{{ clean_id(x) }}
{%- elif column_type == 'code' %}{{ clean_code(x) }}
{%- elif column_type == 'text' %}{{ clean_text(x) }}
{%- elif column_type == 'int' %}{{ clean_int(x) }}
{%- elif column_type == 'postcode' %}{{ clean_postcode(x) }}
{%- elif column_type == 'date' %}{{ clean_date(x) }}
{%- endif %}
{%- endmacro %}

{% macro sql_type(column_type) -%}
{%- if column_type == 'date' %}DATE{% elif column_type == 'int' %}INTEGER{% else %}VARCHAR{% endif %}
{%- endmacro %}

{% macro problem(column_type) -%}
{%- if column_type == 'date' %}not a date in a recognised form (dd/mm/YYYY expected)
{%- elif column_type == 'int' %}not a whole number this column can hold
{%- elif column_type == 'postcode' %}not a UK postcode
{%- else %}unusable value{% endif %}
{%- endmacro %}

{#- The collection year (1 April to 31 March) holding a date, named by its 31 March: 2025 for
    2024/25. The same rule as warehouse/domain/collection_year.py. -#}
{% macro collection_year(d) -%}
(year({{ d }}) + CASE WHEN month({{ d }}) >= 4 THEN 1 ELSE 0 END)
{%- endmacro %}

{% macro collection_year_start(d) -%}
make_date({{ collection_year(d) }} - 1, 4, 1)
{%- endmacro %}

{#- A 903 table's rows from `source` typed and cleaned, each with is_blank and is_rejected: the
    rule that sends a row to staging.rejected_rows (a blank row, or a key column that cannot be
    read). Staging applies it to raw; ingest applies it to an extract's parsed core tables to judge
    them usable before the extract's previous load is replaced (raw/row_usability.sql).
    `typed_columns` limits the typed copies to those the caller reads (the rule needs the keys). -#}
{% macro cleaned_rows(t, source, typed_columns=none) -%}
WITH typed AS (
    SELECT
        file_id, la_code, extract_date, source_file, row_number,
        -- the collection year holds the 31 March that ends it: 2025 for 2024/25
        {{ collection_year('extract_date') }} AS collection_year,
{%- for column, column_type in t.columns.items() if typed_columns is none or column in typed_columns %}
        "{{ column }}" AS "raw_{{ column }}",
        {{ clean(column_type, '"' ~ column ~ '"') }} AS {{ column | lower }},
{%- endfor %}
        ({% for column in t.columns %}coalesce(trim("{{ column }}"), '') = ''{{ " AND " if not loop.last }}{% endfor %}) AS is_blank
    FROM {{ source }}
)
SELECT
    *,
    is_blank{% for k in t.key %} OR {{ k | lower }} IS NULL{% endfor %} AS is_rejected
FROM typed
{%- endmacro %}

{#- The year of the ONS mid-year estimate a rate per 10,000 uses for calendar year y of LA la
    (README "Population for rates"): y's own; else the latest of the `reach` years before (ONS
    publishes each estimate about a year late); else the earliest of the `reach` years after.
    NULL when none is within reach: a population further off is not that year's, and no rate is
    published. warehouse/reference/population.py reports every year that falls back. -#}
{% macro population_year(la, y, reach=2) -%}
(SELECT arg_min(p.year, CASE WHEN p.year <= {{ y }} THEN {{ y }} - p.year ELSE {{ reach }} + p.year - {{ y }} END)
 FROM reference.population AS p
 WHERE p.la_code = {{ la }} AND p.year BETWEEN {{ y }} - {{ reach }} AND {{ y }} + {{ reach }})
{%- endmacro %}

{#- How many of each parsed file's rows staging would reject, counted before the file reaches
    raw: the rejection rule itself (macros.sql, cleaned_rows) over the Arrow table
    `parsed_rows` of one 903 table. -#}
{% import 'macros.sql' as m -%}
SELECT
    file_id,
    count(*) FILTER (WHERE is_blank) AS blank_rows,
    count(*) FILTER (WHERE is_rejected AND NOT is_blank) AS unusable_rows
FROM ({{ m.cleaned_rows(t, "parsed_rows", typed_columns=t.key) }})
GROUP BY file_id

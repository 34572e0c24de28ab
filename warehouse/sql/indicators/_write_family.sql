{#- Replace one family's rows in marts.indicator_values (idempotent: delete the slice, insert). -#}
DELETE FROM marts.indicator_values WHERE indicator_id IN ({{ indicator_ids }});

INSERT INTO marts.indicator_values BY NAME
SELECT la_code, indicator_id, period_end::DATE AS period_end, breakdown,
    numerator::DOUBLE AS numerator, denominator::DOUBLE AS denominator, value::DOUBLE AS value
FROM (
{% include family_file %}
) AS family_rows
WHERE indicator_id IN ({{ indicator_ids }});

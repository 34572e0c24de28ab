{#- Replace one family's rows in marts.indicator_values (idempotent: delete the slice, insert).
    Only the month ends model.coverage publishes each indicator for are kept: from its
    first_period_end on (none when the data does not cover its look-back). -#}
DELETE FROM marts.indicator_values WHERE indicator_id IN ({{ indicator_ids }});

INSERT INTO marts.indicator_values BY NAME
SELECT la_code, indicator_id, period_end::DATE AS period_end, breakdown,
    numerator::DOUBLE AS numerator, denominator::DOUBLE AS denominator, value::DOUBLE AS value
FROM (
{% include family_file %}
) AS family_rows
SEMI JOIN model.coverage AS published
    ON published.la_code = family_rows.la_code
    AND published.indicator_id = family_rows.indicator_id
    AND family_rows.period_end >= published.first_period_end
WHERE family_rows.indicator_id IN ({{ indicator_ids }});

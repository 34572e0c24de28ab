-- Month ends with monthly indicator values, per LA, latest first: the pages the report can make.
SELECT la_code, period_end
FROM marts.indicator_values
WHERE period_end = last_day(period_end)
GROUP BY la_code, period_end
ORDER BY la_code, period_end DESC

-- marts.indicator_catalogue as published: every column, text typed as VARCHAR.
SELECT * FROM marts.indicator_catalogue ORDER BY indicator_id

-- The ONS mid-year estimates of the population aged 0-17 (the DfE's copy, vendored in
-- warehouse/reference/dfe) for the councils given that have no row at all in reference.population
-- (that is, in population.csv). Parameter: ons_file; bound: $la_codes.
INSERT INTO reference.population
SELECT trim(new_la_code), time_period::INTEGER, TRY_CAST(population_estimate AS DOUBLE)
FROM read_csv('{{ ons_file }}', header = true, all_varchar = true)
WHERE geographic_level = 'Local authority'
    AND age_group = 'Children aged 0 to 17 years'
    AND trim(new_la_code) IN (SELECT unnest($la_codes::VARCHAR[]))
    AND trim(new_la_code) NOT IN (SELECT la_code FROM reference.population)
    AND TRY_CAST(population_estimate AS DOUBLE) > 0

CREATE SCHEMA IF NOT EXISTS reference;

-- ONS mid-year estimates of the population aged 0-17, per upper-tier LA and year.
CREATE TABLE IF NOT EXISTS reference.population (
    la_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    population_0_17 DOUBLE NOT NULL
);

-- Shared definitions from spec/indicators.md "Shared rules", as DuckDB macros so that every model
-- and indicator query applies the same rule. Run before the models.
CREATE SCHEMA IF NOT EXISTS model;

-- "Age at d": whole years from DOB to d. A 29 February birthday falls on 1 March in other years.
CREATE OR REPLACE MACRO model.age_in_years(dob, d) AS
    year(d) - year(dob)
    - CASE WHEN month(d) * 100 + day(d) < month(dob) * 100 + day(dob) THEN 1 ELSE 0 END;

-- "Breakdowns": age_band (under 1, 1-4, 5-9, 10-15, 16+)
CREATE OR REPLACE MACRO model.age_band(age) AS
    CASE
        WHEN age IS NULL THEN 'not_known'
        WHEN age < 1 THEN 'under 1'
        WHEN age <= 4 THEN '1-4'
        WHEN age <= 9 THEN '5-9'
        WHEN age <= 15 THEN '10-15'
        ELSE '16+'
    END;

-- "Breakdowns": sex. Returns before 2024/25 code 1 = male, 2 = female; from 2024/25 M, F, U.
CREATE OR REPLACE MACRO model.sex_group(sex) AS
    CASE WHEN sex IN ('1', 'M') THEN 'M' WHEN sex IN ('2', 'F') THEN 'F' ELSE 'U' END;

-- "Breakdowns": ethnicity_group = first letter of ETHNIC: W, M, A, B; C/O as Other;
-- REFU/NOBT (and blank or unrecognised) as Not known
CREATE OR REPLACE MACRO model.ethnicity_group(ethnic) AS
    CASE
        WHEN ethnic IN ('REFU', 'NOBT') OR ethnic IS NULL THEN 'Not known'
        WHEN left(ethnic, 1) IN ('W', 'M', 'A', 'B') THEN left(ethnic, 1)
        WHEN left(ethnic, 1) IN ('C', 'O') THEN 'Other'
        ELSE 'Not known'
    END;

-- "Breakdowns": legal_status (C1/C2 care order, E1/D1 placement order, V2 s20, J1-J3 youth
-- justice, L1-L3 emergency)
CREATE OR REPLACE MACRO model.legal_status_group(ls) AS
    CASE
        WHEN ls IN ('C1', 'C2') THEN 'care_order'
        WHEN ls IN ('E1', 'D1') THEN 'placement_order'
        WHEN ls = 'V2' THEN 's20'
        WHEN ls IN ('J1', 'J2', 'J3') THEN 'youth_justice'
        WHEN ls IN ('L1', 'L2', 'L3') THEN 'emergency'
        ELSE 'not_known'
    END;

-- "Placement groups"
CREATE OR REPLACE MACRO model.placement_group(place) AS
    CASE
        WHEN place IN ('U1', 'U2', 'U3') THEN 'foster_kinship'
        WHEN place IN ('U4', 'U5', 'U6') THEN 'foster_other'
        WHEN place IN ('A3', 'A4', 'A5', 'A6') THEN 'placed_for_adoption'
        WHEN place = 'P1' THEN 'placed_with_parents'
        WHEN place = 'K2' THEN 'childrens_home'
        WHEN place = 'K1' THEN 'secure_home'
        WHEN place IN ('K3', 'H5', 'P2') THEN 'supported_accommodation'
        WHEN place IN ('R1', 'R2', 'R3', 'R5', 'S1') THEN 'residential_other'
        WHEN place IN ('P3', 'Z1', 'Z11', 'Z12', 'Z13', 'Z14') THEN 'other'
        ELSE 'not_known'
    END;

-- "reason_group" for cla_ceased_12m
CREATE OR REPLACE MACRO model.reason_group(rec) AS
    CASE
        WHEN rec IN ('E11', 'E12') THEN 'adopted'
        WHEN rec IN ('E45', 'E46', 'E47', 'E48') THEN 'sgo'
        WHEN rec = 'E41' THEN 'cao'
        WHEN rec IN ('E4A', 'E4B', 'E13') THEN 'home'
        WHEN rec IN ('E5', 'E6') THEN 'independent'
        WHEN rec = 'E17' THEN 'staying_put'
        WHEN rec IN ('E9', 'E14') THEN 'custody'
        WHEN rec = 'E8' THEN 'other'
        WHEN rec IN ('E3', 'E7', 'E15', 'E16') THEN 'transfer'
        WHEN rec = 'E2' THEN 'died'
        ELSE 'not_known'
    END;

-- "Percentages": 100 * numerator / denominator; NULL when the denominator is 0
CREATE OR REPLACE MACRO model.pct(numerator, denominator) AS
    CASE WHEN denominator > 0 THEN 100.0 * numerator / denominator END;

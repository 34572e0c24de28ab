-- The postcodes of the episodes of the extracts to validate (registered frame dq_stale) that the
-- ONS Postcode Directory knows (pcd_abbr form: upper case, no spaces). Only these are handed to
-- the suite, not the 2.7M-row directory.
WITH extract_postcodes AS (
    SELECT upper(replace(e.home_post, ' ', '')) AS pcd_abbr
    FROM staging.episodes AS e
    SEMI JOIN dq_stale AS s ON e.la_code = s.la_code AND e.extract_date = CAST(s.extract_date AS DATE)
    WHERE e.home_post IS NOT NULL
    UNION
    SELECT upper(replace(e.pl_post, ' ', '')) AS pcd_abbr
    FROM staging.episodes AS e
    SEMI JOIN dq_stale AS s ON e.la_code = s.la_code AND e.extract_date = CAST(s.extract_date AS DATE)
    WHERE e.pl_post IS NOT NULL
)
SELECT DISTINCT directory.pcd_abbr
FROM reference.postcodes AS directory
JOIN extract_postcodes USING (pcd_abbr)

-- The postcodes of one extract's episodes that the ONS Postcode Directory knows (pcd_abbr form:
-- upper case, no spaces). Only these are handed to the suite, not the 2.7M-row directory.
-- Parameters: $la_code, $extract_date.
WITH extract_postcodes AS (
    SELECT upper(replace(home_post, ' ', '')) AS pcd_abbr
    FROM staging.episodes
    WHERE la_code = $la_code AND extract_date = $extract_date AND home_post IS NOT NULL
    UNION
    SELECT upper(replace(pl_post, ' ', '')) AS pcd_abbr
    FROM staging.episodes
    WHERE la_code = $la_code AND extract_date = $extract_date AND pl_post IS NOT NULL
)
SELECT DISTINCT directory.pcd_abbr
FROM reference.postcodes AS directory
JOIN extract_postcodes USING (pcd_abbr)

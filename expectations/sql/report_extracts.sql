-- Extracts whose error report must be written (pending) or removed (no validated table left).
SELECT p.la_code, p.extract_date,
       EXISTS (SELECT 1 FROM quality.validations AS v
               WHERE v.la_code = p.la_code AND v.extract_date = p.extract_date) AS present
FROM quality.reports AS p
WHERE p.pending
   OR NOT EXISTS (SELECT 1 FROM quality.validations AS v
                  WHERE v.la_code = p.la_code AND v.extract_date = p.extract_date)
ORDER BY p.la_code, p.extract_date

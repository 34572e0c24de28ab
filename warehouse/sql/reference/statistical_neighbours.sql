-- reference.statistical_neighbours: each council's 10 statistical neighbours in the DfE's 2025
-- children's services model, closest first, with the model's closeness band. Parameter: sn_model.
CREATE SCHEMA IF NOT EXISTS reference;

CREATE OR REPLACE TABLE reference.statistical_neighbours AS
WITH wide AS (
    SELECT * FROM read_csv('{{ sn_model }}', header = true, all_varchar = true)
),
long AS (
    {% for n in range(1, 11) %}
    {% if not loop.first %}UNION ALL{% endif %}
    SELECT trim(old_la_code) AS dfe_code, {{ n }} AS neighbour_rank,
        trim("SN_{{ n }}") AS neighbour_dfe_code, nullif(trim("SN_{{ n }}P"), '') AS closeness
    FROM wide
    {% endfor %}
)
SELECT c.la_code::VARCHAR AS la_code, l.neighbour_rank::INTEGER AS neighbour_rank,
    n.la_code::VARCHAR AS neighbour_la_code, l.neighbour_dfe_code::VARCHAR AS neighbour_dfe_code,
    n.la_name::VARCHAR AS neighbour_name, l.closeness::VARCHAR AS closeness
FROM long AS l
JOIN reference.councils AS c ON c.dfe_code = l.dfe_code
LEFT JOIN reference.councils AS n ON n.dfe_code = l.neighbour_dfe_code
ORDER BY c.la_code, l.neighbour_rank;

COMMENT ON TABLE reference.statistical_neighbours IS
    'Each council''s 10 statistical neighbours (DfE children''s services model 2025), closest '
    'first, with closeness (Very close, Close, Somewhat close, Not close)';
COMMENT ON COLUMN reference.statistical_neighbours.neighbour_rank IS '1 = the closest neighbour';

-- Apply table/view and column descriptions (COMMENT ON). Built by warehouse/descriptions.py,
-- which passes identifiers and texts already quoted for SQL.
-- Parameter: comments (list of {kind, target, text}; kind is TABLE, VIEW or COLUMN).
{% for c in comments -%}
COMMENT ON {{ c.kind }} {{ c.target }} IS {{ c.text }};
{% endfor %}

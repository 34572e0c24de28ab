"""Pages and the index as HTML, from the Jinja templates in templates/. A page loads nothing from
the network: its CSS and SVG charts are inline."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from warehouse.report.formatting import long_date
from warehouse.report.page import Page

TEMPLATE_DIR = Path(__file__).with_name("templates")
RAG_LABELS = {"green": "On target", "amber": "Near target", "red": "Off target"}


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["fmt_pct"] = lambda v: "–" if v is None else f"{v:.1f}%"
    env.filters["fmt_int"] = lambda v: "–" if v is None else f"{v:,.0f}"
    return env


def render_page(page: Page) -> str:
    return (
        _env()
        .get_template("highlight.html.j2")
        .render(page=page, rag_labels=RAG_LABELS, css=_env().get_template("style.css.j2").render())
    )


def render_index(items: list[tuple[str, str, str]]) -> str:
    """items: (page path relative to the index, la_code, YYYY-MM), in the order listed."""
    return _env().get_template("index.html.j2").render(items=items)

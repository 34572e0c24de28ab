"""Pages and the index as HTML, from the Jinja templates in templates/. A page loads nothing from
the network: its CSS and SVG charts are inline."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from warehouse.report.formatting import long_date
from warehouse.report.page import Page

TEMPLATE_DIR = Path(__file__).with_name("templates")
RAG_LABELS = {"green": "On target", "amber": "Near target", "red": "Off target",
              "small": "Small numbers"}


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


def css_string(text: str) -> str:
    """A CSS string literal (for the printed footer's council name)."""
    return '"' + "".join(c if c.isalnum() or c in " ,.:'()&-" else f"\\{ord(c):x} "
                         for c in text) + '"'


def render_page(page: Page) -> str:
    css = _env().get_template("style.css.j2").render(
        footer=css_string(f"{page.who}: children in care, {page.month}"))
    return _env().get_template("highlight.html.j2").render(page=page, rag_labels=RAG_LABELS,
                                                           css=css)


def render_index(items: list[tuple[str, str, str, str, str | None]]) -> str:
    """items: (page path relative to the index, la_code, YYYY-MM, council name, PDF path or
    None), in the order listed."""
    return _env().get_template("index.html.j2").render(items=items)

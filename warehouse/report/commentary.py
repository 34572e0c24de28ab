"""Officers' commentary for a page: <landing>/commentary/<la_code>/<YYYY-MM>.md, Markdown.

Each `#` or `##` section whose heading names a theme (its label, such as "Stability" or
"Missing from care", or its id) is placed beside that theme; text before the first heading and
sections headed "Summary" or "Overview" go on the summary page; a section naming no theme goes
there too, under its own heading. A missing file or section leaves no empty box.

Rendered safely: CommonMark with raw HTML off (a `<script>` is shown as text) and images off
(a page loads nothing); markdown-it drops javascript: and data: links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt

COMMENTARY_DIR = "commentary"
SUMMARY_HEADINGS = {"summary", "overview", "introduction"}
_HEADING = re.compile(r"^ {0,3}(#{1,2})\s+(.*?)\s*#*\s*$")


@dataclass
class Commentary:
    summary: str = ""  # HTML
    themes: dict[str, str] = field(default_factory=dict)  # theme id -> HTML
    source: str = ""  # the file, relative to the landing folder

    def __bool__(self) -> bool:
        return bool(self.summary or self.themes)


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def render_markdown(text: str) -> str:
    return _markdown().render(text)


def commentary_path(landing_dir: Path, la_code: str, period_end: date) -> Path:
    return landing_dir / COMMENTARY_DIR / la_code / f"{period_end:%Y-%m}.md"


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _theme_of(heading: str, themes: dict[str, str]) -> str | None:
    key = _key(heading)
    for theme, label in themes.items():
        if key in {_key(label), _key(theme)}:
            return theme
    for theme, label in themes.items():  # "Missing" for "Missing from care"
        if key and _key(label).startswith(key + " "):
            return theme
    return None


def parse(text: str, themes: dict[str, str]) -> Commentary:
    """Split Markdown into the summary and per-theme sections (themes: id -> label)."""
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            sections.append((match.group(2), []))
        else:
            sections[-1][1].append(line)
    result = Commentary()
    summary: list[str] = []
    by_theme: dict[str, list[str]] = {}
    for heading, lines in sections:
        body = "\n".join(lines).strip()
        if not body:
            continue
        theme = None if heading is None else _theme_of(heading, themes)
        if theme:
            by_theme.setdefault(theme, []).append(body)
        elif heading is None or _key(heading) in SUMMARY_HEADINGS:
            summary.append(body)
        else:
            summary.append(f"### {heading}\n\n{body}")
    result.summary = render_markdown("\n\n".join(summary)) if summary else ""
    result.themes = {t: render_markdown("\n\n".join(b)) for t, b in by_theme.items()}
    return result


def load_commentary(landing_dir: Path | None, la_code: str, period_end: date,
                    themes: dict[str, str]) -> Commentary:
    """The page's commentary; empty when there is no file."""
    if landing_dir is None:
        return Commentary()
    path = commentary_path(landing_dir, la_code, period_end)
    if not path.is_file():
        return Commentary()
    result = parse(path.read_text(encoding="utf-8-sig", errors="replace"), themes)
    result.source = path.relative_to(landing_dir).as_posix()
    return result

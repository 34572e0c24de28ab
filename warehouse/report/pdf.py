"""The board paper as PDF beside each HTML page: headless Chromium's print-to-PDF, offline.

A4, page numbers and the council's name and month in the footer come from the page's own print
CSS (`@page` margin boxes in templates/style.css.j2), so a person printing the HTML gets the same
paper. Chromium runs with networking off (a proxy that points nowhere, a host resolver that
resolves nothing, no background services), though a page loads nothing anyway.

Chromium is not a Python package: without it the report is still written, the PDF is not, and
the caller logs so (`find_chromium` returns None). scripts/ensure_chromium.sh installs it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
)
# one /Type /Page object per page (not /Pages, the tree's nodes)
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


class PdfError(RuntimeError):
    pass


@dataclass
class PdfResult:
    written: dict[Path, int] = field(default_factory=dict)  # PDF -> pages
    chromium: str | None = None


def find_chromium(preferred: str | None = None) -> str | None:
    """The Chromium to print with: `preferred` if given and present, else the usual names."""
    for name in ([preferred] if preferred else []) + list(CANDIDATES):
        found = name if os.path.isabs(name) and os.access(name, os.X_OK) else shutil.which(name)
        if found:
            return found
    return None


def page_count(pdf: Path) -> int:
    """Pages in a PDF as Chromium writes it (uncompressed object headers)."""
    return len(_PAGE_OBJECT.findall(pdf.read_bytes()))


def write_pdf(html: Path, chromium: str, pdf: Path | None = None, timeout: float = 120) -> Path:
    """Print `html` to `pdf` (default: beside it, .pdf); written aside, then renamed over."""
    pdf = pdf or html.with_suffix(".pdf")
    tmp = pdf.with_name(f".{pdf.name}.tmp-{uuid.uuid4().hex[:8]}")
    profile = tempfile.mkdtemp(prefix="chromium-pdf-")
    try:
        done = subprocess.run(
            [chromium, *OFFLINE_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}",
             html.resolve().as_uri()],
            capture_output=True, timeout=timeout, check=False,
        )
        if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            raise PdfError(f"{html.name}: Chromium did not print it (exit {done.returncode})")
        os.replace(tmp, pdf)
    finally:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(profile, ignore_errors=True)
    return pdf


def write_pdfs(pages: list[Path], chromium: str | None) -> PdfResult:
    """A PDF beside each page; none when there is no Chromium (result.chromium is None)."""
    result = PdfResult(chromium=chromium)
    if chromium is None:
        return result
    for html in pages:
        pdf = write_pdf(html, chromium)
        result.written[pdf] = page_count(pdf)
    return result

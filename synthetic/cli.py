"""`csc-synth`: command line of the synthetic 903 generator."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from synthetic.dirt import KINDS
from synthetic.generator import PRESETS, generate

app = typer.Typer(help="Synthetic SSDA903 extracts for English councils (no real children).",
                  no_args_is_help=True)


@app.callback()
def main() -> None:
    """Synthetic SSDA903 extracts."""


@app.command("generate")
def generate_cmd(
    out: Annotated[Path, typer.Option("--out", help="Landing directory to write")],
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the preset's)")] = None,
    la: Annotated[list[str] | None, typer.Option("--la", help="ONS LA code, repeatable")] = None,
    start_year: Annotated[int | None, typer.Option(
        help="First annual return, as the year containing its 31 March (2016 = 2015/16)")] = None,
    end_year: Annotated[int | None, typer.Option(
        help="Latest collection year (2026 = 2025/26)")] = None,
    monthly: Annotated[bool | None, typer.Option(
        "--monthly/--no-monthly", help="Month-end year-to-date extracts in the latest year")
    ] = None,
    dirt: Annotated[list[str] | None, typer.Option(
        "--dirt", help=f"Messy-input kind, repeatable: {', '.join(KINDS)}")] = None,
    preset: Annotated[str, typer.Option(help=f"One of: {', '.join(PRESETS)}")] = "sample",
) -> None:
    """Write extracts to OUT/<la_code>/<extract date>/ and OUT/reference/population.csv."""
    if preset not in PRESETS:
        raise typer.BadParameter(f"unknown preset {preset!r}")
    started = time.perf_counter()
    result = generate(out, seed=seed, las=la, start_year=start_year, end_year=end_year,
                      monthly=monthly, dirt=tuple(dirt or ()), preset=preset)
    typer.echo(f"wrote {len(result.files)} files for {len(result.children_in_care)} LA(s) to "
               f"{out} in {time.perf_counter() - started:.1f} s")
    for code, n in result.children_in_care.items():
        typer.echo(f"  {code}: {n} children in care at the last 31 March before the latest year")
    if result.injections:
        typer.echo(f"  {len(result.injections)} dirt injections (dirt_manifest.json)")


if __name__ == "__main__":
    app()

"""One indicator as a page shows it: its current and previous points, trend, target and RAG,
national comparator, caveats and narrative, with the texts the template prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from warehouse.domain import catalogue
from warehouse.report.benchmarks import Benchmarks
from warehouse.report.formatting import fmt_change, fmt_count, fmt_short, fmt_value
from warehouse.report.page_data import Point
from warehouse.report.targets import Target


@dataclass
class IndicatorView:
    ind: catalogue.Indicator
    period_end: date | None
    current: Point | None
    previous: Point | None
    previous_label: str  # "the end of February 2025" / "31 March 2024"
    series: list[tuple[date, float | None]]
    highest_12m: bool = False
    lowest_12m: bool = False
    target: Target | None = None
    rag: str | None = None
    comparator: catalogue.Comparator | None = None
    caveats: list[str] = field(default_factory=list)
    breakdown_rows: list[tuple[str, Point]] = field(default_factory=list)
    narrative: str = ""
    chart_svg: str = ""
    materiality: float = 0.0  # a smaller change counts as unchanged when sorting the summary
    bench: Benchmarks | None = None
    # a denominator under the small-denominator threshold: no traffic light, "small numbers"
    small_numbers: bool = False

    @property
    def status(self) -> str | None:
        """The traffic light shown: green / amber / red, 'small' instead of one when the
        denominator is small, None without a target."""
        if self.rag is None:
            return None
        return "small" if self.small_numbers else self.rag

    @property
    def trend_arrow(self) -> str:
        change = self.change
        if change is None:
            return ""
        if abs(change) < max(self.materiality, 1e-9):
            return "►"
        return "▲" if change > 0 else "▼"

    def short(self, value: float | None) -> str:
        return fmt_short(self.ind.unit, value)

    @property
    def quartile_text(self) -> str | None:
        """'Q2' with its meaning, for the badge; None for counts or without a published rank."""
        b = self.bench
        if b is None or b.quartile is None:
            return None
        return f"Q{b.quartile}"

    @property
    def quartile_title(self) -> str:
        b = self.bench
        if b is None or b.quartile is None:
            return ""
        best = "lowest" if self.ind.polarity == "context" else "best"
        return (f"Quartile {b.quartile} of 4 among {b.rank_of} councils ({b.year_text}, DfE "
                f"published; rank {b.rank}, 1 = {best})")

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    @property
    def direction(self) -> str | None:
        """improved / worsened / unchanged by polarity; None for context or no comparison."""
        change = self.change
        if change is None or self.ind.polarity not in {"higher_better", "lower_better"}:
            return None
        if abs(change) < max(self.materiality, 1e-9):
            return "unchanged"
        better = change > 0 if self.ind.polarity == "higher_better" else change < 0
        return "improved" if better else "worsened"

    @property
    def value_text(self) -> str:
        if self.current is None:
            return "No data"
        if self.current.suppressed:
            return "Fewer than 5"
        return fmt_value(self.ind.unit, self.current.value)

    @property
    def count_text(self) -> str | None:
        c = self.current
        if c is None or c.suppressed:
            return None
        return fmt_count(self.ind.unit, c.numerator, c.denominator)

    @property
    def previous_text(self) -> str:
        p = self.previous
        if p is None:
            return "–"
        return "fewer than 5" if p.suppressed else fmt_value(self.ind.unit, p.value)

    @property
    def change_text(self) -> str | None:
        change = self.change
        if change is None:
            return None
        if abs(change) < 1e-9:
            return "no change"
        arrow = "▲" if change > 0 else "▼"
        return f"{arrow} {fmt_change(self.ind.unit, change)}"

    @property
    def target_text(self) -> str | None:
        if self.target is None:
            return None
        return fmt_value(self.ind.unit, self.target.target)

    @property
    def comparator_text(self) -> str | None:
        c = self.comparator
        if c is None:
            return None
        return f"{c.description}: {fmt_value(self.ind.unit, c.value)}"

    @property
    def anchor(self) -> str:
        return f"ind-{self.ind.indicator_id}"

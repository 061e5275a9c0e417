"""The report's two charts, drawn from its figures: the trend of the headline measure and the
crime-type scorecard, as PNG and SVG files beside the report and as described inline SVG
figures in it. Imported only when a report is written (it imports matplotlib).

Example::

    >>> trend, scorecard = report_charts(windows, trend_cells, crime_type_cells)  # doctest: +SKIP
    >>> [path.name for path in trend.write(Path("reports/VictimVoice_report_2026-11"))]  # doctest: +SKIP
    ['VictimVoice_report_2026-11_trend.png', 'VictimVoice_report_2026-11_trend.svg']
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.figure import Figure

from victim_voice.outputs.charts import Point, inline_svg, scorecard_chart, svg_text, trend_chart, write_chart
from victim_voice.outputs.formatting import LOW_RELIABILITY, NOT_AVAILABLE, WITHHELD
from victim_voice.outputs.headline import HEADLINE
from victim_voice.outputs.report_figures import Cell, ReportWindows, capitalised


def shorthand_of(cell: Cell) -> str:
    """The shorthand a chart shows for a published cell: [c] withheld, [u] low reliability."""
    if cell.withheld:
        return WITHHELD
    return LOW_RELIABILITY if cell.indicative else ""


def as_point(label: str, cell: Cell) -> Point:
    if cell.withheld or cell.rate is None:
        return Point(label, None, shorthand=WITHHELD if cell.withheld else NOT_AVAILABLE)
    return Point(label, cell.rate, cell.ci_low, cell.ci_high, shorthand_of(cell))


def described(points: list[Point]) -> str:
    """Where the shown points start and end, and their lowest and highest, in words."""
    rated = [p for p in points if p.rate is not None]
    if not rated:
        return "No figure can be shown."
    low, high = min(rated, key=lambda p: p.rate), max(rated, key=lambda p: p.rate)
    text = f"Lowest {low.label}, {100 * low.rate:.1f}%; highest {high.label}, {100 * high.rate:.1f}%."
    withheld = [p.label for p in points if p.rate is None]
    return text + (f" Not shown ({WITHHELD} or {NOT_AVAILABLE}): {', '.join(withheld)}." if withheld else "")


def trend_description(title: str, points: list[Point]) -> str:
    rated = [p for p in points if p.rate is not None]
    if len(rated) < 2:
        return f"{title}: {len(rated)} published period so far, not yet a trend. {described(points)}"
    first, last = rated[0], rated[-1]
    return (f"{title}: {100 * first.rate:.1f}% in {first.label} and {100 * last.rate:.1f}% in {last.label}, "
            f"with the 95% interval shaded. {described(points)}")  # fmt: skip


@dataclass(frozen=True)
class Chart:
    """One of the report's charts, and its text alternative."""

    name: str
    figure: Figure
    words: str
    svg: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "svg", svg_text(self.figure))  # drawn once, for the page and the file

    def files_stem(self, report_stem: Path) -> Path:
        """``VictimVoice_report_2026-11_trend`` beside ``VictimVoice_report_2026-11``."""
        return report_stem.with_name(f"{report_stem.name}_{self.name}")

    def html(self, report_stem: Path) -> str:
        """An HTML figure: the chart as inline SVG, described in words, naming its files."""
        saved = f"Also saved as {self.files_stem(report_stem).name}.png and .svg."
        svg = inline_svg(self.svg, self.name, self.words)
        return f"<figure>{svg}<figcaption>{html.escape(self.words)} {html.escape(saved)}</figcaption></figure>"

    def write(self, report_stem: Path) -> list[Path]:
        """The chart as ``<report stem>_<name>.png`` and ``.svg``."""
        return write_chart(self.figure, self.files_stem(report_stem), self.svg)


def report_charts(windows: ReportWindows, trend: list[tuple[str, Cell]], bars: list[tuple[str, Cell]]) -> list[Chart]:
    """The trend of the headline measure (``trend``: its windows up to the report's, labelled)
    and the scorecard (``bars``: it by crime type in the tables' window, all victims first)."""
    label = HEADLINE[0][1]
    rolling = windows.trend_type == "rolling_3m"
    trend_title = f"{label}, {'rolling 3 months' if rolling else 'financial quarters'}"
    points = [as_point(period, cell) for period, cell in trend]
    shown = [as_point(name, cell) for name, cell in bars]
    window = windows.detail.describe()
    everyone = shown[0]
    card_words = (f"{label}, by crime type, {window}. Bars: the rate, with its 95% interval; dashed line: all victims"
                  f"{'' if everyone.rate is None else f' ({100 * everyone.rate:.1f}%)'}. {described(shown[1:])} "
                  "Every figure is in the table below.")  # fmt: skip
    card_title = f"{label}, by crime type\n{capitalised(window)}"
    return [
        Chart("trend", trend_chart(trend_title, points, "3 months ending" if rolling else "Financial quarter"),
              trend_description(trend_title, points)),
        Chart("scorecard", scorecard_chart(card_title, shown, Point("All victims", everyone.rate)), card_words),
    ]  # fmt: skip

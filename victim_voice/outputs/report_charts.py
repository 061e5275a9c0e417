"""The report's two charts, drawn from its figures: the trend of the headline measure and the
crime-type scorecard, as PNG and SVG files beside the report and as described inline SVG
figures in it. Imported only when a report is written (it imports matplotlib).

Example::

    >>> figures, files = report_charts(data, Path("reports/VictimVoice_report_2026-11"))  # doctest: +SKIP
    >>> [path.name for path in files][:2]  # doctest: +SKIP
    ['VictimVoice_report_2026-11_trend.png', 'VictimVoice_report_2026-11_trend.svg']
"""

from __future__ import annotations

import html
from pathlib import Path

from victim_voice.outputs.charts import Point, inline_svg, scorecard_chart, trend_chart, write_chart
from victim_voice.outputs.formatting import LOW_RELIABILITY, NOT_AVAILABLE, WITHHELD
from victim_voice.outputs.headline import HEADLINE
from victim_voice.outputs.report import ReportData, capitalised, crime_type_rows
from victim_voice.outputs.report_figures import NO_ANSWERS, Cell


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


def report_charts(data: ReportData, stem: Path) -> tuple[dict[str, str], list[Path]]:
    """The report's trend and scorecard: as ``<stem>_trend.png/.svg`` and
    ``<stem>_scorecard.png/.svg``, and as HTML figures (inline SVG, described in words) for
    the page."""
    measure, label = HEADLINE[0]
    rolling = data.windows.trend_type == "rolling_3m"
    trend_title = f"{label}, {'rolling 3 months' if rolling else 'financial quarters'}"
    points = [as_point(period, cell) for period, cell in data.trend]
    bars = [as_point(name, data.detail.get((measure, *key), NO_ANSWERS)) for name, key in crime_type_rows(data)]
    window = data.windows.detail.describe()
    card_title = f"{label}, by crime type\n{capitalised(window)}"
    everyone = bars[0]
    card_words = (f"{label}, by crime type, {window}. Bars: the rate, with its 95% interval; dashed line: all victims"
                  f"{'' if everyone.rate is None else f' ({100 * everyone.rate:.1f}%)'}. {described(bars[1:])} "
                  "Every figure is in the table below.")  # fmt: skip
    charts = {
        "trend": (trend_chart(trend_title, points, "3 months ending" if rolling else "Financial quarter"),
                  trend_description(trend_title, points)),
        "scorecard": (scorecard_chart(card_title, bars, Point("All victims", everyone.rate)), card_words),
    }  # fmt: skip
    figures, files = {}, []
    for name, (figure, words) in charts.items():
        written = write_chart(figure, stem.with_name(f"{stem.name}_{name}"))
        files += written
        saved = f"Also saved as {written[0].name} and .svg."
        svg = inline_svg(written[1].read_text(encoding="utf-8"), name, words)
        figures[name] = f"<figure>{svg}<figcaption>{html.escape(words)} {html.escape(saved)}</figcaption></figure>"
    return figures, files

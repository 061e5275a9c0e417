"""The report's charts, as PNG and SVG files to paste into papers and as inline SVG in the report.

Two charts: the trend of the headline measure with its 95% interval band, and a scorecard of
bars with interval error bars. Drawn with matplotlib (Agg, no pyplot state), in the Okabe-Ito
palette (told apart with colour-blindness), with text kept as text in the SVG. Reruns give
identical files: a fixed ``svg.hashsalt`` and no dates or software names in the metadata.

This module imports matplotlib; only the report imports it, when it writes a report, so the
command line starts quickly.

Example::

    >>> points = [Point("Jun 2026", 0.58, 0.53, 0.63), Point("Sep 2026", 0.62, 0.57, 0.66)]
    >>> figure = trend_chart("Whole experience", points, "3 months ending")
    >>> [path.name for path in write_chart(figure, Path("out/VictimVoice_report_2026-11_trend"))]  # doctest: +SKIP
    ['VictimVoice_report_2026-11_trend.png', 'VictimVoice_report_2026-11_trend.svg']
"""

from __future__ import annotations

import html
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from victim_voice.outputs.formatting import LOW_RELIABILITY, WITHHELD
from victim_voice.outputs.output_files import written_whole

# Okabe-Ito: distinguishable with every common form of colour-blindness.
BLUE, ORANGE, SKY_BLUE, GREY = "#0072B2", "#E69F00", "#56B4E9", "#595959"
STYLE = {
    "svg.hashsalt": "victim-voice",  # ids in the SVG from this, not from a random number
    "svg.fonttype": "none",  # text stays text: selectable, read by screen readers, smaller
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
NO_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


@dataclass(frozen=True)
class Point:
    """One bar or one point of a line: a rate and its 95% interval (None when withheld or
    missing), with the shorthand shown for it ("[c]", "[u]") when there is one."""

    label: str
    rate: float | None
    low: float | None = None
    high: float | None = None
    shorthand: str = ""


def new_figure(width: float, height: float) -> Figure:
    """A figure of the given size in inches, white, laid out to fit its labels."""
    return Figure(figsize=(width, height), dpi=100, layout="constrained", facecolor="white")


def percent_axis(axis) -> None:
    """An axis from 0% to 100% in steps of 20."""
    axis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))


def trend_chart(title: str, points: list[Point], x_title: str) -> Figure:
    """The rate over time as a line with its 95% interval shaded; a withheld period is a gap."""
    with matplotlib.rc_context(STYLE):
        figure = new_figure(8, 2.4)
        axes = figure.add_subplot()
        xs = range(len(points))
        rates = [math.nan if p.rate is None else p.rate for p in points]
        lows = [math.nan if p.low is None else p.low for p in points]
        highs = [math.nan if p.high is None else p.high for p in points]
        axes.fill_between(xs, lows, highs, color=SKY_BLUE, alpha=0.35, linewidth=0, label="95% interval")
        axes.plot(xs, rates, color=BLUE, linewidth=2.2, marker="o", markersize=4, label="Rate")
        for x, point in zip(xs, points, strict=True):
            if point.shorthand:
                y = 0.04 if point.rate is None else point.rate + 0.04
                axes.annotate(point.shorthand, (x, y), ha="center", fontsize=8, color=GREY)
        axes.set_ylim(0, 1)
        percent_axis(axes.yaxis)
        step = max(1, math.ceil(len(points) / 8))
        axes.set_xticks(list(xs)[::step], [p.label for p in points][::step])
        axes.set_xlabel(x_title)
        axes.set_title(title, loc="left", fontsize=11)
        axes.grid(axis="y", color="#dddddd", linewidth=0.8)
        axes.legend(loc="lower right", frameon=False)
    return figure


def scorecard_chart(title: str, bars: list[Point], reference: Point | None = None) -> Figure:
    """Horizontal bars with their 95% intervals, first bar on top; a withheld bar is its
    shorthand alone; ``reference`` (e.g. all victims) is a dashed line."""
    with matplotlib.rc_context(STYLE):
        figure = new_figure(8, 1.2 + 0.34 * len(bars))
        axes = figure.add_subplot()
        ys = list(range(len(bars)))[::-1]
        for y, bar in zip(ys, bars, strict=True):
            if bar.rate is None:
                axes.text(0.01, y, bar.shorthand or WITHHELD, va="center", fontsize=9, color=GREY)
                continue
            hatch = "///" if bar.shorthand == LOW_RELIABILITY else None
            axes.barh(y, bar.rate, color=BLUE if hatch is None else "white", edgecolor=BLUE, hatch=hatch, height=0.6)
            axes.errorbar(bar.rate, y, xerr=[[bar.rate - bar.low], [bar.high - bar.rate]], fmt="none",
                          ecolor="#1a1a1a", elinewidth=1.2, capsize=3)  # fmt: skip
            text = f"{100 * bar.rate:.0f}%" + (f" {bar.shorthand}" if bar.shorthand else "")
            axes.text(min(bar.high + 0.015, 0.93), y, text, va="center", fontsize=8.5)
        if reference is not None and reference.rate is not None:
            axes.axvline(reference.rate, color=ORANGE, linestyle="--", linewidth=1.5, label=reference.label)
            axes.legend(loc="lower right", frameon=False, fontsize=8.5)
        axes.set_yticks(ys, [bar.label for bar in bars])
        axes.set_xlim(0, 1)
        percent_axis(axes.xaxis)
        axes.set_title(title, loc="left", fontsize=11)
        axes.grid(axis="x", color="#dddddd", linewidth=0.8)
        axes.set_axisbelow(True)
    return figure


def svg_text(figure: Figure) -> str:
    """The figure as SVG text, the same bytes :func:`write_chart` writes to its ``.svg``."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", dpi=150, metadata=NO_METADATA["svg"])
    return buffer.getvalue().decode("utf-8")


def write_chart(figure: Figure, stem: Path, svg: str | None = None) -> list[Path]:
    """The figure as ``<stem>.png`` (150 dpi, for pasting) and ``<stem>.svg`` (scales; ``svg``
    when it was drawn already), each written whole; the same figure gives the same bytes
    every time."""
    png = stem.with_name(f"{stem.name}.png")
    with written_whole(png) as part, matplotlib.rc_context(STYLE):
        figure.savefig(part, format="png", dpi=150, metadata=NO_METADATA["png"])
    vector = stem.with_name(f"{stem.name}.svg")
    with written_whole(vector) as part:
        part.write_text(svg_text(figure) if svg is None else svg, encoding="utf-8")
    return [png, vector]


def inline_svg(svg: str, prefix: str, description: str) -> str:
    """An SVG file's text ready to sit inside an HTML page: no XML prologue, ids made unique
    with ``prefix`` (two charts on one page), scaled to the page's width, and announced to
    screen readers as one image described by ``description``.

    >>> inline_svg('<?xml version="1.0"?><svg width="1pt" height="1pt"><g id="a"/></svg>', "t", "A & B")
    '<svg role="img" aria-label="A &amp; B" width="100%"><title>A &amp; B</title><g id="t-a"/></svg>'
    """
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    text = html.escape(description)
    opening = re.match(r"<svg\b[^>]*>", svg).group(0)
    sized = re.sub(r'\s(width|height)="[^"]*"', "", opening)
    announced = sized.replace("<svg", f'<svg role="img" aria-label="{text}"', 1).replace(">", ' width="100%">', 1)
    return announced + f"<title>{text}</title>" + svg[len(opening) :].strip()

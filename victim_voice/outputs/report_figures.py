"""The published figures a report reads: its windows, and the cells of each window.

A report covers a ``period`` of one of three kinds: ``rolling`` (the 3 months ending with the
period, beside the 12 months ending with it), ``quarter`` (the financial quarter ending with
it) or ``financial_year`` (April to March). Its tables use the 12 months ending with the
period where the data cover a whole 12 months, otherwise the 3 months, and say which.

Every figure comes from ``marts.published_metric_values``: what may leave the warehouse,
withheld cells without their figures.

Example::

    >>> with open_reader(Path("warehouse.duckdb")) as con:  # doctest: +SKIP
    ...     windows = choose_windows(con, "quarter", "2026-09")
    >>> windows.main.describe(), windows.detail.months  # doctest: +SKIP
    ('Q2 2026-27 (Jul–Sep 2026)', 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from victim_voice.settings import ConfigurationError

# the kinds of report, the period type of their main window, and how an error names it
KINDS = {"rolling": "rolling_3m", "quarter": "quarter", "financial_year": "financial_year"}
KIND_NAMES = {"rolling": "rolling 3-month", "quarter": "financial-quarter", "financial_year": "financial-year"}
TWELVE_MONTHS = ("rolling_12m", "financial_year")


def month_label(period: str) -> str:
    """ "2026-09" as "Sep 2026".

    >>> month_label("2026-09")
    'Sep 2026'
    """
    return datetime.strptime(period, "%Y-%m").strftime("%b %Y")


def capitalised(text: str) -> str:
    """ "the 3 months Sep–Nov 2026" as "The 3 months Sep–Nov 2026"."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Window:
    """One published window: its period type, last month, first month and label."""

    period_type: str
    period: str
    start: str
    label: str

    @property
    def months(self) -> int:
        return 12 if self.period_type in TWELVE_MONTHS else 3

    def describe(self) -> str:
        """The window as a heading says it: "the 3 months Sep–Nov 2026", "Q2 2026-27 (Jul–Sep
        2026)", "the financial year 2025-26 (Apr 2025–Mar 2026)"."""
        if self.period_type == "quarter":
            return self.label
        if self.period_type == "financial_year":
            return f"the financial year {self.label} ({month_label(self.start)}–{month_label(self.period)})"
        return f"the {self.months} months {self.label}"


@dataclass(frozen=True)
class ReportWindows:
    """The windows of one report: ``main`` (the headline), ``longer`` (the 12 months ending
    with the period, beside a 3-month main window, where published) and ``detail`` (the
    tables: ``longer`` where there is one, otherwise ``main``)."""

    kind: str
    main: Window
    longer: Window | None

    @property
    def detail(self) -> Window:
        return self.longer or self.main

    @property
    def trend_type(self) -> str:
        """The windows the trend is drawn in: rolling 3 months, or financial quarters."""
        return "rolling_3m" if self.kind == "rolling" else "quarter"

    @property
    def file_stem(self) -> str:
        """``VictimVoice_report_2026-11`` (rolling), ``VictimVoice_report_quarter_2026-09``."""
        kind = "" if self.kind == "rolling" else f"{self.kind}_"
        return f"VictimVoice_report_{kind}{self.main.period}"


def published_windows(con: duckdb.DuckDBPyConnection, period_type: str) -> dict[str, Window]:
    """Every published window of ``period_type``, by period, in order."""
    found = con.execute(
        "select distinct period, period_start, period_label from marts.published_metric_values"
        " where period_type = ? order by period",
        [period_type],
    ).fetchall()
    return {period: Window(period_type, period, start, label) for period, start, label in found}


def choose_windows(con: duckdb.DuckDBPyConnection, kind: str, period: str) -> ReportWindows:
    """The windows of a ``kind`` report for ``period``; a ConfigurationError naming the
    periods there are when none of that kind ends in ``period``."""
    windows = published_windows(con, KINDS[kind])
    if period not in windows:
        raise ConfigurationError(
            f"no published {KIND_NAMES[kind]} figures end in {period}; available: {available(list(windows))}"
        )
    longer = None if kind == "financial_year" else published_windows(con, "rolling_12m").get(period)
    return ReportWindows(kind, windows[period], longer)


def available(periods: list[str]) -> str:
    """The periods an error offers: all of them, or the first and the last dozen.

    >>> available([]), available(["2026-06", "2026-09"])
    ('none yet', '2026-06, 2026-09')
    """
    if not periods:
        return "none yet"
    if len(periods) <= 12:
        return ", ".join(periods)
    return f"{periods[0]} and every month to {periods[-1]} (the latest: {', '.join(periods[-12:])})"


@dataclass(frozen=True)
class Cell:
    """A published cell: figures None when withheld, or when the cell does not exist (no
    answers in the window)."""

    numerator: int | None = None
    denominator: int | None = None
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    withheld: bool = False
    indicative: bool = False


NO_ANSWERS = Cell()
CellKey = tuple[str, str, str]  # metric, breakdown, breakdown_value


def published_cells(con: duckdb.DuckDBPyConnection, window: Window) -> dict[CellKey, Cell]:
    """Every published cell of one window, by (metric, breakdown, breakdown_value)."""
    found = con.execute(
        "select metric, breakdown, breakdown_value, numerator, denominator, rate, ci_low, ci_high, withheld,"
        " indicative from marts.published_metric_values where period_type = ? and period = ?",
        [window.period_type, window.period],
    ).fetchall()
    return {(metric, breakdown, value): Cell(*figures) for metric, breakdown, value, *figures in found}


@dataclass(frozen=True)
class WeightedCell:
    """A weighted cell of marts.weighted_metric_values: the representative rate and interval,
    and what the weighting cost (effective base, design effect); no figures when withheld."""

    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    effective_n: float | None = None
    design_effect: float | None = None
    withheld: bool = False
    indicative: bool = False


def weighted_all_victims(con: duckdb.DuckDBPyConnection, window: Window) -> dict[str, WeightedCell]:
    """Every weighted "all victims" cell of one window, by metric (none where the force's
    counts miss a month of it); a withheld cell keeps only its flags."""
    found = con.execute(
        "select metric, weighted_rate, weighted_ci_low, weighted_ci_high, effective_n, design_effect, withheld,"
        " indicative from marts.weighted_metric_values"
        " where period_type = ? and period = ? and breakdown = 'all' and breakdown_value = 'all'",
        [window.period_type, window.period],
    ).fetchall()
    cells = {}
    for metric, rate, low, high, effective_n, design_effect, withheld, indicative in found:
        figures = (None,) * 5 if withheld else (rate, low, high, effective_n, design_effect)
        cells[metric] = WeightedCell(*figures, withheld=withheld, indicative=indicative)
    return cells

"""What the report says changed, and which groups differ: from q-values only (metrics-v2 §3).

A change or a difference is claimed only where ``significant`` (Benjamini–Hochberg q below
0.05 within its family) says so, never on a p-value alone; each sentence gives the rates and
the bases (answers) of both sides, as published. Where nothing was tested the report says so
("no comparison could be tested"), and where tests found nothing it says how many were made.

A finding is shown only when every figure in its sentence is published: both windows of a
change, and for a group, the group and every other group of its breakdown (the rest is their
sum, so no withheld cell can be worked out from it).

Example::

    >>> Finding("Whole experience (all victims)", "rose from 55.0% (base 480) to 62.0% (base 521)", 0.004).sentence()
    'Whole experience (all victims): rose from 55.0% (base 480) to 62.0% (base 521); q = 0.004.'
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from victim_voice.outputs.formatting import percent
from victim_voice.outputs.headline import HEADLINE_METRICS
from victim_voice.outputs.labels import Labels
from victim_voice.outputs.report_figures import Cell, CellKey, ReportWindows, Window, month_label, published_cells

SHOWN = 10  # findings listed; the rest are counted
YES_NO = ("domestic_abuse", "hate_crime", "repeat_victim", "disability")
COMPARED_WITH = {"previous_3m": "the previous 3 months", "year_earlier": "the same 3 months a year earlier"}
SIGNIFICANCE = "once the number of tests is allowed for (Benjamini–Hochberg q below 0.05)"


@dataclass(frozen=True)
class Finding:
    """One significant change or difference, said in one sentence."""

    subject: str
    what: str
    q_value: float

    def sentence(self) -> str:
        q = "q < 0.001" if self.q_value < 0.001 else f"q = {self.q_value:.3f}"
        return f"{self.subject}: {self.what}; {q}."


@dataclass(frozen=True)
class Findings:
    """A section's lead sentence and the findings it lists."""

    summary: str
    listed: list[Finding]


def group_name(labels: Labels, breakdown: str, value: str) -> str:
    """ "all victims", "Domestic abuse", "Crime group: Rape", "Age: 25-34"."""
    if breakdown == "all":
        return "all victims"
    if breakdown in YES_NO:
        return labels.value(breakdown, value)
    return f"{Labels.breakdown(breakdown)}: {labels.value(breakdown, value)}"


def rate_and_base(cell: Cell) -> str:
    """ "62.0% (base 521)"."""
    return f"{percent(cell.rate, indicative=cell.indicative)} (base {cell.denominator:,})"


def shown(cell: Cell | None) -> bool:
    return cell is not None and not cell.withheld and cell.rate is not None


def ranked(rows: list[tuple]) -> list[tuple]:
    """Rows (metric, breakdown, ..., q_value): all victims first, then the headline measures,
    then the smallest q."""
    return sorted(rows, key=lambda row: (row[1] != "all", row[0] not in HEADLINE_METRICS, row[-1]))


def counted(listed: list[Finding], significant: int, withheld: int) -> str:
    """What the list leaves out, in a sentence (empty when nothing)."""
    parts = []
    if significant - withheld > len(listed):
        parts.append(f"the first {len(listed)} are listed")
    if withheld:
        parts.append(f"{withheld} involve a withheld figure and are not shown")
    return f" ({'; '.join(parts)})" if parts else ""


def what_changed(con: duckdb.DuckDBPyConnection, labels: Labels, windows: ReportWindows) -> Findings:
    """Changes of the 3-month window against the previous 3 months and the same 3 months a
    year earlier (``marts.metric_changes``), significant on q."""
    main = windows.main
    if main.months != 3:
        return Findings("No change could be tested: changes are tested between 3-month windows, not financial years.",
                        [])  # fmt: skip
    tests = con.execute(
        "select metric, breakdown, breakdown_value, comparison, comparison_period, significant, q_value"
        " from marts.metric_changes where period = ? and p_value is not null",
        [main.period],
    ).fetchall()
    if not tests:
        [(latest,)] = con.execute("select max(period) from marts.metric_changes where p_value is not null").fetchall()
        when = f"the latest 3 months only (to {month_label(latest)})" if latest else "3-month windows with one before"
        return Findings(f"No comparison could be tested for {main.label}: changes are tested for {when}.", [])
    comparisons = " and ".join(COMPARED_WITH[c] for c in COMPARED_WITH if any(t[3] == c for t in tests))
    lead = (f"{len(tests):,} changes were tested for {main.label} (every measure, for all victims and for each "
            f"group, against {comparisons})")  # fmt: skip
    significant = [t for t in tests if t[5]]
    if not significant:
        return Findings(f"{lead}: none was significant {SIGNIFICANCE}.", [])
    cells = {p: published_cells(con, window_of(con, p)) for p in {main.period, *(t[4] for t in significant)}}
    listed, withheld = [], 0
    for metric, breakdown, value, comparison, before, _, q_value in ranked(significant):
        key = (metric, breakdown, value)
        now_cell, then_cell = cells[main.period].get(key), cells[before].get(key)
        if not (shown(now_cell) and shown(then_cell)):
            withheld += 1
            continue
        if len(listed) < SHOWN:
            verb = "rose" if now_cell.rate > then_cell.rate else "fell"
            what = (f"{verb} from {rate_and_base(then_cell)} in {label_of(con, before)} to {rate_and_base(now_cell)} "
                    f"in {main.label}, against {COMPARED_WITH[comparison]}")  # fmt: skip
            listed.append(Finding(f"{labels.metric(metric)} ({group_name(labels, breakdown, value)})", what, q_value))
    lead += f"; {len(significant)} were significant {SIGNIFICANCE}{counted(listed, len(significant), withheld)}."
    return Findings(lead, listed)


def window_of(con: duckdb.DuckDBPyConnection, period: str) -> Window:
    """The rolling 3 months ending with ``period`` (the windows changes compare)."""
    [(start, label)] = con.execute(
        "select any_value(period_start), any_value(period_label) from marts.published_metric_values"
        " where period_type = 'rolling_3m' and period = ?",
        [period],
    ).fetchall()
    return Window("rolling_3m", period, start, label)


def label_of(con: duckdb.DuckDBPyConnection, period: str) -> str:
    return window_of(con, period).label


REST_NAMES = {
    "crime_group": "other crime groups",
    "journey_stage": "other stages reached",
    "age_band": "other ages",
    "gender": "other genders",
    "ethnic_group": "other ethnic groups",
}


def rest_of(breakdown_cells: dict[str, Cell], labels: Labels, breakdown: str, value: str) -> tuple[Cell, str] | None:
    """The rest of a breakdown (every value but ``value``, summed) and its name; None when a
    cell of the breakdown is withheld (the rest would give it away)."""
    if not all(shown(cell) for cell in breakdown_cells.values()):
        return None
    others = {other: cell for other, cell in breakdown_cells.items() if other != value}
    numerator, denominator = sum(c.numerator for c in others.values()), sum(c.denominator for c in others.values())
    if not denominator:
        return None
    rest = Cell(numerator, denominator, numerator / denominator, indicative=denominator < 30)
    if len(others) == 1:
        return rest, group_name(labels, breakdown, next(iter(others)))
    return rest, REST_NAMES.get(breakdown, "the rest")


def by_breakdown(cells: dict[CellKey, Cell]) -> dict[tuple[str, str], dict[str, Cell]]:
    """The cells of each (metric, breakdown), by breakdown value."""
    grouped: dict[tuple[str, str], dict[str, Cell]] = {}
    for (metric, breakdown, value), cell in cells.items():
        grouped.setdefault((metric, breakdown), {})[value] = cell
    return grouped


def by_definition(metric: str, breakdown: str) -> bool:
    """A difference that holds by definition, not a finding: how far cases got, by the
    furthest stage they reached."""
    return metric.startswith("journey_") and breakdown == "journey_stage"


def groups_that_differ(con: duckdb.DuckDBPyConnection, labels: Labels, window: Window) -> Findings:
    """Each group against the rest of its breakdown (``marts.group_comparisons``), significant on
    q; the comment themes by overall satisfaction have their own table (What victims say)."""
    tests = con.execute(
        "select metric, breakdown, breakdown_value, significant, q_value from marts.group_comparisons"
        " where period_type = ? and period = ? and breakdown <> 'overall_satisfaction'",
        [window.period_type, window.period],
    ).fetchall()
    if not tests:
        return Findings(f"No comparison could be tested for {window.label}: a group and the rest of its "
                        "breakdown each need at least 30 answers.", [])  # fmt: skip
    lead = f"{len(tests):,} comparisons of a group against the rest of its breakdown were tested for {window.label}"
    significant = [(m, b, v, q) for m, b, v, sig, q in tests if sig and not by_definition(m, b)]
    if not significant:
        return Findings(f"{lead}: none was significant {SIGNIFICANCE}.", [])
    breakdowns = by_breakdown(published_cells(con, window))
    listed, withheld = [], 0
    for metric, breakdown, value, q_value in ranked(significant):
        breakdown_cells = breakdowns.get((metric, breakdown), {})
        cell, rest = breakdown_cells.get(value), rest_of(breakdown_cells, labels, breakdown, value)
        if not shown(cell) or rest is None:
            withheld += 1
            continue
        if len(listed) < SHOWN:
            what = f"{rate_and_base(cell)} against {rate_and_base(rest[0])} for {rest[1]}"
            listed.append(Finding(f"{labels.metric(metric)}, {group_name(labels, breakdown, value)}", what, q_value))
    lead += f"; {len(significant)} differ significantly {SIGNIFICANCE}{counted(listed, len(significant), withheld)}."
    return Findings(lead, listed)


STANDING = ("domestic_abuse", "hate_crime")  # asked about every time, whether or not they differ


def standing_comparisons(con: duckdb.DuckDBPyConnection, labels: Labels, window: Window) -> Findings:
    """Domestic abuse and hate crime victims against other victims on the headline measures,
    said whether or not they differ (the question is asked every time): both rates with their
    bases and the q-value, "differs" only where significant. A comparison that was not tested
    (a side below 30 answers or withheld) or that would show a withheld figure is left out and
    counted."""
    tests = {
        (m, b): (sig, q)
        for m, b, sig, q in con.execute(
            "select metric, breakdown, significant, q_value from marts.group_comparisons"
            " where period_type = ? and period = ? and breakdown_value = 'Y' and list_contains(?, breakdown)"
            " and list_contains(?, metric)",
            [window.period_type, window.period, list(STANDING), list(HEADLINE_METRICS)],
        ).fetchall()
    }
    breakdowns = by_breakdown(published_cells(con, window))
    listed, untested = [], 0
    for breakdown in STANDING:
        for metric in HEADLINE_METRICS:
            breakdown_cells = breakdowns.get((metric, breakdown), {})
            cell, rest = breakdown_cells.get("Y"), rest_of(breakdown_cells, labels, breakdown, "Y")
            if (metric, breakdown) not in tests or not shown(cell) or rest is None:
                untested += 1
                continue
            significant, q_value = tests[(metric, breakdown)]
            verdict = "differs" if significant else "no significant difference"
            what = f"{rate_and_base(cell)} against {rate_and_base(rest[0])} for other victims: {verdict}"
            listed.append(Finding(f"{labels.metric(metric)}, {labels.value(breakdown, 'Y')}", what, q_value))
    lead = f"Domestic abuse and hate crime victims against other victims, {window.label}, whether or not they differ"
    if untested:
        lead += f" ({untested} of {len(STANDING) * len(HEADLINE_METRICS)} could not be tested or would show a "
        lead += "withheld figure)"
    return Findings(lead + ":", listed)

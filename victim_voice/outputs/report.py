"""The report: one self-contained HTML page (no scripts, fonts or images from outside) that
prints to A4 with page numbers, and its two charts as PNG and SVG files beside it.

Three kinds (:mod:`victim_voice.outputs.report_figures`): the rolling 3 months ending with a
month (the default), a financial quarter, a financial year. The tables use the 12 months
ending with the period where the data cover them, otherwise the 3 months, and say which.

Figures come from what may leave the warehouse: ``marts.published_metric_values`` (withheld
cells without their figures) and ``marts.kpi_ratings``; changes and group differences are
claimed on q-values only (:mod:`victim_voice.outputs.report_findings`). Single months are not
shown: beside their windows they could be worked out by subtraction. Shorthand as the
Analysis Function recommends ([c], [u], [x], [z]), explained in the notes; labels, not codes;
no comment is quoted (their themes are counted: "What victims say"). The charts
(:mod:`victim_voice.outputs.charts`) are inline SVG with a text alternative, in a colour-blind-safe palette.

Example::

    >>> write_report(Settings.from_env(), "2026-09", Path("reports"), kind="quarter").page  # doctest: +SKIP
    PosixPath('reports/VictimVoice_report_quarter_2026-09.html')
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from victim_voice.outputs.formatting import NOT_APPLICABLE, NOT_AVAILABLE, SHORTHAND, WITHHELD, percent, round_half_away
from victim_voice.outputs.headline import HEADLINE
from victim_voice.outputs.labels import Labels
from victim_voice.outputs.output_files import written_whole
from victim_voice.outputs.report_figures import (
    NO_ANSWERS,
    Cell,
    CellKey,
    ReportWindows,
    WeightedCell,
    Window,
    capitalised,
    choose_windows,
    month_label,
    published_cells,
    weighted_all_victims,
)
from victim_voice.outputs.report_findings import Findings, groups_that_differ, standing_comparisons, what_changed
from victim_voice.settings import Settings
from victim_voice.themes.codeframe import THEME_LABELS
from warehouse.db import open_reader

ALL = ("all", "all")
KEEP_TOGETHER = 8  # a table of at most this many rows is printed on one page, not split
RESPONSES = "journey_INVESTIGATION"  # its denominator is every response in the cell
SCORECARD = ("sat_overall", "sat_informed", "sat_treatment")
JOURNEY = ("journey_INVESTIGATION", "journey_CHARGE_DECISION", "journey_COURT", "journey_POST_COURT")
HANDOFF = ("contact", "timely", "satisfied", "cope")  # numerators after the referrals (public measures only)
QUOTAS = {
    "total": "All interviews",
    "domestic_abuse": "Domestic abuse",
    "sexual_offences": "Sexual offences",
    "violence": "Violence",
    "burglary": "Burglary",
    "hate_crime": "Hate crime",
}
RATINGS = {
    "GREEN": ("Green: meets the target", "the whole 95% interval is at or above the target"),
    "AMBER": ("Amber: cannot tell", "the 95% interval spans the target: this sample cannot tell"),
    "RED": ("Red: below the target", "the whole 95% interval is below the target"),
    "NOT_RATED": ("Not rated", "withheld, or no answers in the period"),
}
STYLE = """
@page{size:A4;margin:16mm 15mm 18mm;
@bottom-center{content:"Page " counter(page) " of " counter(pages);font:9pt system-ui,Arial,sans-serif;color:#444}
@top-left{content:"RUNNING_HEAD";font:8pt system-ui,Arial,sans-serif;color:#666}}
body{font-family:system-ui,-apple-system,Segoe UI,Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;line-height:1.45}
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}h1{font-size:1.4rem}}
h1{font-size:1.6rem}h2{margin-top:1.6rem;break-after:avoid}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem;width:100%}
caption{text-align:left;font-weight:600;padding:0.3rem 0;break-after:avoid}
th,td{border-bottom:1px solid #ccc;padding:0.25rem 0.45rem;text-align:left;vertical-align:top}td.n{text-align:right}
tr,figure,li,table.keep{break-inside:avoid}thead{display:table-header-group}
figure{margin:0.5rem 0 1.5rem}figure svg{height:auto}figcaption{font-size:0.9rem;color:#333}
.note{font-size:0.9rem;color:#444}
.rating{font-weight:600;padding:0 0.3rem;border-left:0.45rem solid}
.GREEN{border-color:#009E73}.AMBER{border-color:#E69F00}.RED{border-color:#D55E00}.NOT_RATED{border-color:#bbb}
dl.shorthand{display:grid;grid-template-columns:3rem auto;gap:0.2rem 0.5rem}dt{font-weight:700}dd{margin:0}
"""


@dataclass(frozen=True)
class WrittenReport:
    """The files a report is: the page, and its charts (PNG and SVG) beside it."""

    page: Path
    charts: list[Path] = field(default_factory=list)

    def paths(self) -> list[Path]:
        return [self.page, *self.charts]


@dataclass
class ReportData:
    """What the page shows, gathered from the warehouse in one read."""

    windows: ReportWindows
    labels: Labels
    main: dict[CellKey, Cell]
    longer: dict[CellKey, Cell]
    detail: dict[CellKey, Cell]
    crime_groups: list[str]
    rights: list[tuple[str, str, str]]
    changes: dict[str, tuple]
    changed: Findings
    differ: Findings
    standing: Findings
    trend: list[tuple[str, Cell]]
    ratings: list[tuple]
    quotas: list[tuple]
    weighted: dict[str, WeightedCell] = field(default_factory=dict)  # the detail window's all-victims cells
    # the detail window's complaint themes, dissatisfied against the other respondents: (significant, q, difference)
    satisfaction_tests: dict[str, tuple[bool, float, float]] = field(default_factory=dict)
    profile: SampleProfile | None = None  # the detail window's recorded victims by crime group, and the test


# --------------------------------------------------------------------------- cells as text


def rate_text(cell: Cell) -> str:
    """ "62.0%", "31.0% [u]", "[c]" (withheld) or "[x]" (no answers)."""
    return percent(cell.rate, cell.withheld, cell.indicative)


def rate_interval(cell: Cell) -> str:
    """ "62.0% (57.5% to 66.2%)"; shorthand alone when withheld or missing."""
    if cell.withheld or cell.rate is None:
        return rate_text(cell)
    return f"{rate_text(cell)} ({percent(cell.ci_low)} to {percent(cell.ci_high)})"


def base_text(cell: Cell) -> str:
    """A cell's base (its answers) for people: "521", "[c]" or "[x]"."""
    if cell.withheld:
        return WITHHELD
    return NOT_AVAILABLE if cell.denominator is None else f"{cell.denominator:,}"


def count_text(cell: Cell) -> str:
    """A cell's numerator for people: "42", "[c]" or "[x]"."""
    if cell.withheld:
        return WITHHELD
    return NOT_AVAILABLE if cell.numerator is None else f"{cell.numerator:,}"


# --------------------------------------------------------------------------- gathering


def gather(con: duckdb.DuckDBPyConnection, windows: ReportWindows) -> ReportData:
    """Everything the page shows, from published figures only."""
    labels = Labels.read(con)
    main = published_cells(con, windows.main)
    longer = published_cells(con, windows.longer) if windows.longer else {}
    return ReportData(
        windows=windows,
        labels=labels,
        main=main,
        longer=longer,
        detail=longer or main,
        crime_groups=[
            g
            for (g,) in con.sql("select crime_group from reference.crime_groups order by crime_group_order").fetchall()
        ],
        rights=con.sql("select right_code, right_text, principle from reference.rights order by 1").fetchall(),
        changes=headline_changes(con, windows.main),
        changed=what_changed(con, labels, windows),
        differ=groups_that_differ(con, labels, windows.detail),
        standing=standing_comparisons(con, labels, windows.detail),
        trend=trend_cells(con, windows),
        ratings=kpi_ratings(con, windows.detail),
        quotas=quota_months(con, windows.main),
        weighted=weighted_all_victims(con, windows.detail),
        profile=sample_profile(con, windows.detail),
        satisfaction_tests=satisfaction_tests(con, windows.detail),
    )


def satisfaction_tests(con: duckdb.DuckDBPyConnection, window: Window) -> dict[str, tuple[bool, float, float]]:
    """Each complaint theme among dissatisfied victims against the others who commented
    (``marts.group_comparisons``, q-values in the window's family), by metric."""
    found = con.execute(
        "select metric, significant, q_value, difference from marts.group_comparisons where period_type = ?"
        " and period = ? and breakdown = 'overall_satisfaction' and breakdown_value = 'DISSATISFIED'"
        " and metric like 'theme\\_%\\_neg' escape '\\'",
        [window.period_type, window.period],
    ).fetchall()
    return {metric: (significant, q_value, difference) for metric, significant, q_value, difference in found}


@dataclass(frozen=True)
class SampleProfile:
    """Recorded victims' shares by crime group in a window, and the chi-square test of the
    sample's mix (area by crime group) against theirs (``marts.sample_profile``)."""

    population_share: dict[str, float]
    chi_square: float
    degrees_of_freedom: int
    p_value: float


def sample_profile(con: duckdb.DuckDBPyConnection, window: Window) -> SampleProfile | None:
    """The window's profile; None where it has none (a rolling 3 months, or counts missing)."""
    found = con.execute(
        "select crime_group, sum(population_share), any_value(chi_square), any_value(degrees_of_freedom),"
        " any_value(p_value) from marts.sample_profile where period_type = ? and period = ? group by crime_group",
        [window.period_type, window.period],
    ).fetchall()
    if not found:
        return None
    _, _, chi_square, degrees, p_value = found[0]
    return SampleProfile({g: share for g, share, *_ in found}, chi_square, degrees, p_value)


def headline_changes(con: duckdb.DuckDBPyConnection, main: Window) -> dict[str, tuple]:
    """For all victims, each measure's change against the previous 3 months: (difference,
    significant, comparison period), where tested."""
    if main.months != 3:
        return {}
    found = con.execute(
        "select metric, difference, significant, comparison_period from marts.metric_changes"
        " where breakdown = 'all' and comparison = 'previous_3m' and period = ? and p_value is not null",
        [main.period],
    ).fetchall()
    return {metric: tuple(rest) for metric, *rest in found}


def trend_cells(con: duckdb.DuckDBPyConnection, windows: ReportWindows) -> list[tuple[str, Cell]]:
    """The headline measure for all victims in every trend window up to the report's, with a
    short label ("Nov 2026", "Q2 2026-27")."""
    found = con.execute(
        "select period, period_label, numerator, denominator, rate, ci_low, ci_high, withheld, indicative"
        " from marts.published_metric_values where metric = ? and period_type = ? and breakdown = 'all'"
        " and period <= ? order by period",
        [HEADLINE[0][0], windows.trend_type, windows.main.period],
    ).fetchall()
    short = month_label if windows.trend_type == "rolling_3m" else None
    return [(short(period) if short else label.split(" (")[0], Cell(*figures)) for period, label, *figures in found]


def kpi_ratings(con: duckdb.DuckDBPyConnection, window: Window) -> list[tuple]:
    """Every contract's KPIs with a target, in ``window``: (contract name, area, service,
    metric, target, denominator, rate, ci_low, ci_high, indicative, rating)."""
    return con.execute(
        "select c.contract_name, k.area, k.service, k.metric, k.target, k.denominator, k.rate, k.ci_low, k.ci_high,"
        " k.indicative, k.rating from marts.kpi_ratings as k"
        " inner join (select distinct contract, contract_name from reference.contracts) as c using (contract)"
        " where k.period_type = ? and k.period = ? and k.target is not null order by k.contract, k.service, k.metric",
        [window.period_type, window.period],
    ).fetchall()


def quota_months(con: duckdb.DuckDBPyConnection, main: Window) -> list[tuple]:
    """Interviews delivered against the supplier's quotas in the months of ``main``."""
    return con.execute(
        "select period, quota, target, delivered, met from marts.quota_compliance"
        " where period between ? and ? order by period, quota",
        [main.start, main.period],
    ).fetchall()


# --------------------------------------------------------------------------- the page


class Markup(str):
    """A table cell that is already HTML (the rest are text, escaped)."""


def cell_html(text: str) -> str:
    return text if isinstance(text, Markup) else html.escape(text)


def data_cell(text: str) -> str:
    """A table cell: figures and shorthand right-aligned, words left."""
    figure = not isinstance(text, Markup) and re.match(r"[\d+\-\[]", text or "")
    return f'<td class="n">{cell_html(text)}</td>' if figure else f"<td>{cell_html(text)}</td>"


def table(caption: str, headers: list[str], rows: list[list[str]]) -> str:
    """An accessible HTML table (caption, header cells with scope, the first column as row
    headers); cells are already text. A table without rows says so rather than showing
    headers alone; a short one is kept on one page."""
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headers)
    if not rows:
        rows = [["No figures for this period.", *[""] * (len(headers) - 1)]]
    body = "".join(
        "<tr>" + "".join(data_cell(c) if i else f'<th scope="row">{cell_html(c)}</th>' for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )  # fmt: skip
    keep = ' class="keep"' if len(rows) <= KEEP_TOGETHER else ""
    return (
        f"<table{keep}><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def headline_table(data: ReportData) -> str:
    """The headline measures in the main window (with the change against the previous 3
    months where it is 3 months long) and beside it the 12 months, where published."""
    windows = data.windows
    tested = bool(data.changes)  # no column of [x] where nothing was tested (What changed says so)
    headers = ["Measure", capitalised(windows.main.describe()), "Base"]
    if tested:
        headers.append("Change on the previous 3 months")
    if windows.longer:
        headers += [capitalised(windows.longer.describe()), "Base"]
    rows = []
    for metric, label in HEADLINE:
        cell = data.main.get((metric, *ALL), NO_ANSWERS)
        row = [label, rate_interval(cell), base_text(cell)]
        if tested:
            row.append(change_text(data.changes.get(metric), cell))
        if windows.longer:
            longer = data.longer.get((metric, *ALL), NO_ANSWERS)
            row += [rate_interval(longer), base_text(longer)]
        rows.append(row)
    caption = "Headline measures with 95% intervals (base: the answers the rate is out of)"
    return table(caption, headers, rows)


WEIGHTING_NOTE = (
    "The survey interviews more victims of domestic abuse and sexual offences than their share of crime, on "
    "purpose, so that they can be reported on; weighted figures count each area and crime group as often as the "
    "force records its victims. The effective base is what the weighted figure is worth in simple answers. "
    "Weighting corrects the mix of areas and crime groups, not who chooses to answer within them."
)


def weighted_text(cell: WeightedCell) -> str:
    """ "57.2% (54.7% to 59.7%)", "[c]" (withheld) or "[x]" (not weighted: counts missing)."""
    if cell.withheld or cell.rate is None:
        return percent(cell.rate, cell.withheld, cell.indicative)
    return f"{percent(cell.rate, False, cell.indicative)} ({percent(cell.ci_low)} to {percent(cell.ci_high)})"


def effective_base_text(cell: WeightedCell) -> str:
    """ "1,509"; "[c]" or "[x]" as the weighted rate."""
    if cell.withheld:
        return WITHHELD
    return NOT_AVAILABLE if cell.effective_n is None else f"{round_half_away(cell.effective_n):,.0f}"


def weighted_headline_table(data: ReportData) -> str:
    """The headline measures for all victims in the tables' window, unweighted beside weighted
    (with the effective base), and the one line that says why they differ."""
    window = data.windows.detail
    headers = ["Measure", "Unweighted", "Base", "Weighted", "Effective base"]
    rows = []
    for metric, label in HEADLINE:
        cell = data.detail.get((metric, *ALL), NO_ANSWERS)
        weighted = data.weighted.get(metric, WeightedCell())
        rows.append(
            [label, rate_interval(cell), base_text(cell), weighted_text(weighted), effective_base_text(weighted)]
        )
    caption = f"All victims, {window.describe()}: unweighted and weighted to the force's recorded victims"
    missing = (
        " [x]: no weighted figures, as the force's recorded-crime counts are missing for a month of this window."
        if not data.weighted
        else ""
    )
    return table(caption, headers, rows) + f'<p class="note">{html.escape(WEIGHTING_NOTE + missing)}</p>'


def change_text(change: tuple | None, cell: Cell) -> str:
    """ "+3.9 points, not significant"; [x] where not tested; [c] where a side is withheld.

    >>> change_text((-0.0004, False, "2024-08"), Cell()), change_text((0.039, True, "2024-08"), Cell())
    ('0.0 points, not significant', '+3.9 points, significant')
    """
    if change is None:
        return NOT_AVAILABLE
    difference, significant, _ = change
    if cell.withheld or difference is None:
        return WITHHELD
    points = round_half_away(100 * difference) or 0.0  # never "-0.0"
    return f"{points:+.1f} points, {'significant' if significant else 'not significant'}".replace("+0.0", "0.0")


def crime_type_rows(data: ReportData) -> list[tuple[str, CellKey]]:
    """(label, (breakdown, value)) for all victims, domestic abuse, then each crime group."""
    rows = [("All victims", ALL), ("Domestic abuse (any crime type)", ("domestic_abuse", "Y"))]
    return rows + [(data.labels.value("crime_group", g), ("crime_group", g)) for g in data.crime_groups]


def crime_type_table(data: ReportData) -> str:
    rows = []
    for label, (breakdown, value) in crime_type_rows(data):
        responses = data.detail.get((RESPONSES, breakdown, value), NO_ANSWERS)
        rates = [rate_text(data.detail.get((m, breakdown, value), NO_ANSWERS)) for m in SCORECARD]
        rows.append([label, base_text(responses), *rates])
    return table(
        f"Crime-type scorecard, {data.windows.detail.describe()} (share of those answering)",
        ["Crime type", "Responses", "Satisfied overall", "Kept informed", "Treated fairly"],
        rows,
    )


def rights_table(data: ReportData) -> str:
    rows = []
    for code, text, principle in data.rights:
        cell = data.detail.get((code, *ALL), NO_ANSWERS)
        rows.append([text, principle.capitalize(), base_text(cell), rate_text(cell)])
    return table(
        f"Victims given each right (Y among those answering Y or N), {data.windows.detail.describe()}",
        ["Right", "Principle", "Answered", "Given"],
        rows,
    )


def journey_table(data: ReportData) -> str:
    rows = []
    for label, (breakdown, value) in crime_type_rows(data)[:1] + crime_type_rows(data)[2:]:
        responses = data.detail.get((RESPONSES, breakdown, value), NO_ANSWERS)
        rates = [rate_text(data.detail.get((m, breakdown, value), NO_ANSWERS)) for m in JOURNEY]
        rows.append([label, base_text(responses), *rates])
    return table(
        f"How far cases got, by crime group, {data.windows.detail.describe()} (share of responses)",
        ["Crime group", "Responses", "Investigation", "Charge decision", "Court", "After court"],
        rows,
    )


def handoff_table(data: ReportData) -> str:
    rows = []
    for service, name in data.labels.services.items():
        referred = data.detail.get((f"svc_{service}_contact", *ALL))
        if referred is None:
            rows.append([name, "0", *[NOT_APPLICABLE] * len(HANDOFF)])
            continue
        counts = [count_text(data.detail.get((f"svc_{service}_{step}", *ALL), NO_ANSWERS)) for step in HANDOFF]
        rows.append([name, base_text(referred), *counts])
    return table(
        f"From police to commissioned services: the handoff chain, {data.windows.detail.describe()} (responses)",
        ["Service", "Referred", "Contacted", "Within 5 days", "Satisfied", "Better able to cope"],
        rows,
    )


def ratings_tables(data: ReportData) -> str:
    """One table per contract: each KPI with its target, rate, interval, base and rating (in
    words, with a coloured mark beside it: never colour alone)."""
    contracts: dict[str, list[list[str]]] = {}
    for name, area, service, metric, target, denominator, rate, low, high, indicative, rating in data.ratings:
        contract = name if area == "all" else f"{name} ({data.labels.value('area', area)} only)"
        service_name = data.labels.service(service)
        cell = Cell(None, denominator, rate if denominator else None, low, high, denominator is None, indicative)
        words = Markup(f'<span class="rating {rating}">{html.escape(RATINGS.get(rating, (rating,))[0])}</span>')
        contracts.setdefault(contract, []).append([
            service_name, data.labels.metric(metric).removeprefix(f"{service_name}: "), percent(target),
            rate_interval(cell), base_text(cell) if denominator != 0 else "0", words,
        ])  # fmt: skip
    window = data.windows.detail.describe()
    headers = ["Service", "Measure", "Target", "Rate (95% interval)", "Base", "Rating"]
    tables = [table(f"{contract}, {window}", headers, rows) for contract, rows in contracts.items()]
    return "".join(tables) or table(f"Key performance indicators, {window}", headers, [])


def ratings_key() -> str:
    items = "".join(f"<li><strong>{html.escape(w)}</strong>: {html.escape(m)}</li>" for w, m in RATINGS.values())
    return f'<p class="note">Ratings compare each 95% interval with its target:</p><ul class="note">{items}</ul>'


def quota_table(data: ReportData) -> str:
    by_month: dict[str, dict[str, str]] = {}
    for period, quota, target, delivered, met in data.quotas:
        by_month.setdefault(period, {})[quota] = f"{delivered} of {target}" + ("" if met else " (not met)")
    rows = [[month_label(p), *(cells.get(q, NOT_APPLICABLE) for q in QUOTAS)] for p, cells in by_month.items()]
    return table(
        f"Interviews delivered against the supplier's monthly quotas, {data.windows.main.describe()}",
        ["Month", *QUOTAS.values()],
        rows,
    )


def representativeness(data: ReportData) -> str:
    """The sample's mix of crime groups beside the force's recorded victims', and the test.
    The sample's counts are the published ones ([c] where withheld, and then no share)."""
    profile, window = data.profile, data.windows.detail.describe()
    if profile is None:
        said = (f"{NOT_AVAILABLE} No comparison with the force's recorded victims for {window}: it is made for "
                "12-month windows, quarters and financial years whose every month has the force's counts.")  # fmt: skip
        return f"<p>{html.escape(said)}</p>"
    total = data.detail.get((RESPONSES, *ALL), NO_ANSWERS)
    rows = []
    for group in data.crime_groups:
        cell = data.detail.get((RESPONSES, "crime_group", group), NO_ANSWERS)
        shown = not cell.withheld and cell.denominator is not None and total.denominator
        share = percent(cell.denominator / total.denominator) if shown else base_text(cell)
        population = profile.population_share.get(group)
        rows.append([data.labels.value("crime_group", group), base_text(cell), share,
                     NOT_AVAILABLE if population is None else percent(population)])  # fmt: skip
    p_text = "below 0.001" if profile.p_value < 0.001 else f"{profile.p_value:.3f}"
    verdict = (
        f"Chi-square {profile.chi_square:,.1f} on {profile.degrees_of_freedom} degrees of freedom (p {p_text}), "
        "testing the sample's mix of areas and crime groups against the recorded victims': "
        + ("the sample's mix differs from the force's. " if profile.p_value < 0.05 else "no significant difference. ")
        + "The quotas over-sample domestic abuse and sexual offences on purpose; the weighted figures in the "
        "headline correct the mix of areas and crime groups, not who answers within them."
    )
    return (
        table(
            f"Answers by crime group against the force's recorded victims, {window}",
            ["Crime group", "Answers", "Share of answers", "Share of recorded victims"],
            rows,
        )
        + f"<p>{html.escape(verdict)}</p>"
    )


THEMES_SHOWN = 5  # the themes raised most each way
WAYS = {"neg": "Complaints", "pos": "Praise"}
SATISFACTION = ("DISSATISFIED", "NEITHER", "SATISFIED")
THEMES_NOTE = (
    "Every comment is coded, offline and by the same classifier each month, into the 14 themes of the "
    "OPCC's codeframe, each as praise or complaint. On 410 made-up comments coded twice and reconciled, it "
    "scores a macro F1 of 0.77 (the two coders agreed at 0.88), so read the shares for ranking themes and "
    "following them over time, not as exact counts (see the README). A share is of the respondents who gave "
    "a comment in the window (the base); one comment can raise several themes. No comment is quoted here: "
    "contract packs show comments a person has released."
)


def top_themes(data: ReportData, way: str) -> list[str]:
    """The themes raised ``way`` (neg or pos) by the largest shares of all victims who commented,
    in the tables' window: published, raised at least once; most first, then codeframe order."""
    found = []
    for order, theme in enumerate(THEME_LABELS):
        cell = data.detail.get((f"theme_{theme}_{way}", *ALL))
        if cell is not None and not cell.withheld and cell.numerator:
            found.append((-cell.rate, order, theme))
    return [theme for *_, theme in sorted(found)[:THEMES_SHOWN]]


def theme_table(data: ReportData, way: str) -> str:
    """The themes raised most one way, in the tables' window (beside the headline's 3 months and
    their change on the previous 3, where tested)."""
    windows = data.windows
    tested = bool(data.changes) and windows.longer is not None
    headers = ["Theme", f"Share of those commenting, {windows.detail.describe()}", "Raised by", "Base"]
    if tested:
        headers += [capitalised(windows.main.describe()), "Change on the previous 3 months"]
    rows = []
    for theme in top_themes(data, way):
        metric = f"theme_{theme}_{way}"
        cell = data.detail[(metric, *ALL)]
        row = [THEME_LABELS[theme], rate_interval(cell), count_text(cell), base_text(cell)]
        if tested:
            main = data.main.get((metric, *ALL), NO_ANSWERS)
            row += [rate_text(main), change_text(data.changes.get(metric), main)]
        rows.append(row)
    return table(f"{WAYS[way]} raised most in comments", headers, rows)


def satisfaction_verdict(test: tuple[bool, float, float] | None) -> str:
    """ "more often (q = 0.001)", "no significant difference (q = 0.412)" or [x] (not tested).

    >>> verdict = satisfaction_verdict
    >>> verdict((True, 0.0004, 0.3)), verdict((False, 0.41, -0.02)), verdict(None)
    ('more often (q below 0.001)', 'no significant difference (q = 0.410)', '[x]')
    """
    if test is None:
        return NOT_AVAILABLE
    significant, q_value, difference = test
    q_text = "q below 0.001" if q_value < 0.001 else f"q = {q_value:.3f}"
    if not significant:
        return f"no significant difference ({q_text})"
    return f"{'more' if difference > 0 else 'less'} often ({q_text})"


def themes_by_satisfaction(data: ReportData) -> str:
    """Each complaint theme's share among dissatisfied, neither and satisfied victims who commented,
    and whether the dissatisfied raise it more often than the others (on q): which complaints go
    with low satisfaction. Most raised by the dissatisfied first."""

    def share(theme: str, group: str) -> Cell:
        return data.detail.get((f"theme_{theme}_neg", "overall_satisfaction", group), NO_ANSWERS)

    def rank(theme: str) -> tuple:
        cell = share(theme, "DISSATISFIED")
        return (cell.withheld or cell.rate is None, -(cell.rate or 0.0))

    rows = [
        [THEME_LABELS[theme], *(rate_text(share(theme, g)) for g in SATISFACTION),
         satisfaction_verdict(data.satisfaction_tests.get(f"theme_{theme}_neg"))]
        for theme in sorted(THEME_LABELS, key=rank)
        if any(share(theme, g) is not NO_ANSWERS for g in SATISFACTION)
    ]  # fmt: skip
    bases = [base_text(share(next(iter(THEME_LABELS)), g)) for g in SATISFACTION]
    headers = [
        "Complaint",
        f"Dissatisfied (base {bases[0]})",
        f"Neither (base {bases[1]})",
        f"Satisfied (base {bases[2]})",
        "The dissatisfied raise it",
    ]
    caption = (
        f"Complaints in the comments of victims dissatisfied, neither, and satisfied with the police overall, "
        f"{data.windows.detail.describe()} (share of those commenting)"
    )
    return table(caption, headers, rows)


def what_victims_say(data: ReportData) -> str:
    return (
        f'<p class="note">{html.escape(THEMES_NOTE)}</p>'
        + theme_table(data, "neg")
        + theme_table(data, "pos")
        + themes_by_satisfaction(data)
    )


def findings_html(findings: Findings) -> str:
    items = "".join(f"<li>{html.escape(f.sentence())}</li>" for f in findings.listed)
    return f"<p>{html.escape(findings.summary)}</p>" + (f"<ul>{items}</ul>" if items else "")


def which_tables(windows: ReportWindows) -> str:
    """The sentence that says which window the tables use, and why."""
    if windows.main.months == 12:
        return f"Every table is for {windows.detail.describe()}."
    if windows.longer:
        return (f"The tables below are for {windows.longer.describe()}, ending with the headline's 3 months: "
                "12 months of answers give steadier figures for small groups.")  # fmt: skip
    return (f"The tables below are for {windows.main.describe()}: the survey's data do not yet cover the 12 months "
            f"ending {month_label(windows.main.period)}, so no 12-month figures are published for it.")  # fmt: skip


def notes_html(windows: ReportWindows) -> str:
    shorthand = "".join(f"<dt>{html.escape(s)}</dt><dd>{html.escape(text)}</dd>" for s, text in SHORTHAND.items())
    points = [
        which_tables(windows),
        "Rates are the share of those who answered the question (the base); intervals are 95% Wilson intervals.",
        "A change or a difference between groups is reported only when it is significant once the number of tests "
        "made is allowed for (Benjamini–Hochberg q-value below 0.05); a p-value below 0.05 on its own is not enough.",
        "Only published figures are shown, for whole windows of 3 or 12 months: a single month beside its window "
        "could be worked out by subtraction.",
        "No comments are quoted in this report; their themes are counted (What victims say).",
    ]
    items = "".join(f"<li>{html.escape(p)}</li>" for p in points)
    return (f'<h2>Notes</h2><p>Shorthand in the tables, as the Government Analysis Function recommends:</p>'
            f'<dl class="shorthand">{shorthand}</dl><ul class="note">{items}</ul>')  # fmt: skip


def render(data: ReportData, charts: dict[str, str]) -> str:
    """The page, from the figures gathered for it and the charts as inline SVG figures."""
    windows = data.windows
    responses = data.main.get((RESPONSES, *ALL), NO_ANSWERS)
    title = f"Victim Voice: the victims' survey, {windows.main.describe()}"
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="note">Office of the Police and Crime Commissioner for Wiltshire and Swindon. Generated '
        f"{date.today().isoformat()}. Responses in {html.escape(windows.main.describe())}: {base_text(responses)}. "
        f"{html.escape(which_tables(windows))}</p>",
        "<h2>Headline</h2>",
        headline_table(data),
        weighted_headline_table(data),
        "<h2>What changed</h2>",
        findings_html(data.changed),
        "<h2>Trend</h2>",
        charts["trend"],
        "<h2>Crime types</h2>",
        charts["scorecard"],
        crime_type_table(data),
        "<h2>Groups that differ</h2>",
        findings_html(data.standing),
        findings_html(data.differ),
        "<h2>What victims say</h2>",
        what_victims_say(data),
        "<h2>Victims' Code compliance</h2>",
        rights_table(data),
        "<h2>The service journey</h2>",
        journey_table(data),
        handoff_table(data),
        "<h2>Contract KPI ratings</h2>",
        ratings_key(),
        ratings_tables(data),
        "<h2>Supplier delivery against quotas</h2>",
        quota_table(data),
        "<h2>Is the sample representative?</h2>",
        representativeness(data),
        notes_html(windows),
    ]
    running = "".join(c for c in f"Victim Voice report: {windows.main.describe()}" if c not in '\\"<>')
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE.replace('RUNNING_HEAD', running)}</style></head>"
        f"<body><main>{''.join(sections)}</main></body></html>"
    )


# --------------------------------------------------------------------------- writing


def write_report(settings: Settings, period: str, out: Path, kind: str = "rolling") -> WrittenReport:
    """Write the ``kind`` report for ``period`` (``VictimVoice_report_2026-11.html``,
    ``VictimVoice_report_quarter_2026-09.html``, ...) and its charts beside it."""
    from victim_voice.outputs.report_charts import report_charts  # matplotlib: only when a report is written

    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        data = gather(con, choose_windows(con, kind, period))
    measure = HEADLINE[0][0]
    bars = [(name, data.detail.get((measure, *key), NO_ANSWERS)) for name, key in crime_type_rows(data)]
    charts = report_charts(data.windows, data.trend, bars)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = out / data.windows.file_stem
    page = stem.with_name(f"{stem.name}.html")
    with written_whole(page) as part:  # the page first: when it cannot be written, nothing is
        part.write_text(render(data, {chart.name: chart.html(stem) for chart in charts}), encoding="utf-8")
    return WrittenReport(page, [path for chart in charts for path in chart.write(stem)])

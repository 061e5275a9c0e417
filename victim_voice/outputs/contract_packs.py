"""Contract review packs: one XLSX workbook per commissioned contract, for its specification review.

A pack reads as it stands for a commissioning officer: measures, services, breakdowns and
periods by their labels (:mod:`victim_voice.outputs.labels`); each KPI with its target, rating
and 95% interval (``marts.kpi_ratings``); a trend table with the periods across and a native
line chart; breakdowns that add up to the headline, on an area-limited scope's own responses
(``marts.published_area_metric_values``); the contract's facts on their own sheet, apart from
the figures' period. Printed: A4 landscape, one page wide, header rows repeated, page numbers.

Everything in a pack leaves the warehouse, so figures come from
``marts.published_metric_values``, ``marts.published_area_metric_values`` and
``marts.kpi_ratings`` only, a withheld cell shown as ``[c]``, and comments only as a person
released them: redacted, from respondents who consented to sharing and used the service,
about it, none for a service with fewer than 5
(:mod:`victim_voice.outputs.comment_candidates`, :mod:`victim_voice.outputs.comment_review`).
Rates stay numbers (formatted ``0.0%``; ``0.0% [u]`` when based on 10 to 29 answers).
Spreadsheet-safe: no cell is ever a formula; text that a spreadsheet would run
(=, +, -, @ first) is prefixed with an apostrophe.

Example::

    >>> write_contract_pack(Settings.from_env(), "SARC", Path("packs"))  # doctest: +SKIP
    PosixPath('packs/SARC_contract_pack.xlsx')
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from schemas.codebook import load_codebook
from victim_voice.outputs.comment_candidates import (
    FIELD,
    MIN_COMMENTS,
    Candidate,
    ServiceComments,
    pack_comments,
    pack_window_end,
)
from victim_voice.outputs.formatting import (
    LOW_RELIABILITY,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SHORTHAND,
    WITHHELD,
    fit_row_heights,
    print_across_one_page,
    spreadsheet_safe,
)
from victim_voice.outputs.labels import VALUES, Labels
from victim_voice.outputs.output_files import written_whole
from victim_voice.outputs.pack_charts import add_trend_charts
from victim_voice.settings import ConfigurationError, Settings
from victim_voice.themes.codeframe import THEME_LABELS, THEMES, raised
from warehouse.db import open_reader

MEASURES = ("contact", "timely", "satisfied", "cope", "safer")
BREAKDOWNS = ("crime_group", "age_band", "gender", "ethnic_group", "disability")
BREAKDOWN_ORDER = ("all", *BREAKDOWNS)
TREND_WINDOWS = 12  # the latest rolling 3-month windows in the trend table
RATE_FORMAT = "0.0%"
LOW_RELIABILITY_FORMAT = f'0.0%" {LOW_RELIABILITY}"'  # still a number, shown as "31.0% [u]"
RATINGS = {
    "GREEN": "meeting the target, with confidence: the interval's low end is at or above it",
    "AMBER": "cannot tell at this number of answers: the interval spans the target",
    "RED": "below the target, with confidence: the interval's high end is below it",
    "NOT RATED": "not rated: the figure is withheld [c], there were no answers, or there is no target",
}
RATING_FILLS = {"GREEN": "C6EFCE", "AMBER": "FFEB9C", "RED": "FFC7CE"}
POLARITY_WORDS = {"NEG": "complaint", "POS": "praise"}  # a theme raised each way, as a reader says it


@dataclass(frozen=True)
class Figure:
    """A cell's value with its number format (a rate stays a number; shorthand is text)."""

    value: object
    number_format: str = "General"


def rate_figure(rate: float | None, withheld: bool, indicative: bool = False) -> Figure:
    """A rate as a number formatted 0.0% (with [u] when indicative), [c] when withheld,
    [x] when there is none.

    >>> rate_figure(0.62, False, True), rate_figure(None, True).value, rate_figure(None, False).value
    (Figure(value=0.62, number_format='0.0%" [u]"'), '[c]', '[x]')
    """
    if withheld:
        return Figure(WITHHELD)
    if rate is None:
        return Figure(NOT_AVAILABLE)
    return Figure(rate, LOW_RELIABILITY_FORMAT if indicative else RATE_FORMAT)


def count_figure(value: int | None, withheld: bool) -> Figure:
    return Figure(WITHHELD) if withheld else Figure(NOT_AVAILABLE if value is None else value, "#,##0")


@dataclass(frozen=True)
class Table:
    """One sheet's table: its headers, rows, column widths (characters) and the columns whose
    text wraps."""

    headers: list[str]
    rows: list[list[object]]
    widths: list[float]
    wrapped: set[int]  # column indexes (0-based)
    facts: bool = False  # a list of facts: numbers left-aligned beside their text, not in a column


def write_rows(sheet: Worksheet, headers: list[str], rows: list[list[object]], percent_columns: set[str]) -> None:
    """A table with a bold, frozen header, numbers as numbers and no formulas."""
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet_safe(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # openpyxl reads a leading "=" as a formula: never here
                cell.data_type = "s"
    for index, header in enumerate(headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        width = max(len(str(header)), *(len(str(r[index - 1])) for r in rows)) if rows else len(header)
        sheet.column_dimensions[letter].width = min(max(width + 2, 10), 80)
        if header in percent_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0%"
    sheet.freeze_panes = "A2"


def write_table(sheet: Worksheet, table: Table) -> None:
    """A printed table: bold wrapped header (frozen, repeated on every page), an autofilter,
    wrapped text in rows tall enough for it (LibreOffice does not re-measure them), shorthand
    right-aligned beside the numbers, no formulas, A4 landscape one page wide, page numbers."""
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        sheet.append([spreadsheet_safe(v.value if isinstance(v, Figure) else v) for v in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=True):
            if cell.data_type == "f":  # openpyxl reads a leading "=" as a formula: never here
                cell.data_type = "s"
            shorthand = isinstance(value, Figure) and isinstance(value.value, str)
            cell.alignment = Alignment(
                wrap_text=cell.column - 1 in table.wrapped,
                vertical="top",
                horizontal="left" if table.facts else ("right" if shorthand else None),
            )
            if isinstance(value, Figure):
                cell.number_format = value.number_format
    letters = [get_column_letter(i) for i in range(1, len(table.headers) + 1)]
    for letter, width in zip(letters, table.widths, strict=True):
        sheet.column_dimensions[letter].width = width
    fit_row_heights(sheet, [letters[i] for i in sorted(table.wrapped)] or letters[:1])
    sheet.row_dimensions[1].height = 15.0 * max(map(header_lines, table.headers, table.widths))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{letters[-1]}{max(sheet.max_row, 2)}"
    print_across_one_page(sheet)


def header_lines(header: str, width: float) -> int:
    """Lines a bold header takes, wrapped at words (a word is not split) in a column ``width`` wide.

    >>> header_lines("95% interval: low", 11), header_lines("Rate", 11)
    (3, 1)
    """
    return len(textwrap.wrap(header, max(int(width * 0.85) - 1, 4), break_long_words=False)) or 1


def measure_label(labels: Labels, metric: str, service: str) -> str:
    """A service measure's label without the service's name in front (the table has a column for it).

    >>> measure_label(Labels(metrics={"svc_RJ_cope": "Restorative justice: Better able to cope"},
    ...                      services={"RJ": "Restorative justice"}), "svc_RJ_cope", "RJ")
    'Better able to cope'
    """
    return labels.metric(metric).removeprefix(f"{labels.service(service)}: ")


def service_label(labels: Labels, service: str, area: str | None) -> str:
    """ "Independent domestic abuse advocacy (IDVA)", with ", Swindon only" for an area-limited scope."""
    name = f"{labels.service(service)} ({service})" if labels.service(service) != service else service
    return name + (f", {labels.value('area', area)} only" if area else "")


def area_label(labels: Labels, area: str | None) -> str:
    return labels.value("area", area) if area else "Whole force area"


def scope_metrics(scope: list[dict]) -> list[tuple[dict, str]]:
    return [(item, f"svc_{item['service']}_{m}") for item in scope for m in MEASURES]


def published_cells(
    con: duckdb.DuckDBPyConnection, item: dict, metric: str, period_type: str, breakdowns: list[str]
) -> list[tuple]:
    """Published cells of one scope's measure: county-wide, or on an area-limited scope's own
    responses (``marts.published_area_metric_values``), breakdown `all` being its headline."""
    columns = (
        "period, period_label, breakdown, breakdown_value, denominator, rate, ci_low, ci_high, withheld, indicative"
    )
    where = "metric = ? and period_type = ? and list_contains(?, breakdown) order by period, breakdown, breakdown_value"
    return scope_cells(con, item, columns, where, [metric, period_type, breakdowns])


def scope_cells(con: duckdb.DuckDBPyConnection, item: dict, columns: str, where: str, parameters: list) -> list[tuple]:
    """``columns`` of a scope's published cells that meet ``where``: county-wide
    (``marts.published_metric_values``), or an area-limited scope's own area's
    (``marts.published_area_metric_values``)."""
    if item.get("area"):
        sql = f"select {columns} from marts.published_area_metric_values where area = ? and {where}"
        return con.execute(sql, [item["area"], *parameters]).fetchall()
    return con.execute(f"select {columns} from marts.published_metric_values where {where}", parameters).fetchall()


def kpi_table(con: duckdb.DuckDBPyConnection, code: str, scope: list[dict], labels: Labels) -> Table:
    """Each KPI for the latest 12 months and the latest quarter: target, rate, interval, base, rating."""
    found = con.execute(
        "select service, area, metric, period_type, period_label, target, denominator, rate, ci_low, ci_high,"
        " rating, indicative from marts.kpi_ratings where contract = ? and period = (select max(period) from"
        " marts.kpi_ratings as k where k.period_type = kpi_ratings.period_type)"
        " and period_type in ('rolling_12m', 'quarter')",
        [code],
    ).fetchall()
    order = {metric: i for i, (_, metric) in enumerate(scope_metrics(scope))}
    rows = []
    for service, area, metric, period_type, label, target, den, rate, low, high, rating, indicative in sorted(
        found, key=lambda r: (order.get(r[2], len(order)), r[3] != "rolling_12m")
    ):
        withheld = den is None
        scope_area = None if area == "all" else area
        rows.append([
            service_label(labels, service, scope_area),
            measure_label(labels, metric, service),
            ("12 months: " if period_type == "rolling_12m" else "Quarter: ") + label,
            Figure(NOT_APPLICABLE) if target is None else Figure(target, "0%"),
            rate_figure(rate, withheld, indicative) if den != 0 else Figure(NOT_AVAILABLE),
            rate_figure(low, withheld) if den != 0 else Figure(NOT_AVAILABLE),
            rate_figure(high, withheld) if den != 0 else Figure(NOT_AVAILABLE),
            count_figure(den, withheld),
            rating.replace("_", " "),  # NOT RATED: words, not the code
            rating_reason(rating, target, withheld, den),
        ])  # fmt: skip
    headers = ["Service", "Measure", "Period", "Target", "Rate", "95% interval: low", "95% interval: high",
               "Answers (base)", "Rating", "What the rating means"]  # fmt: skip
    return Table(headers, rows, [30, 34, 30, 9, 11, 11, 11, 10, 12, 42], {0, 1, 2, 9})


def rating_reason(rating: str, target: float | None, withheld: bool, denominator: int | None) -> str:
    """Why a KPI has its rating, in words.

    >>> rating_reason("NOT_RATED", None, False, 40)
    'not rated: no target is set for this measure'
    """
    if rating != "NOT_RATED":
        return RATINGS[rating]
    if target is None:
        return "not rated: no target is set for this measure"
    if withheld:
        return f"not rated: the figure is withheld {WITHHELD}"
    return "not rated: no answers in the period" if denominator == 0 else RATINGS["NOT RATED"]


def trend_table(con: duckdb.DuckDBPyConnection, scope: list[dict], labels: Labels) -> tuple[Table, list[str]]:
    """Measures down, the latest rolling 3-month windows across: a rate row and a base row per
    measure; withheld [c], none [x]. Also returns the periods' labels (the columns)."""
    cells = {
        (item.get("area"), metric): {row[0]: row for row in published_cells(con, item, metric, "rolling_3m", ["all"])}
        for item, metric in scope_metrics(scope)
    }
    periods = sorted({period: label for found in cells.values() for period, label, *_ in found.values()}.items())
    periods = periods[-TREND_WINDOWS:]
    rows = []
    for item, metric in scope_metrics(scope):
        found = cells[(item.get("area"), metric)]
        first = [
            service_label(labels, item["service"], item.get("area")),
            measure_label(labels, metric, item["service"]),
        ]
        rate_row, base_row = [*first, "Rate"], [*first, "Answers (base)"]
        for period, _ in periods:
            if period not in found:
                rate_row.append(Figure(NOT_AVAILABLE))
                base_row.append(Figure(NOT_AVAILABLE))
                continue
            *_, den, rate, _, _, withheld, indicative = found[period]
            rate_row.append(rate_figure(rate, withheld, indicative))
            base_row.append(count_figure(den, withheld))
        rows += [rate_row, base_row]
    headers = ["Service", "Measure", "Figure", *(label for _, label in periods)]
    table = Table(headers, rows, [30, 30, 10, *[10.5] * len(periods)], {0, 1, 2})
    return table, [label for _, label in periods]


def breakdown_table(con: duckdb.DuckDBPyConnection, scope: list[dict], labels: Labels) -> Table:
    """The latest 12 months by each breakdown: a row per service and group (the headline first),
    each measure's rate and number of answers across. An area-limited scope on its own area's
    responses, so that its groups add up to its headline."""
    order = group_order(con)
    rows = []
    for item in scope:
        service, area = item["service"], item.get("area")
        metrics = [f"svc_{service}_{m}" for m in MEASURES]
        cells = {metric: published_cells(con, item, metric, "rolling_12m", list(BREAKDOWN_ORDER)) for metric in metrics}
        latest = max((row[0] for found in cells.values() for row in found), default=None)
        by_group: dict[tuple[str, str], dict[str, tuple]] = {}
        for metric, found in cells.items():
            for row in found:
                if row[0] == latest:
                    by_group.setdefault((row[2], row[3]), {})[metric] = row
        for breakdown, value in sorted(by_group, key=lambda k: (BREAKDOWN_ORDER.index(k[0]), order.get(k, 99), k[1])):
            label = next(iter(by_group[breakdown, value].values()))[1]
            row = [service_label(labels, service, area), label, labels.breakdown(breakdown),
                   group_label(labels, breakdown, value, area)]  # fmt: skip
            for metric in metrics:
                cell = by_group[breakdown, value].get(metric)
                if cell is None:
                    row += [Figure(NOT_AVAILABLE), Figure(NOT_AVAILABLE)]
                    continue
                *_, den, rate, _, _, withheld, indicative = cell
                row += [rate_figure(rate, withheld, indicative), count_figure(den, withheld)]
            rows.append(row)
    measures = [measure_label(labels, f"svc_{scope[0]['service']}_{m}", scope[0]["service"]) for m in MEASURES]
    headers = ["Service", "12 months", "Breakdown", "Group"]
    headers += [f"{measure}: {figure}" for measure in measures for figure in ("rate", "answers")]
    return Table(headers, rows, [30, 18, 12, 26, *[11.5] * 2 * len(MEASURES)], {0, 1, 2, 3})


def group_label(labels: Labels, breakdown: str, value: str, area: str | None) -> str:
    """A breakdown's group as a reader says it; the headline "All victims" (in the scope's area).

    >>> group_label(Labels(), "all", "all", "SWINDON"), group_label(Labels(), "gender", "FEMALE", None)
    ('All victims in Swindon', 'Female')
    """
    if breakdown == "all":
        return f"All victims in {area_label(labels, area)}" if area else "All victims"
    return labels.value(breakdown, value)


def group_order(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """Breakdown values in the codebook's order (crime groups) or the labels' order (the rest)."""
    found = con.execute("select crime_group, crime_group_order from reference.crime_groups").fetchall()
    order = {("crime_group", code): n for code, n in found}
    for breakdown, values in VALUES.items():
        order |= {(breakdown, code): n for n, code in enumerate(values)}
    return order


Codes = dict[tuple[int, int], dict[str, str]]  # (delivery_id, row_number) -> {theme: POS | NEG | MIXED}


def stored_codes(con: duckdb.DuckDBPyConnection, services: list[ServiceComments]) -> Codes:
    """The stored themes (``core.comment_codes``, field ``comment_services``) of the comments a
    person released: what each raises, with its polarity."""
    released = {(c.delivery_id, c.row_number) for s in services for c, _ in s.released}
    if not released:
        return {}
    found = con.execute(
        f"select delivery_id, row_number, {', '.join(f'theme_{t}' for t in THEMES)} from core.comment_codes"
        " where field = ? and list_contains(?, delivery_id)",
        [FIELD, sorted({d for d, _ in released})],
    ).fetchall()
    return {
        (d, r): {t: v for t, v in zip(THEMES, values, strict=True) if v} for d, r, *values in found
        if (d, r) in released
    }  # fmt: skip


def theme_words(themes: dict[str, str]) -> str:
    """A comment's themes in words, in the codeframe's order.

    >>> theme_words({"safety": "POS", "kept_informed": "NEG"})
    'Kept informed and updated (complaint); Safety and protection (praise)'
    >>> theme_words({"court": "MIXED"})
    'Court and being a witness (praise and complaint)'
    """
    words = {**POLARITY_WORDS, "MIXED": "praise and complaint"}
    return "; ".join(f"{THEME_LABELS[t]} ({words[themes[t]]})" for t in THEMES if t in themes)


def theme_cells(con: duckdb.DuckDBPyConnection, item: dict, latest: str | None) -> dict[str, tuple]:
    """The published theme cells of the comments about one scope's service, for the 12 months
    ending ``latest``: {metric: (numerator, denominator, rate, withheld, indicative)}; an
    area-limited scope's from its own area's cells."""
    columns = "metric, numerator, denominator, rate, withheld, indicative"
    where = ("starts_with(metric, 'theme_') and period_type = 'rolling_12m' and period = ?"
             " and breakdown = 'service' and breakdown_value = ?")  # fmt: skip
    found = scope_cells(con, item, columns, where, [latest, item["service"]])
    return {metric: tuple(rest) for metric, *rest in found}


def first_examples(service: ServiceComments, codes: Codes) -> dict[tuple[str, str], str]:
    """For each (theme, polarity), the first comment released for the service (by month, then
    review id) whose stored codes raise it (MIXED raises both), as released; none for a service
    with fewer than :data:`MIN_COMMENTS` candidates."""
    if service.too_few:
        return {}
    examples: dict[tuple[str, str], str] = {}
    for candidate, text in sorted(service.released, key=lambda pair: (pair[0].month, pair[0].review_id)):
        for label in sorted(raised(codes.get(key(candidate), {}))):
            examples.setdefault(label, text)
    return examples


def key(candidate: Candidate) -> tuple[int, int]:
    return candidate.delivery_id, candidate.row_number


def themes_table(
    con: duckdb.DuckDBPyConnection,
    scope: list[dict],
    services: list[ServiceComments],
    codes: Codes,
    latest: str | None,
    labels: Labels,
) -> Table:
    """Per service, each theme its comments raise in the 12 months, as praise or as complaint:
    how many comments about the service raise it, their share and the base (the published
    cells of breakdown `service`), and an example released by a person. A theme no comment
    raises is left out; a withheld one stays, as [c]."""
    by_service = {(s.service, s.area): s for s in services}
    rows = []
    for item in scope:
        comments = by_service.get((item["service"], item.get("area")))
        service = service_label(labels, item["service"], item.get("area"))
        rows += service_theme_rows(service, theme_cells(con, item, latest), comments, codes)
    headers = ["Service", "Theme", "Praise or complaint", "Comments raising it", "Share of the service's comments",
               "Comments about the service (base)", "Example comment (released)", "Note"]  # fmt: skip
    return Table(headers, rows, [24, 25, 10, 10, 10, 11, 62, 22], {0, 1, 2, 6, 7})


def service_theme_rows(
    service: str, cells: dict[str, tuple], comments: ServiceComments | None, codes: Codes
) -> list[list[object]]:
    """One service's rows of the Themes sheet, in the codeframe's order, complaint before
    praise. A service whose every theme is withheld (too few comments about it) takes one row
    of [c]; one with none raised, or no comments at all, one row that says so."""
    if not cells:
        return [[service, "No comments about the service in the 12 months", None, *[Figure(NOT_AVAILABLE)] * 3,
                 None, None]]  # fmt: skip
    if all(cell[3] for cell in cells.values()):
        return [[service, "Every theme", "Praise and complaint", *[Figure(WITHHELD)] * 3, None,
                 f"withheld {WITHHELD}: too few comments about the service to show any theme"]]  # fmt: skip
    examples = first_examples(comments, codes) if comments else {}
    rows = []
    for theme in THEMES:
        for polarity in ("NEG", "POS"):
            cell = cells.get(f"theme_{theme}_{polarity.lower()}")
            if cell is None or (cell[0] == 0 and not cell[3]):
                continue
            numerator, denominator, rate, withheld, indicative = cell
            example = examples.get((theme, polarity))
            rows.append([
                service, THEME_LABELS[theme], POLARITY_WORDS[polarity].capitalize(),
                count_figure(numerator, withheld), rate_figure(rate, withheld, indicative),
                count_figure(denominator, withheld), example, example_note(comments, example),
            ])  # fmt: skip
    if not rows:  # every cell shown, none raised: say so rather than leave the service out
        base = next(iter(cells.values()))[1]
        rows.append([service, "No theme raised", None, Figure(0, "#,##0"), Figure(NOT_AVAILABLE),
                     count_figure(base, False), None, None])  # fmt: skip
    return rows


def example_note(comments: ServiceComments | None, example: str | None) -> str | None:
    """Why a theme's row shows no example comment.

    >>> example_note(None, None)
    'fewer than 5 comments to show: the counts stand in their place'
    """
    if example is not None:
        return None
    if comments is None or comments.too_few:
        return f"fewer than {MIN_COMMENTS} comments to show: the counts stand in their place"
    return "no released comment raises it"


def comment_rows(services: list[ServiceComments], labels: Labels, codes: Codes) -> list[list[object]]:
    """The comments a person released, as released (redacted), by service and month, each with
    the themes its stored codes raise, in words."""
    return [
        [labels.service(s.service), month_label(c.month), text, theme_words(codes.get(key(c), {}))]
        for s in services
        if not s.too_few
        for c, text in s.released
    ]


def comment_count_rows(services: list[ServiceComments], labels: Labels) -> list[list[object]]:
    """Per service: candidates, released, withheld by a reviewer, awaiting review; a service
    with fewer than 5 candidates shows no counts and lists none."""
    rows = []
    for s in services:
        area = labels.value("area", s.area) if s.area else "All areas"
        service = labels.service(s.service)
        if s.too_few:
            rows.append([service, area, None, None, None, None,
                         f"{WITHHELD} fewer than {MIN_COMMENTS} comments in the 12 months: none listed"])  # fmt: skip
            continue
        note = "those awaiting review are listed once a person releases them" if s.awaiting else ""
        rows.append([service, area, len(s.candidates), len(s.released), s.withheld, len(s.awaiting), note])
    return rows


def review_window(review: list | None) -> str | None:
    """The contract's specification review window as the contract sets it.

    >>> review_window(["2023-04", "2023-12"])
    'Apr 2023 to Dec 2023 (as set in the contract)'
    """
    if not review:
        return None
    first, last = (date(int(m[:4]), int(m[5:7]), 1).strftime("%b %Y") for m in (str(review[0]), str(review[1])))
    return f"{first} to {last} (as set in the contract)"


def contract_table(code: str, contract: dict, labels: Labels) -> Table:
    """The contract's own facts, as set in contract.yaml (nothing here is a figure's period)."""
    money = '"£"0.000"m"'
    value, total = contract.get("value_gbp_m"), contract.get("total_gbp_m")
    rows = [
        ["Contract", contract["name"]],
        ["Contract code", code],
        ["Services in scope", "; ".join(service_label(labels, s["service"], s.get("area")) for s in contract["scope"])],
        ["OPCC value a year", Figure(value, money) if value is not None else Figure(NOT_AVAILABLE)],
        ["Total value a year (with co-commissioners)", Figure(total, money) if total is not None else None],
        ["Co-commissioner", contract.get("co_commissioner")],
        ["Contract start", month_label(contract.get("start"))],
        ["Specification review window", review_window(contract.get("review"))],
    ]
    rows = [row for row in rows if row[1] is not None]
    return Table(["Contract fact", "As set in the contract"], rows, [40, 90], {0, 1}, facts=True)


def month_label(month: object) -> str | None:
    """A month as people write it.

    >>> month_label("2024-12"), month_label(None)
    ('Dec 2024', None)
    """
    if not month:
        return None
    text = str(month)
    return date(int(text[:4]), int(text[5:7]), 1).strftime("%b %Y")


def notes_table(code: str, contract: dict, figures: str, quarter: str | None, trend: list[str]) -> Table:
    """What the pack holds, for which period, and how to read it."""
    area_scopes = [s for s in contract["scope"] if s.get("area")]
    rows = [
        ["Pack", f"Contract review pack: {contract['name']} ({code})"],
        ["Figures", f"12 months to {figures}" + (f"; latest quarter {quarter}" if quarter else "")],
        ["Trend", f"rolling 3-month windows ({trend[0]} to {trend[-1]}); neighbouring windows share two months"
                  if trend else f"no rolling 3-month windows yet {NOT_AVAILABLE}"],
        ["Generated", date.today().strftime("%d %b %Y")],
        ["Sheet: Contract", "the contract's own facts (value, review window, start), as set in the contract"],
        ["Sheet: KPIs", "each measure for the 12 months and the latest quarter: target, rate, 95% interval, "
                        "number of answers and rating"],
        ["Sheet: Trend", "each measure's rate and number of answers in each rolling 3-month window"],
        ["Sheet: Trend chart", "the trend's rates as a line chart for each service (a gap where withheld)"],
        ["Sheet: Breakdowns", "each measure for the 12 months by crime group, age, gender, ethnic group and "
                              "disability"],
        ["Sheet: Themes", "what each service's comments praise or complain of in the 12 months: how many raise each "
                          "theme, their share, and an example comment a person released"],
        ["Sheet: Comments by service", "how many comments about each service were released, withheld or await "
                                       "review"],
        ["Sheet: Comments (released)", "the comments a person released, redacted, by service and month, with "
                                       "the themes each raises"],
        *[[f"Rating {rating}", meaning] for rating, meaning in RATINGS.items()],
        ["Weighting", "not weighted: every figure here is the service's clients' own answers, unweighted. "
                      "Weighting to the force's recorded crime (area by crime group) makes all-victims figures "
                      "representative of victims; it does not describe a service's clients, who are not a sample "
                      "of recorded crime (weighted all-victims figures are in the monthly report and the "
                      "published figures)"],
        ["95% interval", "the range the rate among all the service's clients very likely lies in (95% "
                         "confidence, Wilson); the fewer the answers, the wider it is"],
        *[[f"Shorthand {mark}", meaning] for mark, meaning in SHORTHAND.items()],
        ["Breakdowns of an area-limited service",
         "; ".join(f"{s['service']}: {s['area'].title()} answers only, so its groups add up to its headline"
                   for s in area_scopes) if area_scopes else "for each service in scope, over the whole force area"],
        ["Comments", f"redacted, from respondents who consented to sharing and used the service, about it, each "
                     f"released by a person; none for a service with fewer than {MIN_COMMENTS} in the 12 months"],
        ["Themes", "coded by an offline classifier, measured on labelled comments, into the codeframe's 14 themes, "
                   "each as praise or complaint (a comment can raise several); shares are of the respondents who "
                   "commented about the service (in an area-limited service's area only); examples are released "
                   f"comments only, none for a service with fewer than {MIN_COMMENTS} to show (counts stand in their "
                   "place)"],
    ]  # fmt: skip
    return Table(["Note", "Detail"], rows, [34, 96], {0, 1}, facts=True)


def write_contract_pack(settings: Settings, code: str, out: Path) -> Path:
    """Write ``<CODE>_contract_pack.xlsx`` into ``out``."""
    contracts = load_codebook().contracts
    if code not in contracts:
        raise ConfigurationError(f"unknown contract {code}; the contracts are {', '.join(contracts)}")
    contract = contracts[code]
    scope = contract["scope"]
    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        labels = Labels.read(con)
        latest = pack_window_end(con)
        figures, quarter = period_labels(con, latest)
        comments = pack_comments(con, code, latest) if latest else []
        codes = stored_codes(con, comments)
        trend, trend_periods = trend_table(con, scope, labels)
        themes = themes_table(con, scope, comments, codes, latest, labels)
        tables = {
            "Notes": notes_table(code, contract, figures, quarter, trend_periods),
            "Contract": contract_table(code, contract, labels),
            "KPIs": kpi_table(con, code, scope, labels),
            "Trend": trend,
            "Breakdowns": breakdown_table(con, scope, labels),
        }
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, table in tables.items():
        write_table(workbook.create_sheet(title), table)
    colour_ratings(workbook["KPIs"])
    add_trend_charts(workbook.create_sheet("Trend chart"), workbook["Trend"], len(trend_periods))
    write_table(workbook.create_sheet("Themes"), themes)
    indent_column(workbook["Themes"], "Example comment (released)")
    for title, headers, rows, widths, wrapped in (
        ("Comments by service", ["Service", "Area", "Candidates", "Released", "Withheld by reviewer",
                                 "Awaiting review", "Note"], comment_count_rows(comments, labels),
         [30, 12, 11, 10, 11, 10, 50], {0, 6}),
        ("Comments (released)", ["Service", "Month", "Comment (redacted, released)", "Themes"],
         comment_rows(comments, labels, codes), [30, 10, 80, 36], {0, 2, 3}),
    ):  # fmt: skip
        write_table(workbook.create_sheet(title), Table(headers, rows, widths, wrapped))
    out.mkdir(parents=True, exist_ok=True, mode=0o700)  # only once there is something to write
    path = out / f"{code}_contract_pack.xlsx"
    with written_whole(path) as part:
        workbook.save(part)
    return path


def period_labels(con: duckdb.DuckDBPyConnection, latest: str | None) -> tuple[str, str | None]:
    """The labels of the pack's 12 months and of the latest quarter ([x] when there is none)."""
    found = dict(
        con.execute(
            "select period_type, arg_max(period_label, period) from marts.published_metric_values"
            " where period_type in ('rolling_12m', 'quarter') and period <= coalesce(?, '9999') group by 1",
            [latest],
        ).fetchall()
    )
    return found.get("rolling_12m") or NOT_AVAILABLE, found.get("quarter")


def indent_column(sheet: Worksheet, header: str) -> None:
    """A text column set off from the right-aligned numbers before it (they would touch)."""
    column = [c.value for c in sheet[1]].index(header) + 1
    for (cell,) in sheet.iter_rows(min_col=column, max_col=column):
        cell.alignment = Alignment(horizontal="left", wrap_text=cell.alignment.wrap_text, vertical="top", indent=1)


def colour_ratings(sheet: Worksheet) -> None:
    """A rating's cell tinted as its word says (the word stays: colour is never the only cue)."""
    column = [c.value for c in sheet[1]].index("Rating") + 1
    for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
        cell.alignment = Alignment(horizontal="center", vertical="top")
        if cell.value in RATING_FILLS:
            cell.fill = PatternFill("solid", fgColor=RATING_FILLS[cell.value])

"""Contract review packs: one XLSX workbook per commissioned contract, for its specification review.

Everything in a pack leaves the warehouse, so figures come from
``marts.published_metric_values`` only (rolling windows, withheld cells blank and marked
[c]) and comments only as a person released them: redacted, from respondents who
consented to sharing and used the service, about it, none for a service with fewer than 5
(:mod:`victim_voice.outputs.comment_candidates`, :mod:`victim_voice.outputs.comment_review`).
Spreadsheet-safe: no cell is ever a formula; text that a spreadsheet would run
(=, +, -, @ first) is prefixed with an apostrophe.

Example::

    >>> write_contract_pack(Settings.from_env(), "SARC", Path("packs"))  # doctest: +SKIP
    PosixPath('packs/SARC_contract_pack.xlsx')
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from schemas.codebook import load_codebook
from victim_voice.outputs.comment_candidates import MIN_COMMENTS, ServiceComments, pack_comments, pack_window_end
from victim_voice.outputs.formatting import WITHHELD, print_across_one_page, spreadsheet_safe
from victim_voice.outputs.output_files import written_whole
from victim_voice.settings import ConfigurationError, Settings
from warehouse.db import open_reader

MEASURES = ("contact", "timely", "satisfied", "cope", "safer")
BREAKDOWNS = ("crime_group", "age_band", "gender", "ethnic_group", "disability")


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


def scope_cells(con: duckdb.DuckDBPyConnection, service: str, area: str | None, period_type: str) -> list[tuple]:
    """Published cells of one service's measures, county-wide or for one area."""
    breakdown, value = ("area", area) if area else ("all", "all")
    return con.execute(
        "select metric, period, numerator, denominator, rate, ci_low, ci_high, withheld, indicative"
        " from marts.published_metric_values"
        " where period_type = ? and breakdown = ? and breakdown_value = ? and list_contains(?, metric)"
        " order by metric, period",
        [period_type, breakdown, value, [f"svc_{service}_{m}" for m in MEASURES]],
    ).fetchall()


def kpi_rows(con: duckdb.DuckDBPyConnection, scope: list[dict], latest: str) -> list[list[object]]:
    rows = []
    for item in scope:
        for metric, period, num, den, rate, low, high, withheld, indicative in scope_cells(
            con, item["service"], item.get("area"), "rolling_12m"
        ):
            if period != latest:
                continue
            flag = f"{WITHHELD} fewer than 10" if withheld else ("indicative: 10-29" if indicative else "")
            rows.append([item["service"], item.get("area") or "all", metric, period, num, den, rate, low, high, flag])
    return rows


def trend_rows(con: duckdb.DuckDBPyConnection, scope: list[dict]) -> list[list[object]]:
    rows = []
    for item in scope:
        for metric, period, _, den, rate, _, _, withheld, _ in scope_cells(
            con, item["service"], item.get("area"), "rolling_3m"
        ):
            rows.append([item["service"], item.get("area") or "all", metric, period, den, None if withheld else rate])
    return rows


def breakdown_rows(con: duckdb.DuckDBPyConnection, scope: list[dict], latest: str) -> list[list[object]]:
    metrics = [f"svc_{item['service']}_{m}" for item in scope for m in MEASURES]
    found = con.execute(
        "select metric, breakdown, breakdown_value, numerator, denominator, rate, ci_low, ci_high, indicative"
        " from marts.published_metric_values"
        " where period_type = 'rolling_12m' and period = ? and not withheld"
        " and list_contains(?, metric) and list_contains(?, breakdown) order by all",
        [latest, metrics, list(BREAKDOWNS)],
    ).fetchall()
    return [[*row[:8], "indicative: 10-29" if row[8] else ""] for row in found]


def comment_rows(services: list[ServiceComments]) -> list[list[object]]:
    """The comments a person released, as released (redacted), by service and month."""
    return [[s.service, c.month, text] for s in services if not s.too_few for c, text in s.released]


def comment_count_rows(services: list[ServiceComments]) -> list[list[object]]:
    """Per service: candidates, released, withheld by a reviewer, awaiting review; a service
    with fewer than 5 candidates shows no counts and lists none."""
    rows = []
    for s in services:
        area = s.area or "all"
        if s.too_few:
            rows.append([s.service, area, None, None, None, None,
                         f"{WITHHELD} fewer than {MIN_COMMENTS} comments in the 12 months: none listed"])  # fmt: skip
            continue
        note = "those awaiting review are listed once a person releases them" if s.awaiting else ""
        rows.append([s.service, area, len(s.candidates), len(s.released), s.withheld, len(s.awaiting), note])
    return rows


def summary_rows(code: str, contract: dict, latest: str | None) -> list[list[object]]:
    scope = ", ".join(
        f"{s['service']}" + (f" ({s['area'].title()})" if s.get("area") else "") for s in contract["scope"]
    )
    review = contract.get("review")
    return [
        ["Contract", f"{code}: {contract['name']}"],
        ["OPCC value (£m a year)", contract.get("value_gbp_m")],
        ["Total value (£m a year)", contract.get("total_gbp_m")],
        ["Co-commissioner", contract.get("co_commissioner")],
        ["Review window", f"{review[0]} to {review[1]}" if review else None],
        ["Contract start", contract.get("start")],
        ["Services in scope", scope],
        ["Figures for the 12 months ending", latest],
        ["Generated", date.today().isoformat()],
        ["Breakdowns", "county-wide for each service (an area-limited service's breakdowns include both areas)"
                       if any(s.get("area") for s in contract["scope"]) else "for each service in scope"],
        ["Disclosure control", "[c]: fewer than 10 answers, or withheld so that one cannot be worked out from the "
                               "others; 10-29 answers: indicative only."],
        ["Comments", f"redacted, from respondents who consented to sharing and used the service, about it, each "
                     f"released by a person; none for a service with fewer than {MIN_COMMENTS} in the 12 months"],
    ]  # fmt: skip


def write_contract_pack(settings: Settings, code: str, out: Path) -> Path:
    """Write ``<CODE>_contract_pack.xlsx`` into ``out``."""
    contracts = load_codebook().contracts
    if code not in contracts:
        raise ConfigurationError(f"unknown contract {code}; the contracts are {', '.join(contracts)}")
    contract = contracts[code]
    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        latest = pack_window_end(con)
        scope = contract["scope"]
        comments = pack_comments(con, code, latest) if latest else []
        sheets = {
            "KPIs (12 months)": (
                [
                    "service",
                    "area",
                    "metric",
                    "period",
                    "numerator",
                    "denominator",
                    "rate",
                    "ci_low",
                    "ci_high",
                    "note",
                ],
                kpi_rows(con, scope, latest) if latest else [],
                {"rate", "ci_low", "ci_high"},
            ),
            "Trend (rolling 3 months)": (
                ["service", "area", "metric", "period", "denominator", "rate"],
                trend_rows(con, scope),
                {"rate"},
            ),
            "Breakdowns": (
                ["metric", "breakdown", "value", "numerator", "denominator", "rate", "ci_low", "ci_high", "note"],
                breakdown_rows(con, scope, latest) if latest else [],
                {"rate", "ci_low", "ci_high"},
            ),
            "Comments by service": (
                ["service", "area", "candidates", "released", "withheld by reviewer", "awaiting review", "note"],
                comment_count_rows(comments),
                set(),
            ),
            "Comments (released)": (
                ["service", "month", "comment (redacted, released)"],
                comment_rows(comments),
                set(),
            ),
        }
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    write_rows(summary, ["item", "value"], summary_rows(code, contract, latest), set())
    for title, (headers, rows, percents) in sheets.items():
        write_rows(workbook.create_sheet(title), headers, rows, percents)
    for sheet in workbook.worksheets:  # a pack is printed for the review meeting
        print_across_one_page(sheet)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)  # only once there is something to write
    path = out / f"{code}_contract_pack.xlsx"
    with written_whole(path) as part:
        workbook.save(part)
    return path

"""Board tables: chosen measures by one breakdown for one period, ready to paste into a board paper.

One row per value of the breakdown (with "All victims" first), and for each measure its rate,
the 95% interval's lower and upper limits and its base (the number of answers). Figures come
from ``marts.published_metric_values`` only: a withheld cell shows as [c] and never its number,
a rate from 10 to 29 answers carries [u], a value with no cell for a measure shows [x].

Written as an XLSX that follows the Government Analysis Function's guidance on releasing
statistics in spreadsheets (cover sheet, contents, notes, one table per sheet, shorthand in
square brackets), laid out by ``gptables``; or as a CSV of the same table (UTF-8 with a
byte-order mark, so that Excel on Windows reads accented text).

Example::

    >>> write_board_table(Settings.from_env(), TableRequest(("sat_overall", "sat_informed"), "crime_group",
    ...                   "quarter", "2026-09"), Path("board/Q2.xlsx"))  # doctest: +SKIP
    PosixPath('board/Q2.xlsx')
"""

from __future__ import annotations

import textwrap
import warnings
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from schemas.codebook import load_codebook
from victim_voice.outputs.formatting import (
    LOW_RELIABILITY,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SHORTHAND,
    WITHHELD,
    round_half_away,
    spreadsheet_safe,
    wrapped_lines,
)
from victim_voice.outputs.labels import BREAKDOWNS, Labels
from victim_voice.outputs.output_files import written_whole
from victim_voice.settings import ConfigurationError, Settings
from warehouse.db import open_reader

PERIOD_TYPES = {  # the published windows a board table can cover, as a reader would say them
    "quarter": "financial quarter",
    "rolling_3m": "3 months",
    "rolling_12m": "12 months",
    "financial_year": "financial year",
    "fy_to_date": "financial year to date",
}
DEFAULT_PERIOD_TYPE = "quarter"  # boards meet quarterly
FORMATS = (".xlsx", ".csv")
PERCENT = "%"
PERCENT_PARTS = (": rate", ": lower limit", ": upper limit")
FAMILY_PREFIX = {  # a measure's label says what it is about; the prefix says what its rate counts
    "police_satisfaction": "Satisfied with the police: ",
    "victims_code": "Victims' Code right met: ",
}
FAMILY_NOTE = {
    "police_satisfaction": "Satisfied with the police: of the victims who answered the question (1 to 7), the "
    "percentage who were satisfied (5, 6 or 7). Don't know and not applicable answers are left out.",
    "victims_code": "Victims' Code right met: of the victims who answered yes or no, the percentage who said yes. "
    "Don't know and not applicable answers are left out.",
    "service": "Support services: of the victims the measure applies to (referred to the service, contacted by "
    "it, or who answered the question), the percentage for whom it was so.",
    "themes": "Comment themes: of the victims who gave a comment (by service: a comment about the service), the "
    "percentage whose comments raise the theme that way (praise or complaint). Comments are coded by an offline "
    "classifier, not read one by one.",
}
NAMED_IN_TITLE = 4  # a title names at most this many measures of a family, then counts them
FAMILY_TITLES = {
    "police_satisfaction": "Satisfied with the police",
    "victims_code": "Victims' Code rights met",
    "service": "Support services",
    "journey": "How far cases got",
    "themes": "Comment themes",
}
OTHER_FAMILY_NOTE = "Other measures: of the victims the measure applies to, the percentage for whom it was so."


@dataclass(frozen=True)
class TableRequest:
    """What a board table shows: measures (codes), a breakdown (or ``all``), a period type and
    a period (its last month, ``YYYY-MM``; None for the latest)."""

    metrics: tuple[str, ...]
    breakdown: str = "all"
    period_type: str = DEFAULT_PERIOD_TYPE
    period: str | None = None


@dataclass(frozen=True)
class BoardTable:
    """A board table as read: its title, period and one row per breakdown value (shorthand in cells)."""

    request: TableRequest
    period: str
    period_label: str
    title: str
    families: tuple[str, ...]
    frame: pd.DataFrame  # first column the breakdown's value labels; then 4 columns per measure

    @property
    def percent_columns(self) -> list[str]:
        return [c for c in self.frame.columns if c.endswith(PERCENT_PARTS)]

    def wrapped_headings(self, width: int = 16) -> dict[str, str]:
        """Each measure's column headings over several short lines (a spreadsheet's narrow
        columns): "Satisfied with the police:" / "whole experience" / "rate"."""
        headings = {}
        for column in self.frame.columns[1:]:
            name, part = column.rsplit(": ", 1)
            headings[column] = "\n".join([*textwrap.wrap(name, width), part])
        return headings


# --------------------------------------------------------------------------- checks


def published_metrics(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The public measures, code → family, in the reference table's order."""
    rows = con.sql("select metric, family from reference.metrics where public order by metric_order").fetchall()
    return dict(rows)


def check_request(con: duckdb.DuckDBPyConnection, request: TableRequest) -> str:
    """The period the table covers (the latest when none was asked for); a ConfigurationError
    naming what is valid when a measure, the breakdown, the period type or the period is not."""
    metrics = published_metrics(con)
    if not request.metrics:
        raise ConfigurationError("name at least one measure with --metrics, e.g. --metrics sat_overall,sat_informed")
    if unknown := [m for m in request.metrics if m not in metrics]:
        raise ConfigurationError(
            f"unknown measure {', '.join(unknown)}: the measures are {', '.join(metrics)}, or a family of them "
            f"({', '.join(dict.fromkeys(metrics.values()))}) "
            '(their names: victim-voice query "select metric, label from reference.metrics where public")'
        )
    sql = "select distinct breakdown from marts.published_metric_values"
    breakdowns = sorted({*BREAKDOWNS, *(b for (b,) in con.sql(sql).fetchall())})
    if request.breakdown not in breakdowns:
        raise ConfigurationError(f"unknown breakdown {request.breakdown}: the breakdowns are {', '.join(breakdowns)}")
    if request.period_type not in PERIOD_TYPES:
        raise ConfigurationError(
            f"unknown period type {request.period_type}: the period types are {', '.join(PERIOD_TYPES)}"
        )
    periods = available_periods(con, request)
    if not periods:
        raise ConfigurationError(
            f"no {PERIOD_TYPES[request.period_type]} figures ({request.period_type}) are published yet for "
            f"{', '.join(request.metrics)}: try another --period-type ({', '.join(PERIOD_TYPES)})"
        )
    if request.period is None:
        return periods[-1][0]
    if request.period not in dict(periods):
        listed = "; ".join(f"{period} ({label})" for period, label in periods)
        raise ConfigurationError(
            f"no {request.period_type} figures for the period {request.period}: the periods published are {listed}"
        )
    return request.period


def available_periods(con: duckdb.DuckDBPyConnection, request: TableRequest) -> list[tuple[str, str]]:
    """(period, period_label) published for the request's period type and measures, oldest first."""
    return con.execute(
        "select distinct period, period_label from marts.published_metric_values"
        " where period_type = ? and list_contains(?, metric) order by period",
        [request.period_type, list(request.metrics)],
    ).fetchall()


# --------------------------------------------------------------------------- the table


def with_families_expanded(con: duckdb.DuckDBPyConnection, request: TableRequest) -> TableRequest:
    """A family's name in ``--metrics`` (police_satisfaction, victims_code, service, journey)
    stands for every public measure of it, in the reference order."""
    members: dict[str, list[str]] = {}
    for metric, family in published_metrics(con).items():
        members.setdefault(family, []).append(metric)
    expanded = (m for name in request.metrics for m in members.get(name, [name]))
    return replace(request, metrics=tuple(dict.fromkeys(expanded)))


def read_board_table(con: duckdb.DuckDBPyConnection, request: TableRequest) -> BoardTable:
    """The board table a request asks for, from the published cells only."""
    request = with_families_expanded(con, request)
    period = check_request(con, request)
    labels = Labels.read(con)
    families = published_metrics(con)
    cells = con.execute(
        "select metric, breakdown_value, period_label, denominator, rate, ci_low, ci_high, withheld, indicative"
        " from marts.published_metric_values"
        " where period_type = ? and period = ? and list_contains(?, metric) and breakdown in ('all', ?)",
        [request.period_type, period, list(request.metrics), request.breakdown],
    ).df()
    period_label = cells["period_label"].iloc[0]
    names = {m: measure_name(labels, families[m], m) for m in request.metrics}
    frame = table_frame(cells, request, labels, names)
    breakdown = "" if request.breakdown == "all" else f", by {Labels.breakdown(request.breakdown).lower()}"
    title = f"{measures_in_words(labels, families, request.metrics)}{breakdown}: {period_label}"
    used = tuple(dict.fromkeys(families[m] for m in request.metrics))
    return BoardTable(request, period, period_label, title, used, frame)


def measure_name(labels: Labels, family: str, code: str) -> str:
    """A measure as a column heading says it: "Satisfied with the police: whole experience".

    >>> measure_name(Labels(metrics={"sat_overall": "Whole experience"}), "police_satisfaction", "sat_overall")
    'Satisfied with the police: whole experience'
    """
    label = labels.metric(code)
    prefix = FAMILY_PREFIX.get(family, "")
    return prefix + (label[:1].lower() + label[1:] if prefix else label)


def measures_in_words(labels: Labels, families: dict[str, str], metrics: tuple[str, ...]) -> str:
    """The measures as a title says them, each family's prefix once.

    >>> labels = Labels(metrics={"sat_overall": "Whole experience", "sat_informed": "Kept informed", "x": "X"})
    >>> measures_in_words(labels, {"sat_overall": "police_satisfaction", "sat_informed": "police_satisfaction",
    ...                            "x": "other"}, ("sat_overall", "sat_informed", "x"))
    'Satisfied with the police: whole experience and kept informed; X'
    >>> measures_in_words(Labels(), dict.fromkeys("abcdef", "themes"), tuple("abcdef"))
    'Comment themes: 6 measures'
    """
    groups: dict[str, list[str]] = {}
    for metric in metrics:
        prefix = FAMILY_PREFIX.get(families[metric], "")
        label = labels.metric(metric)
        groups.setdefault(families[metric], []).append(label[:1].lower() + label[1:] if prefix else label)
    return "; ".join(
        f"{FAMILY_TITLES.get(family, 'Measures')}: {len(names)} measures"
        if len(names) > NAMED_IN_TITLE
        else FAMILY_PREFIX.get(family, "") + " and ".join(names)
        for family, names in groups.items()
    )


def value_order(breakdown: str) -> list[str]:
    """A breakdown's values in the codebook's order (crime groups as the force groups them,
    ages youngest first); empty when the codebook does not list them."""
    codebook = load_codebook()
    return list(codebook.column(breakdown).allowed) if breakdown in codebook.column_names else []


def table_frame(cells: pd.DataFrame, request: TableRequest, labels: Labels, names: dict[str, str]) -> pd.DataFrame:
    """One row per breakdown value ("All victims" first), four columns per measure."""
    order = value_order(request.breakdown)
    present = set(cells["breakdown_value"])
    values = ["all"] + [v for v in order if v in present] + sorted(present - set(order) - {"all"})
    by_cell = {(row.metric, row.breakdown_value): row for row in cells.itertuples()}
    heading = "Victims" if request.breakdown == "all" else Labels.breakdown(request.breakdown)
    rows = []
    for value in values:
        row: dict[str, object] = {heading: labels.value(request.breakdown, value) if value != "all" else "All victims"}
        for metric in request.metrics:
            row.update(measure_cells(by_cell.get((metric, value)), names[metric]))
        rows.append(row)
    return pd.DataFrame(rows)


def measure_cells(cell, name: str) -> dict[str, object]:
    """One measure's four cells for one row: rate, interval and base as numbers (percentages to
    one decimal place); [c] for each when withheld, [x] when there is no cell; [u] after the
    rate when it rests on 10 to 29 answers."""
    keys = [f"{name}: rate", f"{name}: lower limit", f"{name}: upper limit", f"{name}: answers"]
    if cell is None:
        return dict.fromkeys(keys, NOT_AVAILABLE)
    if cell.withheld:
        return dict.fromkeys(keys, WITHHELD)
    rate = round_half_away(100 * cell.rate)
    shown_rate: object = f"{rate:.1f} {LOW_RELIABILITY}" if cell.indicative else rate
    low, high = round_half_away(100 * cell.ci_low), round_half_away(100 * cell.ci_high)
    return dict(zip(keys, [shown_rate, low, high, int(cell.denominator)], strict=True))


# --------------------------------------------------------------------------- writing


def write_board_table(settings: Settings, request: TableRequest, path: Path) -> BoardTable:
    """Write the table as XLSX or CSV (by ``path``'s suffix); returns the table written."""
    if path.suffix.lower() not in FORMATS:
        raise ConfigurationError(f"{path.name}: --out must end in .xlsx or .csv")
    with open_reader(settings.warehouse, db_key=settings.db_key) as con:
        table = read_board_table(con, request)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with written_whole(path) as part:
        if path.suffix.lower() == ".csv":
            write_csv(table, part)
        else:
            write_xlsx(table, part)
    return table


def csv_frame(table: BoardTable) -> pd.DataFrame:
    """The table as the CSV holds it: percentage columns say (%) in their heading; text that a
    spreadsheet would run as a formula is made inert."""
    frame = table.frame.rename(columns={c: f"{c} ({PERCENT})" for c in table.percent_columns})
    return frame.map(spreadsheet_safe)


def write_csv(table: BoardTable, path: Path) -> None:
    """The table as CSV: one header row, shorthand in the cells, UTF-8 with a byte-order mark."""
    csv_frame(table).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def notes_table(table: BoardTable) -> pd.DataFrame:
    """The Notes sheet: what the rates count, the interval, the base, the shorthand."""
    notes = [(f"rate_{family}", FAMILY_NOTE.get(family, OTHER_FAMILY_NOTE)) for family in table.families]
    notes += [
        ("interval", "Lower and upper limits: the 95% confidence interval of the rate (Wilson score interval). "
                     "The rate among all victims like those who answered is likely to lie between them."),
        ("answers", "Answers: the number of victims the rate is based on (those who answered the question or to "
                    "whom the measure applies), not weighted."),
        ("period", f"The period is the {PERIOD_TYPES[table.request.period_type]} {table.period_label}, by the "
                   "date of the interview. The financial year runs from April to March."),
        ("shorthand", "Shorthand: " + "; ".join(f"{code} {text}" for code, text in SHORTHAND.items()
                                                if code != NOT_APPLICABLE) + "."),
    ]  # fmt: skip
    return pd.DataFrame(notes, columns=["Note reference", "Note text"])


COVER_WIDTH, NOTE_TEXT_WIDTH = 85, 110  # the widths of the cover's column and of the notes' text column
LINE_POINTS = 16.0  # the height of a line of 12-point text
NOTES_FIRST_ROW = 3  # gptables' notes sheet: title, instructions, headings, then the notes


def table_sheet(table: BoardTable):
    """The table as a gptables GPTable: title, subtitles with note references, the shorthand
    as its legend, percentages' unit in their headings."""
    import gptables as gpt

    rate_notes = "".join(f"$$rate_{family}$$" for family in table.families)
    headings = table.wrapped_headings()
    percent_headings = [headings[column] for column in table.percent_columns]
    return gpt.GPTable(
        table=table.frame.map(spreadsheet_safe).rename(columns=headings),
        table_name="board_table",
        title=table.title,
        subtitles=[
            f"Rate: the percentage of the victims who answered.{rate_notes}",
            "Lower and upper limits: the 95% confidence interval.$$interval$$",
            "Answers: the number of victims the rate is based on.$$answers$$",
            f"Period: {table.period_label}.$$period$$",
        ],
        instructions="This worksheet contains one table. Some cells hold shorthand in square brackets, explained "
        "below and on the Notes worksheet.$$shorthand$$",
        units={headings[column]: PERCENT for column in table.percent_columns},
        legend=[f"{code} {text}" for code, text in SHORTHAND.items() if code != NOT_APPLICABLE],
        source="Source: Victim Voice, the Police and Crime Commissioner's survey of victims of crime.",
        index_columns={2: 0},
        additional_formatting=[{"column": {"columns": percent_headings, "format": {"num_format": "0.0"}}}],
    )


def cover_sheet(table: BoardTable):
    """The cover: what the workbook holds, for which period, what was withheld and why."""
    import gptables as gpt

    return gpt.Cover(
        title="Victims' survey: board table",
        intro=[
            table.title,
            "Figures from the Police and Crime Commissioner's survey of victims of crime, for a board paper.",
        ],
        about=[
            "Only figures cleared for publication are shown. A figure based on fewer than 10 answers, or one that "
            "could be worked out from the others, is withheld and shown as [c]. A rate based on 10 to 29 answers "
            "is marked [u] (low reliability). The Notes worksheet says how each figure is counted.",
            f"Produced on {date.today().isoformat()}.",
        ],
        contact=["The Office of the Police and Crime Commissioner, commissioning team."],
        width=COVER_WIDTH,
    )


def write_xlsx(table: BoardTable, path: Path) -> None:
    """The table as an XLSX laid out by gptables: cover, contents, notes, the table; printed A4
    landscape, one page wide, the table's headings repeated on every page, page numbers."""
    import gptables as gpt

    sheet, cover, notes = table_sheet(table), cover_sheet(table), notes_table(table)
    with warnings.catch_warnings():
        # gptables 2.0 (pinned) calls pandas APIs that pandas 4 will change: not the user's concern
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        workbook = gpt.produce_workbook(
            filename=str(path),
            sheets={"Table_1": sheet},
            cover=cover,
            notes_table=notes,
            auto_width={"Notes": False},
            workbook_options={"strings_to_formulas": False, "strings_to_urls": False},
        )
    by_name = {worksheet.get_name(): worksheet for worksheet in workbook.worksheets()}
    # Spreadsheets that open a file do not all measure wrapped rows again (LibreOffice overprints):
    # each row that wraps is given its height here.
    cover_rows = [cover.title, "", *cover.intro, "", *cover.about, "", *cover.contact]
    fit_rows(by_name["Cover"], 0, cover_rows, COVER_WIDTH)
    by_name["Notes"].set_column(0, 0, 14)
    by_name["Notes"].set_column(1, 1, NOTE_TEXT_WIDTH)
    fit_rows(by_name["Notes"], NOTES_FIRST_ROW, list(notes["Note text"]), NOTE_TEXT_WIDTH)
    heading_row = sheet.data_range[0]
    heading_lines = max(len(heading.split("\n")) for heading in sheet.table.columns)
    by_name["Table_1"].set_row(heading_row, LINE_POINTS * heading_lines)
    by_name["Table_1"].repeat_rows(heading_row)
    for worksheet in workbook.worksheets():
        print_a4_landscape(worksheet)
    workbook.close()


def fit_rows(worksheet, first_row: int, texts: list[str], width: int) -> None:
    """Rows from ``first_row`` tall enough for their text wrapped in a column ``width`` wide."""
    for row, text in enumerate(texts, start=first_row):
        lines = wrapped_lines(text, width)
        if lines > 1:
            worksheet.set_row(row, LINE_POINTS * lines)


def print_a4_landscape(worksheet) -> None:
    """A4 landscape, one page wide, page numbers (an xlsxwriter worksheet)."""
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.fit_to_pages(1, 0)
    worksheet.set_footer("&CPage &P of &N")


def describe(table: BoardTable, path: Path) -> str:
    """What the CLI says after writing a table."""
    shown = len(table.frame)
    return f"Wrote {path}: {table.title} ({shown} row{'s' if shown != 1 else ''})"


def parse_metrics(text: str) -> tuple[str, ...]:
    """Measure codes from a comma-separated list, blanks and repeats dropped.

    >>> parse_metrics("sat_overall, sat_informed,,sat_overall")
    ('sat_overall', 'sat_informed')
    """
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))

"""How figures and cells are written for people, in every output: one definition each.

Example::

    >>> percent(0.6204), percent(0.31, indicative=True), percent(0.5, withheld=True), percent(None)
    ('62.0%', '31.0% [u]', '[c]', '[x]')
    >>> spreadsheet_safe("=SUM(A1:A9)"), spreadsheet_safe(-1), spreadsheet_safe("ok")
    ("'=SUM(A1:A9)", -1, 'ok')
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from victim_voice.delivery.files import display_name

# Shorthand as the Government Analysis Function recommends (metrics-v2 §5), in square brackets.
WITHHELD = "[c]"  # confidential: fewer than 10 answers, or withheld so a small figure cannot be worked out
LOW_RELIABILITY = "[u]"  # low reliability: 10 to 29 answers
NOT_AVAILABLE = "[x]"  # not available: no answers, or not tested
NOT_APPLICABLE = "[z]"  # not applicable: the measure does not apply here
SHORTHAND = {
    WITHHELD: "confidential: fewer than 10 answers, or withheld so that a small figure cannot be worked out "
    "by subtraction from the others",
    LOW_RELIABILITY: "low reliability: 10 to 29 answers, treat with caution",
    NOT_AVAILABLE: "not available: no answers in the period, or too few to test",
    NOT_APPLICABLE: "not applicable",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def percent(rate: float | None, withheld: bool = False, indicative: bool = False) -> str:
    """A rate for people: "62.0%", "[c]" when withheld, "[u]" after it when indicative (10 to 29
    answers), "[x]" when there is none."""
    if withheld:
        return WITHHELD
    if rate is None:
        return NOT_AVAILABLE
    return f"{100 * rate:.1f}%" + (f" {LOW_RELIABILITY}" if indicative else "")


def round_half_away(value: float, digits: int = 1) -> float:
    """Rounded as SQL's round() does (half away from zero), not as Python's round() (half to even).

    >>> round_half_away(6.25), round(6.25, 1), round_half_away(-0.05)
    (6.3, 6.2, -0.1)
    """
    scaled = value * 10**digits
    return math.copysign(math.floor(abs(scaled) + 0.5), scaled) / 10**digits


def count(value: object) -> str:
    """A count for people; a withheld count (None) shows as [c]."""
    return WITHHELD if value is None else str(value)


def spreadsheet_safe(value: object) -> object:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) made inert with a ';
    other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (cells with | escaped); empty text when there are no rows.

    >>> print(markdown_table(["a", "b"], [[1, "x|y"]]))
    | a | b |
    |---|---|
    | 1 | x\\|y |
    """

    def cell(value: object) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    if not rows:
        return ""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table for a terminal (control characters shown as ?).

    >>> print(text_table(["a", "b"], [[1, "x"]]))
    a  b
    -  -
    1  x
    """
    cells = [[("" if v is None else display_name(str(v))) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def wrapped_lines(text: object, width: float) -> int:
    """How many lines a cell's text takes when wrapped in a column ``width`` characters wide
    (spreadsheets that open a file do not all re-measure rows: LibreOffice overprints).

    >>> wrapped_lines("one\\n" + "x" * 25, width=10)
    4
    """
    per_line = max(int(width * 1.1), 1)  # a column width is about 1.1 average characters
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text or "").split("\n"))


def fit_row_heights(sheet, columns: Sequence[str], first_row: int = 2, line_height: float = 15.0) -> None:
    """Each row tall enough for the wrapped text of the given columns (letters)."""
    widths = {letter: sheet.column_dimensions[letter].width or 10 for letter in columns}
    for row in range(first_row, sheet.max_row + 1):
        lines = max(wrapped_lines(sheet[f"{letter}{row}"].value, widths[letter]) for letter in columns)
        if lines > 1:
            sheet.row_dimensions[row].height = line_height * lines


def print_across_one_page(sheet) -> None:
    """A4 landscape, every column on one page's width, the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.oddFooter.center.text = "Page &P of &N"

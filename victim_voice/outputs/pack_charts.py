"""The contract packs' trend charts: native spreadsheet line charts (openpyxl), one per service
in scope, that Excel and LibreOffice draw and print themselves.

A chart plots numbers only, so the chart sheet holds its own copy of the trend's rates, a
blank where the Trend sheet shows [c] (withheld) or [x] (none): a spreadsheet draws a text
cell as 0, a blank as a gap in the line.

Example::

    >>> add_trend_charts(workbook.create_sheet("Trend chart"), workbook["Trend"], 12)  # doctest: +SKIP
"""

from __future__ import annotations

from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from victim_voice.outputs.formatting import fit_row_heights, print_across_one_page

# Okabe-Ito: told apart with the common colour-vision deficiencies; markers differ too
LINE_COLOURS = ("0072B2", "E69F00", "009E73", "CC79A7", "56B4E9", "D55E00")
MARKERS = ("circle", "square", "triangle", "diamond", "x", "star")
CHART_ROWS = 26  # rows a chart and its margin cover


def add_trend_charts(sheet: Worksheet, trend: Worksheet, periods: int) -> None:
    """The Trend sheet's rates (its "Rate" rows) as a table of numbers, then a line chart of
    them for each service."""
    headers = [c.value for c in trend[1]]
    sheet.append(["Service", "Measure", *headers[3:]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    services: dict[str, list[int]] = {}
    for row in trend.iter_rows(min_row=2, values_only=True):
        if row[2] != "Rate":
            continue
        sheet.append([row[0], row[1], *(v if isinstance(v, float | int) else None for v in row[3:])])
        services.setdefault(row[0], []).append(sheet.max_row)
        for cell in sheet[sheet.max_row]:
            cell.number_format = "0.0%"
            cell.alignment = Alignment(wrap_text=cell.column <= 2, vertical="top")
    for letter, width in (("A", 26), ("B", 30), *((get_column_letter(c), 10.5) for c in range(3, periods + 3))):
        sheet.column_dimensions[letter].width = width
    fit_row_heights(sheet, ["A", "B"])
    sheet.row_dimensions[1].height = 45
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(periods + 2, 2))}{max(sheet.max_row, 2)}"
    sheet.cell(row=sheet.max_row + 1, column=1, value="Blank: withheld [c] or none [x]; see the Trend sheet.")
    print_across_one_page(sheet)
    sheet._print_rows = None  # the charts' pages do not repeat the table's header (the setter ignores None)
    anchor = sheet.max_row + 1
    for service, rows in services.items():
        if periods:
            sheet.row_breaks.append(Break(id=anchor - 1))  # each chart on a page of its own
            sheet.add_chart(line_chart(sheet, service, rows, periods), f"A{anchor + 1}")
            anchor += CHART_ROWS


def line_chart(sheet: Worksheet, service: str, rows: list[int], periods: int) -> LineChart:
    """One service's measures over the periods: one line each, gaps where withheld."""
    chart = LineChart()
    chart.title = f"{service}: rates by rolling 3 months"
    chart.y_axis.title = "Rate"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.x_axis.title = "Rolling 3 months ending"
    chart.y_axis.delete = chart.x_axis.delete = False  # openpyxl 3.1 hides axes unless told
    chart.display_blanks = "gap"
    chart.height, chart.width = 12, 30
    chart.legend.position = "b"
    for index, row in enumerate(rows):
        chart.add_data(
            Reference(sheet, min_col=2, max_col=periods + 2, min_row=row), from_rows=True, titles_from_data=True
        )
        series = chart.series[-1]
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 28000
        series.marker.symbol = MARKERS[index % len(MARKERS)]
        series.marker.graphicalProperties.solidFill = colour
        series.marker.graphicalProperties.line.solidFill = colour
        series.smooth = False
    chart.set_categories(Reference(sheet, min_col=3, max_col=periods + 2, min_row=1))
    return chart

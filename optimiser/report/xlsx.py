"""The spreadsheet toolkit: every workbook the planner writes is made with it.

Styles, number formats, column widths, print set-up, safe cells and atomic
saving live here once; the plan, sweep, comparison and rules workbooks only
say what goes where. openpyxl is imported inside the functions (the CLI does
not pay for it unless a workbook is written).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from .files import atomic_write

# Number formats: money, shares, unit costs, abatement, shadow prices, amounts, counts, seconds.
M_EUR = "#,##0.0"
SHARE = "0.0%"
EUR_T = "#,##0"
MT = "0.000"
SHADOW = "[>=100]#,##0;[>=1]#,##0.00;0.000###"  # about three significant digits
AMOUNT = "#,##0.0##"
COUNT = "0"
SECONDS = "0.000"
CHANGE = "#,##0.000"

#: How wide a number looks in each format (for fitting column widths).
_PY_FORMAT = {M_EUR: ",.1f", SHARE: ".1%", EUR_T: ",.0f", MT: ".3f", AMOUNT: ",.3f", COUNT: ".0f",
              SECONDS: ".3f", CHANGE: ",.3f"}

MIN_WIDTH, MAX_WIDTH, HEADER_WRAP = 8, 60, 16

HEADER_FILL = "DCE6F1"
FUNDED_FILL, PARTLY_FILL = "DFF0D8", "FFF3CD"

#: Text starting with one of these could be read as a formula by a spreadsheet (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Col:
    """One table column: its header (with unit) and number format."""

    header: str
    fmt: str | None = None


class Styles:
    """The few shared styles (created once per workbook)."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.title = Font(bold=True, size=14)
        self.heading = Font(bold=True, size=12)
        self.bold = Font(bold=True)
        self.header_fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
        self.header_align = Alignment(wrap_text=True, vertical="top")


def new_workbook(title: str = ""):
    """An empty openpyxl Workbook (no default sheet) titled and signed by policymix."""
    import openpyxl

    from .. import __version__

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.title = title
    wb.properties.creator = f"policymix {__version__}"
    wb._policymix_styles = Styles()
    return wb


def save(wb, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Save a workbook atomically (see :func:`optimiser.report.files.atomic_write`)."""
    return atomic_write(path, wb.save, force=force)


def set_cell(ws, row: int, col: int, value, number_format: str | None = None):
    """Write one cell; text that could be taken for a formula is stored as plain text.

    Such text is written as a string with Excel's quote prefix, so it reads the
    same to a person and can never be evaluated (OWASP CSV/formula injection).
    """
    cell = ws.cell(row=row, column=col)
    if isinstance(value, tuple):
        value = ";".join(format(v, ".15g") if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.number_format = "@"
        cell._style.quotePrefix = 1  # openpyxl has no public setter for the xf quotePrefix flag
    elif number_format and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def sig(v: float) -> str:
    """A number for a sentence: three significant digits, thousands separated, no exponent."""
    if v == 0 or not math.isfinite(v):
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(v))))
    return f"{v:,.{digits}f}"


def shown_len(value, fmt: str | None) -> int:
    """Roughly how many characters a cell shows (for column widths)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value)
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if fmt == SHADOW:
            return len(sig(value)) + 1
        spec = _PY_FORMAT.get(fmt)
        if spec:
            return len(format(value, spec))
        return len(str(value)) if isinstance(value, int) else len(f"{value:.6g}")
    return len(str(value))


def wrapped_lines(text: str, width: int) -> int:
    """Lines ``text`` takes when word-wrapped at ``width`` characters."""
    lines, used = 1, 0
    for word in str(text).split():
        need = len(word) if used == 0 else used + 1 + len(word)
        if need <= width or used == 0:
            used = need
        else:
            lines, used = lines + 1, len(word)
    return lines


class Sheet:
    """A sheet written top to bottom: title, lines, headings, label/value pairs and tables.

    Every cell goes through :func:`set_cell` (text can never become a formula);
    column widths are fitted to what was written, header rows sized to their
    wrapped text and the page set up for printing in :meth:`finish`.
    """

    def __init__(self, wb, title: str, index: int | None = None):
        self.ws = wb.create_sheet(title, index)
        self.st = wb._policymix_styles
        self.row = 1
        self.widths: dict[int, int] = {}
        self.headers: list[tuple[int, list[Col]]] = []

    def put(self, row: int, col: int, value, fmt: str | None = None, *, fit: bool = True):
        cell = set_cell(self.ws, row, col, value, fmt)
        if fit:
            self.widths[col] = max(self.widths.get(col, 0), shown_len(value, fmt))
        return cell

    def title(self, text: str) -> None:
        self.put(self.row, 1, text, fit=False).font = self.st.title
        self.row += 1

    def line(self, text: str) -> None:
        """Free text in column A (spills over empty cells; does not widen the column)."""
        self.put(self.row, 1, text, fit=False)
        self.row += 1

    def heading(self, text: str) -> None:
        self.row += 1
        self.put(self.row, 1, text, fit=False).font = self.st.heading
        self.row += 1

    def pairs(self, items, *, bold_labels: bool = False) -> None:
        """Rows of (label, value[, number format[, note]])."""
        for label, value, *rest in items:
            fmt = rest[0] if rest else None
            cell = self.put(self.row, 1, label)
            if bold_labels:
                cell.font = self.st.bold
            self.put(self.row, 2, value, fmt)
            if len(rest) > 1 and rest[1]:
                self.put(self.row, 3, rest[1], fit=False)
            self.row += 1

    def header_row(self, cols: list[Col]) -> int:
        top = self.row
        for c, col in enumerate(cols, start=1):
            cell = self.put(top, c, col.header, fit=False)
            cell.font, cell.fill, cell.alignment = self.st.bold, self.st.header_fill, self.st.header_align
            self.widths[c] = max(self.widths.get(c, 0), min(len(col.header), HEADER_WRAP))
        self.headers.append((top, cols))
        return top

    def table(self, cols: list[Col], rows, *, freeze: int | None = None, autofilter: bool = False) -> tuple[int, int]:
        """A bold header row and one row per item; ``freeze`` = columns kept in view with the header.

        Returns (header row, last row).
        """
        top = self.header_row(cols)
        r = top
        for r, values in enumerate(rows, start=top + 1):
            for c, (col, value) in enumerate(zip(cols, values), start=1):
                if value is not None and value != "":  # an empty cell is not made at all
                    self.put(r, c, value, col.fmt)
        last = max(r, top)
        if freeze is not None:
            self.ws.freeze_panes = self.ws.cell(row=top + 1, column=freeze + 1)
        if autofilter and last > top:
            self.ws.auto_filter.ref = f"A{top}:{self.ws.cell(row=last, column=len(cols)).coordinate}"
        self.row = last + 1
        return top, last

    def bold_row(self, row: int, columns: int) -> None:
        for c in range(1, columns + 1):
            self.ws.cell(row=row, column=c).font = self.st.bold

    def shade_status(self, col: int, first: int, last: int) -> None:
        """Colour status cells: funded green, partly funded amber (conditional formats, no formulas in cells)."""
        if last < first:
            return
        from openpyxl.formatting.rule import CellIsRule
        from openpyxl.styles import PatternFill

        letter = self.ws.cell(row=first, column=col).column_letter
        ref = f"{letter}{first}:{letter}{last}"
        for word, colour in (("funded", FUNDED_FILL), ("partly funded", PARTLY_FILL)):
            self.ws.conditional_formatting.add(
                ref, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=PatternFill("solid", start_color=colour,
                                                                                          end_color=colour)))

    def finish(self, *, widths: dict[int, int] | None = None) -> None:
        """Fit column widths (``widths`` fixes some), size header rows, set up the printed page."""
        dims = self.ws.column_dimensions
        for col, width in self.widths.items():
            dims[self.ws.cell(row=1, column=col).column_letter].width = min(max(MIN_WIDTH, width + 2), MAX_WIDTH)
        for col, width in (widths or {}).items():
            dims[self.ws.cell(row=1, column=col).column_letter].width = width
        for top, cols in self.headers:
            lines = 1
            for c, col in enumerate(cols, start=1):
                usable = max(1, min(max(MIN_WIDTH, self.widths.get(c, 0) + 2), MAX_WIDTH) - 1)
                lines = max(lines, wrapped_lines(col.header, usable))
            if lines > 1:
                self.ws.row_dimensions[top].height = 15 * lines
        # printed (or saved as PDF): landscape, every column on one page width
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True


# ---------------------------------------------------------------- native charts

def scatter_chart(title: str, x_title: str, y_title: str, *, y_format: str | None = None,
                  x_format: str | None = None, height: float = 12, width: float = 24):
    """A scatter chart drawn with straight lines (a numeric x axis), legend below."""
    from openpyxl.chart import ScatterChart

    chart = ScatterChart()
    chart.title = title
    chart.style = 2
    chart.scatterStyle = "lineMarker"
    chart.display_blanks = "gap"
    chart.height, chart.width = height, width
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title
    if x_format:
        chart.x_axis.number_format = x_format
    if y_format:
        chart.y_axis.number_format = y_format
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    return chart


def right_axis(chart, title: str, number_format: str | None = None):
    """A second chart group on a right-hand y axis over the same x values: add its series, then ``chart += it``.

    Excel wants a chart group of its own for it, with a hidden x axis.
    """
    from openpyxl.chart import ScatterChart
    from openpyxl.chart.axis import NumericAxis

    second = ScatterChart()
    second.x_axis = NumericAxis(axId=300, crossAx=200, axPos="b", delete=True)
    second.x_axis.majorGridlines = None
    second.y_axis.axId = 200
    second.y_axis.crossAx = 300
    second.y_axis.axPos = "r"
    second.y_axis.title = title
    if number_format:
        second.y_axis.number_format = number_format
    second.y_axis.crosses = "max"
    second.y_axis.delete = False
    second.y_axis.majorGridlines = None
    return second


def line_series(ws, x_col: int, y_col: int, first_row: int, last_row: int, title: str, colour: str, *,
                width: int = 22225, dash: str | None = None, marker: str | None = None):
    """A straight line through the points (x in ``x_col``, y in ``y_col``, rows first_row … last_row)."""
    from openpyxl.chart import Reference, Series

    series = Series(Reference(ws, min_col=y_col, min_row=first_row, max_row=last_row),
                    Reference(ws, min_col=x_col, min_row=first_row, max_row=last_row), title=title)
    series.marker.symbol = marker or "none"
    if marker:
        series.marker.size = 4
    series.smooth = False
    line = series.graphicalProperties.line
    line.solidFill = colour
    line.width = width
    if dash:
        line.prstDash = dash
    return series


#: Colours of the series of a category chart, in order (then repeated).
PALETTE = ("1F4E79", "2E7D32", "F9A825", "6A1B9A", "00838F", "C62828", "8D6E63", "5C6BC0", "9E9D24", "AD1457")


def column_chart(title: str, x_title: str, y_title: str, *, stacked: bool = True, y_format: str | None = None,
                 height: float = 12, width: float = 24, gap_width: int = 60):
    """A column chart over categories (e.g. years, or the bins of a histogram: ``gap_width`` small);
    ``stacked`` puts its series on top of each other."""
    from openpyxl.chart import BarChart

    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.style = 2
    chart.grouping = "stacked" if stacked else "clustered"
    if stacked:
        chart.overlap = 100
    chart.gapWidth = gap_width
    chart.height, chart.width = height, width
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title
    if y_format:
        chart.y_axis.number_format = y_format
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    return chart


def column_series(ws, col: int, first_row: int, last_row: int, title: str, colour: str):
    """One series of a column chart: the values in ``col``, rows first_row … last_row, filled in ``colour``."""
    from openpyxl.chart import Reference, Series

    series = Series(Reference(ws, min_col=col, min_row=first_row, max_row=last_row), title=title)
    series.graphicalProperties.solidFill = colour
    series.graphicalProperties.line.solidFill = colour
    return series


def set_categories(chart, ws, col: int, first_row: int, last_row: int) -> None:
    """The category labels (x axis) of a column or line chart: the cells of ``col``, rows first_row … last_row."""
    from openpyxl.chart import Reference

    chart.set_categories(Reference(ws, min_col=col, min_row=first_row, max_row=last_row))


def add_line(chart, ws, col: int, first_row: int, last_row: int, title: str, colour: str, *, cat_col: int,
             width: int = 28575, marker: str = "circle") -> None:
    """Draw the values in ``col`` as a line over a column chart's categories, on the same axes."""
    from openpyxl.chart import LineChart, Reference, Series
    from openpyxl.chart.shapes import GraphicalProperties

    line = LineChart()
    series = Series(Reference(ws, min_col=col, min_row=first_row, max_row=last_row), title=title)
    series.smooth = False
    series.graphicalProperties.line.solidFill = colour
    series.graphicalProperties.line.width = width
    series.marker.symbol = marker
    series.marker.size = 6
    series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
    series.marker.graphicalProperties.line.solidFill = colour
    line.series.append(series)
    line.set_categories(Reference(ws, min_col=cat_col, min_row=first_row, max_row=last_row))
    chart += line

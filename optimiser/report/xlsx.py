"""The spreadsheet toolkit: every workbook the planner writes is made with it.

Styles, number formats, column widths, print set-up, charts, safe cells and
atomic saving live here once; the plan, sweep, futures, comparison and rules
workbooks only say what goes where, through this module's own objects — a
:class:`Book`, its sheets (:class:`Sheet`: values, rows, tables, pairs, formats,
frozen panes, hidden helper data) and chart descriptions (:class:`Chart`,
:class:`Line`, :class:`Bars`). No writer holds an object of the engine behind
them (openpyxl today), so the engine can change here alone; a test
(tests/test_layers.py) fails when a module outside this one and the readers
uses one. openpyxl is imported inside the functions (the CLI does not pay for
it unless a workbook is written).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..lang import sig
from ..model.fields import (AMOUNT as _AMOUNT, CHANGE as _CHANGE, COUNT as _COUNT, EUR_T as _EUR_T, MEUR, MT as _MT,
                            NUMBERS, SECONDS as _SECONDS, SHADOW as _SHADOW, SHARE as _SHARE, Number)
from .files import atomic_write

# Number formats (declared with the result fields, :mod:`optimiser.model.fields`): money, shares, unit costs,
# abatement, shadow prices, amounts, counts, seconds, changes.
M_EUR, SHARE, EUR_T, MT, SHADOW = MEUR.excel, _SHARE.excel, _EUR_T.excel, _MT.excel, _SHADOW.excel
AMOUNT, COUNT, SECONDS, CHANGE = _AMOUNT.excel, _COUNT.excel, _SECONDS.excel, _CHANGE.excel

#: How wide a number looks in each format (for fitting column widths).
_PY_FORMAT = {n.excel: n.spec for n in NUMBERS if n.spec}


def excel_format(fmt: str | Number | None) -> str | None:
    """A number format as a cell takes it (a field's :class:`Number` or a format code)."""
    return fmt.excel if isinstance(fmt, Number) else fmt

MIN_WIDTH, MAX_WIDTH, HEADER_WRAP = 8, 60, 8

#: The workbooks' font (openpyxl's default; named on every font we set, so that no application substitutes another).
FONT = "Calibri"
HEADER_FILL = "DCE6F1"
REQUIRED_FILL, EXAMPLE_GREY = "B4C7E7", "7F7F7F"  # the template: required columns' headers, example rows
FUNDED_FILL, PARTLY_FILL = "DFF0D8", "FFF3CD"

#: Text starting with one of these could be read as a formula by a spreadsheet (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Col:
    """One table column: its header (with unit) and number format.

    ``wrap``: long text wraps in the cell (the column is at most ``wrap`` characters wide, or
    :data:`WRAP_WIDTH` for True; the row grows);
    ``span``: the cells of this column are merged over so many sheet columns (for a long text beside
    narrow number columns).
    """

    header: str
    fmt: str | Number | None = None
    wrap: bool | int = False
    span: int = 1


class Styles:
    """The few shared styles (created once per workbook)."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.title = Font(name=FONT, bold=True, size=14)
        self.heading = Font(name=FONT, bold=True, size=12)
        self.bold = Font(name=FONT, bold=True)
        self.header_fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
        self.header_align = Alignment(wrap_text=True, vertical="top")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.required_fill = PatternFill("solid", start_color=REQUIRED_FILL, end_color=REQUIRED_FILL)
        self.example = Font(name=FONT, italic=True, color=EXAMPLE_GREY)


class Book:
    """A workbook being written: its sheets (:meth:`sheet`), its title, hidden text, and saving.

    The handle a writer holds; the engine's own workbook stays inside the toolkit.
    """

    def __init__(self, title: str = ""):
        import openpyxl

        from .. import __version__

        self._wb = openpyxl.Workbook()
        self._wb.remove(self._wb.active)
        self._wb.properties.creator = f"policymix {__version__}"
        self.styles = Styles()
        self.title = title

    @property
    def title(self) -> str:
        return self._wb.properties.title or ""

    @title.setter
    def title(self, text: str) -> None:
        """The workbook's title (its properties, and the header of every printed page)."""
        self._wb.properties.title = text

    def sheet(self, title: str, index: int | None = None, **kw) -> Sheet:
        """A new sheet (at ``index``, default last): see :class:`Sheet` for ``orientation`` and ``note``."""
        return Sheet(self, title, index, **kw)

    def hidden_text(self, title: str, text: str, chunk: int) -> None:
        """A hidden sheet holding ``text`` in column A, ``chunk`` characters a cell (what a program reads back)."""
        ws = self._wb.create_sheet(title)
        ws.sheet_state = "hidden"
        for k in range(0, len(text), chunk):
            ws.cell(row=k // chunk + 1, column=1).value = text[k:k + chunk]

    def show_first(self, index: int = 0) -> None:
        """The sheet shown when the workbook is opened."""
        self._wb.active = index

    def sheet_titles(self) -> list[str]:
        return list(self._wb.sheetnames)

    def save(self, path: str | os.PathLike, *, force: bool = True) -> Path:
        """Save atomically (see :func:`optimiser.report.files.atomic_write`)."""
        return atomic_write(path, self._wb.save, force=force)


def new_workbook(title: str = "") -> Book:
    """An empty workbook (no sheet yet) titled and signed by policymix."""
    return Book(title)


def save(book: Book, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Save a workbook atomically (see :func:`optimiser.report.files.atomic_write`)."""
    return book.save(path, force=force)


def set_cell(ws, row: int, col: int, value, number_format: str | None = None):
    """Write one cell; text that could be taken for a formula is stored as plain text.

    Such text is written as a string with Excel's quote prefix, so it reads the
    same to a person and can never be evaluated (OWASP CSV/formula injection).
    """
    cell = ws.cell(row=row, column=col)
    number_format = excel_format(number_format)
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




def shown_len(value, fmt: str | None) -> int:
    """Roughly how many characters a cell shows (for column widths)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value)
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        fmt = excel_format(fmt)
        if fmt == SHADOW:
            return len(sig(value)) + 1
        spec = _PY_FORMAT.get(fmt)
        if spec:
            return len(format(value, spec))
        return len(str(value)) if isinstance(value, int) else len(f"{value:.6g}")
    return len(str(value))


def wrapped_lines(text: str, width: int) -> int:
    """Lines ``text`` takes when word-wrapped at ``width`` characters (its own line breaks kept)."""
    total = 0
    for paragraph in str(text).split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            if len(word) > width > 0:  # a word longer than a line starts a line and is broken over lines
                lines += (1 if used else 0) + (len(word) - 1) // width
                used = len(word) - (len(word) - 1) // width * width
                continue
            need = len(word) if used == 0 else used + 1 + len(word)
            if need <= width or used == 0:
                used = need
            else:
                lines, used = lines + 1, len(word)
        total += lines
    return total


# ---------------------------------------------------------------- the printed page
#
# Every sheet prints on A4 with the margins below, at a scale that keeps its text readable: a sheet whose
# columns fit the page width at MIN_SCALE or more is scaled to fit it (never above 100 %); a wider one
# prints at MIN_SCALE and splits across pages at the column groups its tables declare, with its id
# columns repeated on every page. The header row of a sheet's main table repeats on every page; charts,
# headings with what follows them and the first rows of a table are kept on one page by row breaks;
# helper data (e.g. a chart's step points) is hidden and outside the print area. Row heights are
# estimated (ROW_PT a line), so the breaks are placed conservatively.

#: A4 paper (mm) and the margins (inches, as the workbook stores them).
A4_MM = (210.0, 297.0)
MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_HEADER_IN = 0.5, 0.75, 0.3
#: Least print scale (%): the default 11 pt font prints at 8.25 pt, about the least that stays readable.
MIN_SCALE = 75
#: A sheet of no declared orientation prints portrait when it fits a portrait page at this scale or more.
PORTRAIT_SCALE = 90
#: Height (pt) of a row of one line, and the share of a page the breaks fill at most (estimates are rough).
ROW_PT = 15.0
PAGE_FILL = 0.92
#: Widest a wrapped text column grows (characters).
WRAP_WIDTH = 30
#: Sheets longer than this (rows) get no row heights for wrapped text (plant-scale plans are not printed).
DETAILED_ROWS = 2_000
#: Characters of running text per unit of column width (widths count digits; text is narrower on average).
TEXT_PER_WIDTH = 1.1
PT_MM = 25.4 / 72


#: Width of a digit of the 11 pt font (Calibri, and the metric-compatible Carlito): a unit of column width.
DIGIT_MM = 11 * 1038 / 2048 * PT_MM


def column_mm(width: float) -> float:
    """Printed width (mm, at 100 %) of a column ``width`` digits wide.

    Excel draws a digit 7 px wide (1.85 mm); LibreOffice takes the font's digit width (1.97 mm): the wider
    is used, so a page planned here fits in both.
    """
    return width * DIGIT_MM


def page_mm(orientation: str) -> tuple[float, float]:
    """(width, height) of the printable area of an A4 page in mm."""
    w, h = A4_MM if orientation == "portrait" else A4_MM[::-1]
    return w - 2 * MARGIN_SIDE_IN * 25.4, h - 2 * MARGIN_TOP_IN * 25.4


@dataclass
class PrintLayout:
    """How a sheet prints (decided by :meth:`Sheet.finish`; kept for tests and the About sheet)."""

    orientation: str
    scale: int
    fit: bool  # the whole width on one page
    title_rows: tuple[int, int] | None
    title_cols: int
    col_breaks: list[int]  # a page starts at each of these columns
    row_breaks: list[int]  # a page starts at each of these rows
    print_cols: int  # columns 1 … print_cols are printed


# ---------------------------------------------------------------- comments and drop-down lists (the template)

def _note(cell, text: str, *, width: int = 320) -> None:
    """A cell comment (shown on hover) sized to its text."""
    from openpyxl.comments import Comment

    comment = Comment(text, "policymix")
    comment.width = width
    comment.height = 20 + 15 * wrapped_lines(text, max(10, int(width / 6.5)))
    cell.comment = comment


def _letter(col: int) -> str:
    """A column's letters (1 → A, 27 → AA)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _range(ws, col: int, first: int, last: int) -> str:
    letter = _letter(col)
    return f"{letter}{first}:{letter}{last}"


def _validation(ws, ref: str, dv, title: str, message: str) -> None:
    dv.showErrorMessage = True
    dv.errorTitle, dv.error = title[:32] or None, message[:255] or None
    ws.add_data_validation(dv)
    dv.add(ref)


class _Rules:
    """What a sheet says about the cells a user fills in: comments, drop-down lists, number rules, emphasis
    (mixed into :class:`Sheet`)."""

    def hint(self, row: int, col: int, text: str, *, width: int = 320) -> None:
        """A comment on a cell (shown on hover) sized to its text."""
        _note(self.ws.cell(row=row, column=col), text, width=width)

    def drop_down(self, col: int, first: int, last: int, source, *, strict: bool = True, title: str = "",
                  message: str = "") -> None:
        """A drop-down list on rows ``first`` … ``last`` of column ``col``: ``source`` is a list of values or
        (sheet name, first row, last row) of another sheet's first column. ``strict``: a value not in the list is
        refused (else the list only helps: several ids separated by ';', or an id not entered yet, are accepted
        with a warning)."""
        from openpyxl.worksheet.datavalidation import DataValidation

        if isinstance(source, tuple):
            name, top, bottom = source
            formula = f"'{name}'!$A${top}:$A${bottom}"
        else:
            formula = '"' + ",".join(source) + '"'
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.errorStyle = "stop" if strict else "warning"
        _validation(self.ws, _range(self.ws, col, first, last), dv, title, message)

    def number_rule(self, col: int, first: int, last: int, rule: str = "", *, whole: bool = False, title: str = "",
                    message: str = "") -> None:
        """Refuse what is not a number on rows ``first`` … ``last`` of column ``col`` (text such as '1,5'
        included), within a value rule of the manifest (">=0", ">0", "share", "0..1")."""
        from openpyxl.worksheet.datavalidation import DataValidation

        kinds = {">=0": ("greaterThanOrEqual", "0", None), ">0": ("greaterThan", "0", None),
                 "share": ("between", "0", "1"), "0..1": ("between", "0", "1")}
        operator, low, high = kinds.get(rule, ("between", "-1000000000000", "1000000000000"))
        dv = DataValidation(type="whole" if whole else "decimal", operator=operator, formula1=low, formula2=high,
                            allow_blank=True)
        dv.errorStyle = "stop"
        _validation(self.ws, _range(self.ws, col, first, last), dv, title, message)

    def emphasise(self, first: int, last: int, columns: int, style: str, *, first_col: int = 1) -> None:
        """Cells of rows ``first`` … ``last``, columns ``first_col`` … ``columns``, in a style: "bold",
        "example" (grey italics: a row a user overwrites) or "required" (a required column's darker header)."""
        for r in range(first, last + 1):
            for c in range(first_col, columns + 1):
                cell = self.ws.cell(row=r, column=c)
                if style == "required":
                    cell.fill = self.st.required_fill
                else:
                    cell.font = self.st.bold if style == "bold" else self.st.example


class Sheet(_Rules):
    """A sheet written top to bottom: title, lines, headings, label/value pairs, tables and charts.

    Every cell goes through :func:`set_cell` (text can never become a formula);
    column widths are fitted to what was written, header and wrapped rows sized
    to their text, and the page set up for printing in :meth:`finish`.

    What a sheet declares for printing: ``orientation`` ("portrait", "landscape"
    or None: portrait when it fits at PORTRAIT_SCALE), ``note`` (a page of
    sentences: no grid lines printed), ``dense`` (a long table printed at the least
    readable scale, MIN_SCALE, to take the fewest pages), the main table (``freeze``: its header
    row and first columns repeat on every page), where a wide table may break
    across pages (``breaks``), charts (:meth:`chart`) and hidden helper columns
    (:meth:`hide_columns`).
    """

    def __init__(self, book: Book, title: str, index: int | None = None, *, orientation: str | None = None,
                 note: bool = False, dense: bool = False):
        self.ws = book._wb.create_sheet(title, index)  # the engine's sheet: the toolkit's own business
        self.st = book.styles
        self.dense = dense  # a long table printed at the least readable scale (MIN_SCALE): fewer pages
        self.row = 1
        self.widths: dict[int, int] = {}
        self.headers: list[tuple[int, list[Col]]] = []
        self.orientation = orientation
        self.note = note
        self.wrapped: list[tuple[int, int, int]] = []  # (row, column, columns spanned) of wrapped text
        self.paragraphs: list[int] = []  # rows of free text, wrapped across the printed width
        self.wrap_cols: dict[int, int] = {}  # column → the widest its wrapped text makes it
        self.titles: tuple[int, int] | None = None  # (header row, columns) repeated on every printed page
        self.breaks: set[int] = set()  # columns a printed page may start at
        self.blocks: list[tuple[int, float]] = []  # (first row, height in pt) kept on one page
        self.forced: list[int] = []  # rows a page must start at
        self.charts: list[tuple[object, int, int]] = []  # (chart, row, column)
        self.hidden_from: int | None = None
        self.bottom: dict[int, int] = {}  # column → the last row written in it
        self.layout: PrintLayout | None = None

    def put(self, row: int, col: int, value, fmt: str | Number | None = None, *, fit: bool = True,
            wrap: bool | int = False, bold: bool = False) -> None:
        """Write one cell; ``wrap``: long text wraps at most ``wrap`` (True: WRAP_WIDTH) characters wide."""
        cell = self._put(row, col, value, fmt, fit=fit, wrap=wrap)
        if bold:
            cell.font = self.st.bold

    def _put(self, row: int, col: int, value, fmt: str | Number | None = None, *, fit: bool = True,
             wrap: bool | int = False):
        cell = set_cell(self.ws, row, col, value, fmt)
        if row > self.bottom.get(col, 0):
            self.bottom[col] = row
        limit = (WRAP_WIDTH if wrap is True else int(wrap)) if wrap else 0
        if limit and isinstance(value, str) and len(value) > limit:  # only text longer than the column wraps
            cell.alignment = self.st.wrap
            self.wrapped.append((row, col, 1))
            self.wrap_cols[col] = max(self.wrap_cols.get(col, 0), limit)
        if fit:
            shown = shown_len(value, fmt)
            self.widths[col] = max(self.widths.get(col, 0), min(shown, limit) if limit else shown)
        return cell

    def title(self, text: str) -> None:
        self._put(self.row, 1, text, fit=False).font = self.st.title
        self.ws.row_dimensions[self.row].height = 20
        self.row += 1

    def line(self, text: str) -> None:
        """Free text from column A: on screen it spills over empty cells; printed, it wraps across the page."""
        self.put(self.row, 1, text, fit=False)
        self.paragraphs.append(self.row)
        self.row += 1

    def heading(self, text: str) -> None:
        self.row += 1
        self._put(self.row, 1, text, fit=False).font = self.st.heading
        self.blocks.append((self.row, 5 * ROW_PT))  # a heading is printed with the rows after it
        self.paragraphs.append(self.row)
        self.row += 1

    def pairs(self, items, *, bold_labels: bool = False, bold_values: bool = False, span: int = 1) -> None:
        """Rows of (label, value[, number format[, note[, columns the value spans]]]); text wraps.

        ``span``: the columns a text value spans unless its row says otherwise (its cells merged).
        """
        for label, value, *rest in items:
            fmt = rest[0] if rest else None
            cols = rest[2] if len(rest) > 2 and rest[2] else span
            self.put(self.row, 1, label, wrap=True, bold=bold_labels)
            text = isinstance(value, str)
            self.put(self.row, 2, value, fmt, wrap=True, fit=not (text and cols > 1), bold=bold_values)
            if text and cols > 1:
                self._merge(self.row, 2, cols)
                if self.wrapped and self.wrapped[-1][:2] == (self.row, 2):
                    self.wrapped[-1] = (self.row, 2, cols)
            if len(rest) > 1 and rest[1]:
                self.put(self.row, 2 + cols, rest[1], fit=False)
            self.row += 1

    def _positions(self, cols: list[Col]) -> list[int]:
        """The sheet column of each table column (a spanning column takes several)."""
        out, c = [], 1
        for col in cols:
            out.append(c)
            c += col.span
        return out

    def header_row(self, cols: list[Col], *, wrap_headers: bool = True) -> int:
        top = self.row
        for c, col in zip(self._positions(cols), cols):
            self._header_cell(top, c, col.header)
            if col.span > 1:
                self._merge(top, c, col.span)
            elif wrap_headers:  # a header wraps, in at most about three lines
                n = len(str(col.header))
                self.widths[c] = max(self.widths.get(c, 0), min(n, max(HEADER_WRAP, math.ceil(n / 3))))
            else:
                self.widths[c] = max(self.widths.get(c, 0), len(str(col.header)))
        self.headers.append((top, cols))
        return top

    def table(self, cols: list[Col], rows, *, freeze: int | None = None, autofilter: bool = False,
              repeat_cols: int | None = None, breaks=(), wrap_headers: bool = True,
              row_formats: list | None = None) -> tuple[int, int]:
        """A bold header row and one row per item; ``freeze`` = columns kept in view with the header.

        A table with ``freeze`` is the sheet's main table: printed, its header row repeats on every page
        and its first ``repeat_cols`` columns (default ``freeze``) on every page to the right. ``breaks``:
        the table columns (0-based) a printed page may start at when the table is wider than a page.
        ``row_formats``: a number format per row, for a table whose rows are quantities (it wins over the
        column's). Returns (header row, last row).
        """
        top = self.header_row(cols, wrap_headers=wrap_headers)
        positions = self._positions(cols)
        rows = rows if isinstance(rows, list) else list(rows)
        if len(rows) > DETAILED_ROWS:  # a plant-scale table is not laid out for print: its text does not wrap
            cols = [Col(c.header, c.fmt, False, c.span) for c in cols]
        r = top
        for r, values in enumerate(rows, start=top + 1):
            row_fmt = row_formats[r - top - 1] if row_formats else None
            for c, col, value in zip(positions, cols, values):
                if value is None or value == "":  # an empty cell is not made at all
                    continue
                self._put(r, c, value, row_fmt or col.fmt, fit=col.span == 1, wrap=col.wrap)
                if col.span > 1:
                    self._merge(r, c, col.span)
                    if self.wrapped and self.wrapped[-1][:2] == (r, c):
                        self.wrapped[-1] = (r, c, col.span)
        last = max(r, top)
        if freeze is not None:
            self.ws.freeze_panes = self.ws.cell(row=top + 1, column=freeze + 1)
            if self.titles is None:
                self.titles = (top, freeze if repeat_cols is None else repeat_cols)
        self.breaks.update(positions[b] for b in breaks if 0 < b < len(positions))
        self.blocks.append((top, 3 * ROW_PT))  # the header with the first rows
        if autofilter and last > top:
            end = positions[-1] + cols[-1].span - 1
            self.ws.auto_filter.ref = f"A{top}:{self.ws.cell(row=last, column=end).coordinate}"
        self.row = last + 1
        return top, last

    def _merge(self, row: int, col: int, span: int) -> None:
        self.ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)

    def _header_cell(self, row: int, col: int, text: str) -> None:
        cell = self._put(row, col, text, fit=False)
        cell.font, cell.fill, cell.alignment = self.st.bold, self.st.header_fill, self.st.header_align

    def bold_row(self, row: int, columns: int) -> None:
        """The cells of ``row`` in columns 1 … ``columns`` in bold (e.g. a total row)."""
        for c in range(1, columns + 1):
            self.ws.cell(row=row, column=c).font = self.st.bold

    def freeze(self, rows: int, cols: int = 0) -> None:
        """Keep the first ``rows`` rows and ``cols`` columns in view when scrolling."""
        self.ws.freeze_panes = self.ws.cell(row=rows + 1, column=cols + 1).coordinate

    def data(self, row: int, col: int, header: list[str], rows: list[list], formats: list | None = None, *,
             bold: bool = False) -> int:
        """A block of values from (``row``, ``col``): a header row (header style; ``bold``: bold only) and the
        rows, each column in its format; column widths are not fitted to it (chart data, helper columns).
        Returns the last row written."""
        for k, text in enumerate(header):
            if bold:
                self.put(row, col + k, text, fit=False, bold=True)
            else:
                self._header_cell(row, col + k, text)
                self.widths[col + k] = HEADER_WRAP
        last = row
        for last, values in enumerate(rows, start=row + 1):
            for k, value in enumerate(values):
                if value is not None:
                    self.put(last, col + k, value, (formats or [None] * len(values))[k])
        return last

    def shade_status(self, col: int, first: int, last: int, funded: str = "funded",
                     partly: str = "partly funded") -> None:
        """Colour status cells: ``funded`` green, ``partly`` (funded) amber, in the sheet's words (conditional
        formats, no formulas in cells)."""
        if last < first:
            return
        from openpyxl.formatting.rule import CellIsRule
        from openpyxl.styles import PatternFill

        letter = _letter(col)
        ref = f"{letter}{first}:{letter}{last}"
        for word, colour in ((funded, FUNDED_FILL), (partly, PARTLY_FILL)):
            self.ws.conditional_formatting.add(
                ref, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=PatternFill("solid", start_color=colour,
                                                                                          end_color=colour)))

    # ------------------------------------------------------------ charts, breaks, helper data

    def chart(self, spec: Chart, *, row: int | None = None, col: int = 1) -> int:
        """Draw the chart ``spec`` describes at the current row (or at ``row``, kept free by :meth:`chart_space`),
        column ``col``, on one printed page; returns its row.

        At the current row, the rows it covers are skipped. Printed, a page break comes before it when it
        would not fit on what is left of the page, and its width is kept within one printed page.
        """
        top = self.row if row is None else row
        chart = _draw(spec, self.ws)
        self.ws.add_chart(chart, self.ws.cell(row=top, column=col).coordinate)
        self.charts.append((chart, top, col))
        height_pt = chart.height * 10 / PT_MM
        # kept on one page with the row above it: a page starting right at the chart's row would still
        # show a sliver of its frame at the foot of the page before
        self.blocks.append((max(1, top - 1), height_pt + 2 * ROW_PT))
        if row is None:
            self.row = top + self.chart_rows(chart.height)
        return top

    def chart_space(self, height_cm: float) -> int:
        """Keep rows free for a chart ``height_cm`` high drawn later (its data come below it): its row."""
        top = self.row
        self.row = top + self.chart_rows(height_cm)
        return top

    @staticmethod
    def chart_rows(height_cm: float) -> int:
        """Rows (of the default height) a chart ``height_cm`` high covers, and one below it."""
        return math.ceil(height_cm * 10 / PT_MM / ROW_PT) + 1

    def page_break(self) -> None:
        """Printed, a new page starts at the current row."""
        if self.row > 1:
            self.forced.append(self.row)

    def hide_columns(self, first: int) -> None:
        """Columns from ``first`` on hold helper data: hidden, and outside the print area."""
        self.hidden_from = first

    # ------------------------------------------------------------ finishing

    def _width(self, col: int) -> float:
        dim = self.ws.column_dimensions.get(_letter(col))
        return dim.width if dim is not None and dim.width else 8.43

    def finish(self, *, widths: dict[int, int] | None = None) -> None:
        """Fit column widths (``widths`` fixes some), size header and wrapped rows, set up the printed page."""
        dims = self.ws.column_dimensions
        for col, width in self.widths.items():
            top = self.wrap_cols[col] + 2 if col in self.wrap_cols else MAX_WIDTH
            dims[_letter(col)].width = min(max(MIN_WIDTH, width + 2), top)
        for col, width in (widths or {}).items():
            dims[_letter(col)].width = width
        heights: dict[int, float] = {}
        for top, cols in self.headers:
            lines = 1
            for c, col in zip(self._positions(cols), cols):
                usable = max(1, int(sum(self._width(c + k) for k in range(col.span))) - 1)
                lines = max(lines, wrapped_lines(str(col.header), usable))
            heights[top] = max(heights.get(top, 0), ROW_PT * lines)
        # a sheet of plant-scale length is not laid out for print row by row (it would cost more than writing it)
        wrapped = self.wrapped if self.ws.max_row <= DETAILED_ROWS else []
        width_of = {c: self._width(c) for c in {c + k for _r, c, span in wrapped for k in range(span)}}
        for row, col, span in wrapped:
            usable = max(1, int(sum(width_of[col + k] for k in range(span)) * TEXT_PER_WIDTH) - 1)
            lines = wrapped_lines(self.ws.cell(row=row, column=col).value, usable)
            heights[row] = max(heights.get(row, 0), ROW_PT * lines)
        layout = self._layout()
        across = self._first_page_columns(layout)
        for row in self.paragraphs:  # free text wraps across the first printed page's columns
            cell = self.ws.cell(row=row, column=1)
            span = max(1, across)
            usable = max(1, int(sum(self._width(c) for c in range(1, span + 1)) * TEXT_PER_WIDTH) - 1)
            lines = wrapped_lines(cell.value or "", usable)
            if lines > 1 and span > 1 and not self._in_merge(row):
                self._merge(row, 1, span)
            if lines > 1:
                font = cell.font
                cell.alignment = self.st.wrap
                size = (font.sz or 11) if font is not None else 11
                heights[row] = max(heights.get(row, 0), ROW_PT * size / 11 * lines)
        columns = self.ws.max_column
        for row, height in heights.items():
            if height > max(ROW_PT, self.ws.row_dimensions[row].height or 0):
                self.ws.row_dimensions[row].height = height
                self._align_top(row, columns)
        self._set_up_page(layout)

    def _align_top(self, row: int, columns: int) -> None:
        """Every cell of a row that grew for wrapped text reads from the top (cells not made stay unmade)."""
        cells = self.ws._cells  # openpyxl's (row, column) → cell map: no empty cell is created here
        for c in range(1, columns + 1):
            cell = cells.get((row, c))
            if cell is not None and cell.value is not None and cell.alignment.vertical != "top":
                cell.alignment = self.st.wrap if cell.alignment.wrap_text else self.st.top

    def _in_merge(self, row: int) -> bool:
        return any(m.min_row <= row <= m.max_row for m in self.ws.merged_cells.ranges)

    def _printed_columns(self) -> int:
        last = max([self.ws.max_column] + [c for _, _, c in self.charts])
        if self.hidden_from is not None:
            last = min(last, self.hidden_from - 1)
        return max(1, last)

    def _layout(self) -> PrintLayout:
        """Orientation, scale, repeated titles and column breaks from the final column widths."""
        ncols = self._printed_columns()
        mm = [column_mm(self._width(c)) for c in range(1, ncols + 1)]
        total = sum(mm)
        for chart, _, col in self.charts:  # a chart may reach beyond the last column
            total = max(total, sum(mm[:col - 1]) + chart.width * 10)
        orientation = self.orientation
        if orientation is None:
            orientation = "portrait" if total * PORTRAIT_SCALE / 100 <= page_mm("portrait")[0] else "landscape"
        width = page_mm(orientation)[0]
        scale = min(100, math.floor(100 * width / total)) if total > 0 else 100
        fit = scale >= MIN_SCALE
        scale = MIN_SCALE if fit and self.dense else max(scale, MIN_SCALE)
        title_cols = self.titles[1] if self.titles else 0
        col_breaks: list[int] = []
        if not fit:  # pack the declared column groups into pages; the application splits a group too wide
            room = width * 100 / scale
            repeated = sum(mm[:title_cols])
            used, start = 0.0, 1
            for c in range(1, ncols + 1):
                w = mm[c - 1]
                if used + w > room and c > start:
                    # break at the last group start on this page, unless that leaves more than half of it empty
                    group = max([b for b in self.breaks if start < b <= c], default=None)
                    filled = (used - sum(mm[group - 1:c - 1])) if group is not None else used
                    brk = group if group is not None and filled >= room / 2 else c
                    col_breaks.append(brk)
                    start = brk
                    used = repeated + sum(mm[brk - 1:c])
                else:
                    used += w
        return PrintLayout(orientation, scale, fit, (self.titles[0], self.titles[0]) if self.titles else None,
                           title_cols, col_breaks, [], ncols)

    def _first_page_columns(self, layout: PrintLayout) -> int:
        """How many columns the first printed page holds across."""
        room = page_mm(layout.orientation)[0] * 100 / layout.scale
        used, n = 0.0, 0
        for c in range(1, layout.print_cols + 1):
            if layout.col_breaks and c >= layout.col_breaks[0]:
                break
            used += column_mm(self._width(c))
            if used > room:
                break
            n = c
        return max(1, n)

    def _row_pt(self, row: int) -> float:
        h = self.ws.row_dimensions[row].height if row in self.ws.row_dimensions else None
        return h or ROW_PT

    def _set_up_page(self, layout: PrintLayout) -> None:
        from openpyxl.worksheet.pagebreak import Break

        ws = self.ws
        # a chart is not drawn over repeated columns (it would be drawn again on every page across)
        if layout.title_cols and not layout.fit:
            for k, (chart, row, col) in enumerate(self.charts):
                if col <= layout.title_cols:
                    col = layout.title_cols + 1
                    chart.anchor = ws.cell(row=row, column=col).coordinate
                    self.charts[k] = (chart, row, col)
        # charts stay within one printed page across
        across = self._first_page_columns(layout)
        room_mm = min(sum(column_mm(self._width(c)) for c in range(1, across + 1)) if not layout.fit else math.inf,
                      page_mm(layout.orientation)[0] * 100 / layout.scale)
        for chart, _, col in self.charts:
            left = sum(column_mm(self._width(c)) for c in range(1, col))
            chart.width = min(chart.width, max(8.0, (room_mm - left) * 0.97 / 10))
        # rows: a page starts where it must, and before a block that would not fit on what is left of the page
        page = page_mm(layout.orientation)[1] * 100 / layout.scale / PT_MM  # pt of the sheet a page holds
        titles = self._row_pt(layout.title_rows[0]) if layout.title_rows else 0.0
        blocks: dict[int, float] = {}
        for row, height in self.blocks:
            blocks[row] = max(blocks.get(row, 0.0), height)
        forced = set(self.forced)
        breaks, used = [], 0.0
        last_row = max([self.bottom.get(c, 0) for c in range(1, layout.print_cols + 1)]
                       + [r + math.ceil(h / ROW_PT) for r, h in self.blocks if r in blocks] + [1])
        for row in range(1, last_row + 1):
            h = self._row_pt(row)
            on_title = layout.title_rows is not None and row > layout.title_rows[1]
            if row in forced or (row in blocks and used > titles and used + blocks[row] > page * PAGE_FILL):
                if row > 1:
                    breaks.append(row)
                used = titles if on_title else 0.0
            if used + h > page:  # the application breaks here by itself
                used = titles if on_title else 0.0
            used += h
        layout.row_breaks = breaks
        for row in breaks:
            ws.row_breaks.append(Break(id=row - 1))  # a break below row id (0-based: above row id + 1)
        for col in layout.col_breaks:
            ws.col_breaks.append(Break(id=col - 1))
        setup = ws.page_setup
        setup.paperSize = ws.PAPERSIZE_A4
        setup.orientation = layout.orientation
        if layout.fit and self.dense:  # a long table: the least readable scale, so it takes fewest pages
            setup.scale = layout.scale
        elif layout.fit:  # the application fits it to its own font's widths (never above 100 %)
            setup.fitToWidth, setup.fitToHeight = 1, 0
            ws.sheet_properties.pageSetUpPr.fitToPage = True
        else:
            setup.scale = layout.scale
        ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE_IN
        ws.page_margins.top = ws.page_margins.bottom = MARGIN_TOP_IN
        ws.page_margins.header = ws.page_margins.footer = MARGIN_HEADER_IN
        if layout.title_rows:
            ws.print_title_rows = f"{layout.title_rows[0]}:{layout.title_rows[1]}"
        if layout.title_cols and not layout.fit:
            ws.print_title_cols = f"A:{_letter(layout.title_cols)}"
        if self.hidden_from is not None:
            for c in range(self.hidden_from, ws.max_column + 1):
                ws.column_dimensions[_letter(c)].hidden = True
        if self.hidden_from is not None:
            end = ws.cell(row=last_row, column=layout.print_cols).coordinate
            ws.print_area = f"A1:{end}"
        page_header_footer(ws)
        self.layout = layout


def page_header_footer(ws) -> None:
    """The printed page's header (the workbook's title) and footer (the sheet's name, page n of m)."""
    title = ws.parent.properties.title or ""
    ws.oddHeader.left.text = title.replace("&", "&&")
    ws.oddHeader.left.size = 8
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "&P / &N"
    ws.oddFooter.right.size = 8


# ---------------------------------------------------------------- native charts
#
# A writer describes a chart (:class:`Chart`: a scatter chart drawn with straight lines over a numeric x axis,
# or a column chart over categories; its series read cells of the sheet by column and rows) and
# :meth:`Sheet.chart` draws it with the engine.

#: Colours of the series of a category chart, in order (then repeated).
PALETTE = ("1F4E79", "2E7D32", "F9A825", "6A1B9A", "00838F", "C62828", "8D6E63", "5C6BC0", "9E9D24", "AD1457")
EMU_PT = 12700  # a line's width is stored in EMU


@dataclass(frozen=True)
class Line:
    """A series drawn as a straight line through cells: y in column ``col``, rows ``first`` … ``last``; x in
    ``x_col`` (a scatter chart) or the chart's categories (a column chart: drawn over the bars, same axes).
    ``width`` in points, ``dash`` ("dash", "sysDot", …) and ``marker`` ("circle", "triangle") optional."""

    col: int
    first: int
    last: int
    title: str
    colour: str
    x_col: int | None = None
    width: float = 1.75
    dash: str | None = None
    marker: str | None = None


@dataclass(frozen=True)
class Bars:
    """A series of a column chart: the values in column ``col``, rows ``first`` … ``last``, filled in ``colour``."""

    col: int
    first: int
    last: int
    title: str
    colour: str


@dataclass
class Chart:
    """A native chart: ``kind`` "scatter" (numeric x, straight lines) or "column" (``categories``: the cells of
    (column, first row, last row) along x; ``stacked`` bars; ``gap`` between bars in % of a bar).

    ``series`` on the left axis; ``right``: series on a second axis at the right, titled ``right_title``.
    Axis ranges (``x_range``, ``y_range``: (min, max), either None for automatic) and number formats;
    ``gridlines``: the left axis's major gridlines; ``hidden_data``: its data are in hidden helper columns
    (the chart still draws them). ``height``/``width`` in cm.
    """

    kind: str
    title: str
    x_title: str
    y_title: str
    series: list = field(default_factory=list)
    right: list = field(default_factory=list)
    right_title: str = ""
    right_format: str | None = None
    categories: tuple[int, int, int] | None = None
    x_format: str | None = None
    y_format: str | None = None
    x_range: tuple[float | None, float | None] = (None, None)
    y_range: tuple[float | None, float | None] = (None, None)
    stacked: bool = True
    gap: int = 60
    gridlines: bool = True
    hidden_data: bool = False
    height: float = 12
    width: float = 24


def _draw(spec: Chart, ws):
    """The engine's chart for ``spec``, reading the cells of ``ws``."""
    from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
    from openpyxl.chart.axis import NumericAxis
    from openpyxl.chart.shapes import GraphicalProperties

    def ref(col: int, first: int, last: int):
        return Reference(ws, min_col=col, min_row=first, max_row=last)

    def line(s: Line):
        series = Series(ref(s.col, s.first, s.last), None if s.x_col is None else ref(s.x_col, s.first, s.last),
                        title=s.title)
        series.smooth = False
        series.graphicalProperties.line.solidFill = s.colour
        series.graphicalProperties.line.width = int(s.width * EMU_PT)
        if s.dash:
            series.graphicalProperties.line.prstDash = s.dash
        series.marker.symbol = s.marker or "none"
        if s.marker:
            series.marker.size = 4 if s.x_col is not None else 6
            if s.x_col is None:  # a line over bars: its markers filled in its colour
                series.marker.graphicalProperties = GraphicalProperties(solidFill=s.colour)
                series.marker.graphicalProperties.line.solidFill = s.colour
        return series

    def axes(chart, x_title: str, y_title: str) -> None:
        chart.title = spec.title
        chart.style = 2
        chart.height, chart.width = spec.height, spec.width
        chart.x_axis.title, chart.y_axis.title = x_title, y_title
        if spec.x_format:
            chart.x_axis.number_format = spec.x_format
        if spec.y_format:
            chart.y_axis.number_format = spec.y_format
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.legend.position = "b"
        for axis, (low, high) in ((chart.x_axis, spec.x_range), (chart.y_axis, spec.y_range)):
            if low is not None:
                axis.scaling.min = low
            if high is not None:
                axis.scaling.max = high

    if spec.kind == "scatter":
        chart = ScatterChart()
        chart.scatterStyle = "lineMarker"
        chart.display_blanks = "gap"
        axes(chart, spec.x_title, spec.y_title)
        chart.series.extend(line(s) for s in spec.series)
        if not spec.gridlines:
            chart.y_axis.majorGridlines = None
        if spec.right:
            chart.x_axis.axPos = "b"
            second = ScatterChart()  # Excel wants a chart group of its own for it, with a hidden x axis
            second.x_axis = NumericAxis(axId=300, crossAx=200, axPos="b", delete=True)
            second.x_axis.majorGridlines = None
            second.y_axis.axId, second.y_axis.crossAx, second.y_axis.axPos = 200, 300, "r"
            second.y_axis.title = spec.right_title
            if spec.right_format:
                second.y_axis.number_format = spec.right_format
            second.y_axis.crosses = "max"
            second.y_axis.delete = False
            second.y_axis.majorGridlines = None
            second.series.extend(line(s) for s in spec.right)
            chart += second
    else:
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "stacked" if spec.stacked else "clustered"
        if spec.stacked:
            chart.overlap = 100
        chart.gapWidth = spec.gap
        axes(chart, spec.x_title, spec.y_title)
        for s in spec.series:
            if isinstance(s, Bars):
                bars = Series(ref(s.col, s.first, s.last), title=s.title)
                bars.graphicalProperties.solidFill = s.colour
                bars.graphicalProperties.line.solidFill = s.colour
                chart.series.append(bars)
        col, first, last = spec.categories
        chart.set_categories(ref(col, first, last))
        lines = [s for s in spec.series if isinstance(s, Line)]
        if lines:
            over = LineChart()
            over.series.extend(line(s) for s in lines)
            over.set_categories(ref(col, first, last))
            chart += over
    if spec.hidden_data:
        chart.visible_cells_only = False
    return chart

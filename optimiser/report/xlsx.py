"""The spreadsheet toolkit: every workbook the planner writes is made with it.

Styles, number formats, column widths, print set-up, charts, safe cells and
atomic saving live here once; the plan, sweep, futures, comparison and rules
workbooks only say what goes where, through this module's own objects — a
:class:`Book`, its sheets (:class:`Sheet`: values, rows, tables, pairs, formats,
frozen panes, hidden helper data) and chart descriptions (:class:`Chart`,
:class:`Line`, :class:`Bars`). No writer holds an object of the engine behind
them, so the engine can change here alone; a test (tests/test_layers.py) fails
when a module outside this one and the readers uses one.

The engine is XlsxWriter (imported when a sheet is first written out, so the
CLI does not pay for it unless a workbook is written): it writes a cell in a
third of openpyxl's time. A sheet keeps what it is told until
:meth:`Sheet.finish`, which fits the widths, lays out the printed page and
writes the sheet out row by row (XlsxWriter's ``constant_memory`` mode: each
row is turned into XML as soon as it is written), so a finished sheet costs
nothing more at saving and a sheet can be written out while the solver works
(:mod:`optimiser.report.plan` does so with the input sheets). openpyxl stays
where workbooks are read (:mod:`optimiser.input.read`, :mod:`optimiser.input.planfile`).
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import math
import os
import shutil
import tempfile
import weakref
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
    """A number format as a cell takes it (a field's :class:`Number` or a format code; "General" is none)."""
    code = fmt.excel if isinstance(fmt, Number) else fmt
    return None if code == "General" else code

MIN_WIDTH, MAX_WIDTH, HEADER_WRAP = 8, 60, 8

#: The workbooks' font (named on every style, so that no application substitutes another).
FONT = "Calibri"
HEADER_FILL = "DCE6F1"
REQUIRED_FILL, EXAMPLE_GREY = "B4C7E7", "7F7F7F"  # the template: required columns' headers, example rows
FUNDED_FILL, PARTLY_FILL, DECIDED_FILL = "DFF0D8", "FFF3CD", "E7E6E6"

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


# ---------------------------------------------------------------- styles
#
# A cell's style is a small tuple (font, fill, alignment, number format, quoted): the same tuple is one
# format of the engine, made once per workbook.

#: Fonts: (bold, italic, size, colour).
_FONTS = {None: None, "title": (True, False, 14, None), "heading": (True, False, 12, None),
          "bold": (True, False, 11, None), "example": (False, True, 11, EXAMPLE_GREY)}
_FILLS = {None: None, "header": HEADER_FILL, "required": REQUIRED_FILL}
PLAIN = (None, None, None, None, False)
_FONT, _FILL, _ALIGN, _NUM, _QUOTE = range(5)


def _restyled(style: tuple, **changes) -> tuple:
    s = list(style)
    for key, value in changes.items():
        s[{"font": _FONT, "fill": _FILL, "align": _ALIGN, "num": _NUM, "quote": _QUOTE}[key]] = value
    return tuple(s)


def _font_size(style: tuple | None) -> int:
    font = _FONTS.get(style[_FONT]) if style else None
    return font[2] if font else 11


class Cancelled(Exception):
    """Writing a workbook was given up (:meth:`Book.cancel`): the run stopped before it was saved."""


class _Exact(float):
    """A number written with all its digits (XlsxWriter writes 16 significant digits; a sheet read back as
    input must give the very same number)."""

    def __format__(self, spec: str) -> str:
        return repr(float(self)) if spec.upper().endswith("G") else float.__format__(self, spec)


_NUMBER_TYPES = (int, float, _Exact)


def _plain(value):
    """A value as a cell holds it: a tuple as text ('a;b'), a number that is not finite as nothing."""
    if isinstance(value, tuple):
        return ";".join(format(v, ".15g") if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class Book:
    """A workbook being written: its sheets (:meth:`sheet`), its title, hidden text, and saving.

    The handle a writer holds; the engine's own workbook stays inside the toolkit. Sheets are written out
    as they are finished (into temporary files of a private folder, removed when the book is saved or
    given up: :meth:`discard`); :meth:`save` may be called again (for another name) and writes the same
    bytes.
    """

    def __init__(self, title: str = ""):
        from .. import __version__

        self.title = title
        self.creator = f"policymix {__version__}"
        self._sheets: list[Sheet] = []
        self._xl = None  # the engine's workbook, made when the first sheet is written out
        self._buffer: io.BytesIO | None = None
        self._tmp: str | None = None
        self._formats: dict = {}
        self._first = 0
        self._bytes: bytes | None = None
        self.cancelled = False
        self._cleanup = None

    def __enter__(self) -> Book:
        return self

    def __exit__(self, kind, error, trace) -> bool:
        """Leaving a ``with`` block by an exception gives the book up (:meth:`discard`): what was written out goes
        at once."""
        if kind is not None:
            self.discard()
        return False

    def sheet(self, title: str, index: int | None = None, **kw) -> Sheet:
        """A new sheet (at ``index``, default last): see :class:`Sheet` for ``orientation`` and ``note``."""
        return Sheet(self, title, index, **kw)

    def _add(self, sheet: Sheet, index: int | None) -> None:
        if any(s.name.lower() == sheet.name.lower() for s in self._sheets):
            raise ValueError(f"a sheet named {sheet.name!r} exists")
        if index is None:
            self._sheets.append(sheet)
        else:
            self._sheets.insert(index, sheet)

    def hidden_text(self, title: str, text: str, chunk: int) -> None:
        """A hidden sheet holding ``text`` in column A, ``chunk`` characters a cell (what a program reads back)."""
        sheet = Sheet(self, title)
        sheet.hidden = True
        sheet.printed = False
        for k in range(0, len(text), chunk):
            sheet._cells[k // chunk + 1] = {1: (text[k:k + chunk], PLAIN)}
        sheet.finish()

    def show_first(self, index: int = 0) -> None:
        """The sheet shown when the workbook is opened."""
        self._first = index

    def sheet_titles(self) -> list[str]:
        return [s.name for s in self._sheets]

    # ------------------------------------------------------------ the engine

    def _engine(self):
        """The engine's workbook (made on first use: rows are written out as sheets are finished)."""
        if self._xl is None:
            import xlsxwriter

            if self.cancelled:
                raise Cancelled()
            self._tmp = tempfile.mkdtemp(prefix="policymix-")
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._tmp, True)
            self._buffer = io.BytesIO()
            self._xl = xlsxwriter.Workbook(self._buffer, {
                "constant_memory": True, "tmpdir": self._tmp, "strings_to_formulas": False,
                "strings_to_urls": False, "strings_to_numbers": False})
        return self._xl

    def _format(self, style: tuple):
        """The engine's format of a style (None: the default)."""
        found = self._formats.get(style)
        if found is None and style not in self._formats:
            found = self._formats[style] = self._make_format(style) if style != PLAIN else None
        return found

    def _make_format(self, style: tuple):
        font, fill, align, num, quote = style
        props: dict = {"font_name": FONT}
        if font is not None:
            bold, italic, size, colour = _FONTS[font]
            props.update(bold=bold, italic=italic, font_size=size)
            if colour:
                props["font_color"] = "#" + colour
        if fill is not None:
            props.update(pattern=1, bg_color="#" + _FILLS[fill])
        if align == "wrap":
            props.update(text_wrap=True, valign="top")
        elif align == "top":
            props["valign"] = "top"
        if quote:
            props.update(quote_prefix=True, num_format="@")
        elif num:
            props["num_format"] = num
        return self._xl.add_format(props)

    def _fill_format(self, colour: str):
        """A format for a conditional fill (the engine's differential formats)."""
        key = ("fill", colour)
        if key not in self._formats:
            self._formats[key] = self._engine().add_format({"bg_color": "#" + colour, "pattern": 1})
        return self._formats[key]

    # ------------------------------------------------------------ saving

    def cancel(self) -> None:
        """Give up writing: a sheet being written out stops with :class:`Cancelled` (another thread may be
        writing it)."""
        self.cancelled = True

    def discard(self) -> None:
        """Give the book up: its temporary files are removed, nothing is written."""
        self.cancelled = True
        self._remove()

    def _remove(self) -> None:
        if self._cleanup is not None:
            self._cleanup()

    def _serialise(self) -> bytes:
        """The workbook's bytes (made once: every sheet finished, the sheets in order, the package zipped)."""
        if self._bytes is not None:
            return self._bytes
        if self.cancelled:
            raise Cancelled()
        try:
            for sheet in self._sheets:
                if not sheet.finished:
                    sheet.finish()
            if not self._sheets:
                Sheet(self, "Sheet1").finish()
            xl = self._engine()
            order = [s.ws for s in self._sheets]
            xl.worksheets_objs[:] = order  # sheets are written out as they are finished, not in book order
            for k, ws in enumerate(order):
                ws.index = k
            header = "&L&8" + self.title[:120].replace("&", "&&")
            for s in self._sheets:
                if s.printed:
                    s.ws.set_header(header, {"margin": MARGIN_HEADER_IN})
                    s.ws.set_footer("&L&8&A&R&8&P / &N", {"margin": MARGIN_HEADER_IN})
                if s.hidden:
                    s.ws.hide()
            first = self._sheets[min(self._first, len(self._sheets) - 1)]
            if not first.hidden:
                first.ws.activate()
            xl.set_properties({"title": self.title, "author": self.creator})
            xl.close()
            self._bytes = self._buffer.getvalue()
        finally:
            self._buffer = None
            self._remove()
        return self._bytes

    def _fill_file(self, tmp: str) -> None:
        """Write the workbook's bytes into the (temporary) file ``tmp``."""
        data = self._serialise()
        with open(tmp, "wb") as f:
            f.write(data)

    def save(self, path: str | os.PathLike, *, force: bool = True) -> Path:
        """Save atomically (see :func:`optimiser.report.files.atomic_write`)."""
        return atomic_write(path, self._fill_file, force=force)


def new_workbook(title: str = "") -> Book:
    """An empty workbook (no sheet yet) titled and signed by policymix."""
    return Book(title)


def save(book: Book, path: str | os.PathLike, *, force: bool = True) -> Path:
    """Save a workbook atomically (see :func:`optimiser.report.files.atomic_write`)."""
    return book.save(path, force=force)


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


def _widest(values: list, fmt: str | None) -> int:
    """The most characters any of ``values`` shows in format ``fmt`` (:func:`shown_len` of the widest)."""
    texts = [v for v in values if type(v) is str]
    numbers = [v for v in values if type(v) in _NUMBER_TYPES]
    widest = max(map(len, texts)) if texts else 0
    if numbers:
        spec = _PY_FORMAT.get(fmt)
        if fmt == SHADOW:  # three significant digits: the widest is among the largest and the smallest
            small = min((abs(v) for v in numbers if v), default=0.0)
            candidates = (max(numbers), min(numbers), small, -small)
            widest = max(widest, max(len(sig(v)) + 1 for v in candidates))
        elif spec:  # fixed decimals: the widest is the largest or the most negative
            widest = max(widest, len(format(max(numbers), spec)), len(format(min(numbers), spec)))
        else:
            widest = max(widest, max(len(str(v)) if type(v) is int else len(f"{v:.6g}") for v in numbers))
    others = [v for v in values if v is not None and type(v) is not str and type(v) not in _NUMBER_TYPES]
    if others:
        widest = max(widest, max(shown_len(v, fmt) for v in others))
    return widest


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
#: A column's width as the file stores it, in digits of 7 pixels (Excel's Calibri 11 at 96 dpi), and the
#: default width of a column no width is given.
DIGIT_PX, DEFAULT_WIDTH = 7, 8.43
#: Pixels of a centimetre at 96 dpi (the size of a chart).
CM_PX = 96 / 2.54


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
    print_rows: int = 0  # rows 1 … print_rows hold what is printed


# ---------------------------------------------------------------- comments and drop-down lists (the template)

class _Rules:
    """What a sheet says about the cells a user fills in: comments, drop-down lists, number rules, emphasis
    (mixed into :class:`Sheet`)."""

    def hint(self, row: int, col: int, text: str, *, width: int = 320) -> None:
        """A comment on a cell (shown on hover) sized to its text (``width`` in pixels)."""
        height = 20 + 15 * wrapped_lines(text, max(10, int(width / 6.5)))
        self._notes.setdefault(row, []).append((col, text, width, height))

    def drop_down(self, col: int, first: int, last: int, source, *, strict: bool = True, title: str = "",
                  message: str = "") -> None:
        """A drop-down list on rows ``first`` … ``last`` of column ``col``: ``source`` is a list of values or
        (sheet name, first row, last row) of another sheet's first column. ``strict``: a value not in the list is
        refused (else the list only helps: several ids separated by ';', or an id not entered yet, are accepted
        with a warning)."""
        if isinstance(source, tuple):
            name, top, bottom = source
            formula = f"='{name}'!$A${top}:$A${bottom}"
        else:
            formula = '"' + ",".join(source) + '"'  # a list the engine takes as it is (Excel reads 255 characters)
        self._validation(col, first, last, {"validate": "list", "source": formula}, strict, title, message)

    def number_rule(self, col: int, first: int, last: int, rule: str = "", *, whole: bool = False, title: str = "",
                    message: str = "") -> None:
        """Refuse what is not a number on rows ``first`` … ``last`` of column ``col`` (text such as '1,5'
        included), within a value rule of the manifest (">=0", ">0", "share", "0..1")."""
        kinds = {">=0": (">=", 0, None), ">0": (">", 0, None), "share": ("between", 0, 1), "0..1": ("between", 0, 1)}
        criteria, low, high = kinds.get(rule, ("between", -1_000_000_000_000, 1_000_000_000_000))
        options = {"validate": "integer" if whole else "decimal", "criteria": criteria}
        if criteria == "between":
            options.update(minimum=low, maximum=high)
        else:
            options["value"] = low
        self._validation(col, first, last, options, True, title, message)

    def _validation(self, col: int, first: int, last: int, options: dict, strict: bool, title: str,
                    message: str) -> None:
        options = dict(options, ignore_blank=True, error_type="stop" if strict else "warning")
        if title:
            options["error_title"] = title[:32]
        if message:
            options["error_message"] = message[:255]
        self._validations.append((first, col, last, col, options))

    def emphasise(self, first: int, last: int, columns: int, style: str, *, first_col: int = 1) -> None:
        """Cells of rows ``first`` … ``last``, columns ``first_col`` … ``columns``, in a style: "bold",
        "example" (grey italics: a row a user overwrites) or "required" (a required column's darker header)."""
        for r in range(first, last + 1):
            for c in range(first_col, columns + 1):
                if style == "required":
                    self._restyle(r, c, fill="required")
                else:
                    self._restyle(r, c, font="bold" if style == "bold" else "example")


class Sheet(_Rules):
    """A sheet written top to bottom: title, lines, headings, label/value pairs, tables and charts.

    Text can never become a formula (it is stored as text, quoted where it starts like one); column widths
    are fitted to what was written, header and wrapped rows sized to their text, the page set up for
    printing and the sheet written out in :meth:`finish`.

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
        self.book = book
        self.name = title
        self.ws = None  # the engine's sheet, made when the sheet is written out: the toolkit's own business
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
        self.charts: list[tuple[Chart, int, int]] = []  # (chart, row, column)
        self.hidden_from: int | None = None
        self.printed_to: int | None = None  # the last column printed (the ones after it stay on screen)
        self.bottom: dict[int, int] = {}  # column → the last row written in it
        self.layout: PrintLayout | None = None
        self.hidden = False  # a sheet for programs (not shown, not printed)
        self.printed = True
        self.exact = False  # numbers written with every digit (a sheet read back as input)
        self.finished = False
        self._cells: dict[int, dict[int, tuple]] = {}  # row → column → (value, style)
        self._merges: dict[int, list[tuple[int, int]]] = {}  # row → (column, columns spanned)
        self._heights: dict[int, float] = {}  # row → height (pt)
        self._colwidth: dict[int, float] = {}  # column → width (digits, as stored)
        self._notes: dict[int, list[tuple]] = {}
        self._validations: list[tuple] = []
        self._shading: list[tuple] = []
        self._freeze: tuple[int, int] | None = None
        self._filter: tuple[int, int, int, int] | None = None
        self._max_col = 0
        book._add(self, index)

    # ------------------------------------------------------------ cells

    @property
    def max_row(self) -> int:
        return max(self._cells, default=0)

    @property
    def max_column(self) -> int:
        return self._max_col

    def value(self, row: int, col: int):
        """What a cell holds (None: nothing)."""
        found = self._cells.get(row, {}).get(col)
        return None if found is None else found[0]

    def put(self, row: int, col: int, value, fmt: str | Number | None = None, *, fit: bool = True,
            wrap: bool | int = False, bold: bool = False) -> None:
        """Write one cell; ``wrap``: long text wraps at most ``wrap`` (True: WRAP_WIDTH) characters wide."""
        self._put(row, col, value, fmt, fit=fit, wrap=wrap, font="bold" if bold else None)

    def _put(self, row: int, col: int, value, fmt: str | Number | None = None, *, fit: bool = True,
             wrap: bool | int = False, font: str | None = None, fill: str | None = None,
             align: str | None = None) -> None:
        value = _plain(value)
        limit = (WRAP_WIDTH if wrap is True else int(wrap)) if wrap else 0
        quote = isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
        num = excel_format(fmt) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if limit and isinstance(value, str) and len(value) > limit:  # only text longer than the column wraps
            align = "wrap"
            self.wrapped.append((row, col, 1))
            self.wrap_cols[col] = max(self.wrap_cols.get(col, 0), limit)
        self._cells.setdefault(row, {})[col] = (value, (font, fill, align, num, quote))
        if row > self.bottom.get(col, 0):
            self.bottom[col] = row
        if col > self._max_col:
            self._max_col = col
        if fit:
            shown = shown_len(value, fmt)
            self.widths[col] = max(self.widths.get(col, 0), min(shown, limit) if limit else shown)

    def _restyle(self, row: int, col: int, **changes) -> None:
        """Change the style of a cell (made empty where there is none)."""
        cells = self._cells.setdefault(row, {})
        value, style = cells.get(col, (None, PLAIN))
        cells[col] = (value, _restyled(style, **changes))
        if col > self._max_col:
            self._max_col = col

    def title(self, text: str) -> None:
        self._put(self.row, 1, text, fit=False, font="title")
        self._heights[self.row] = 20
        self.row += 1

    def line(self, text: str) -> None:
        """Free text from column A: on screen it spills over empty cells; printed, it wraps across the page."""
        self.put(self.row, 1, text, fit=False)
        self.paragraphs.append(self.row)
        self.row += 1

    def heading(self, text: str) -> None:
        self.row += 1
        self._put(self.row, 1, text, fit=False, font="heading")
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
              row_formats: list | None = None, exact: bool = False) -> tuple[int, int]:
        """A bold header row and one row per item; ``freeze`` = columns kept in view with the header.

        A table with ``freeze`` is the sheet's main table: printed, its header row repeats on every page
        and its first ``repeat_cols`` columns (default ``freeze``) on every page to the right. ``breaks``:
        the table columns (0-based) a printed page may start at when the table is wider than a page.
        ``row_formats``: a number format per row, for a table whose rows are quantities (it wins over the
        column's). ``exact``: numbers are stored with every digit (a table read back as input). Returns
        (header row, last row).
        """
        top = self.header_row(cols, wrap_headers=wrap_headers)
        positions = self._positions(cols)
        rows = rows if isinstance(rows, list) else list(rows)
        if len(rows) > DETAILED_ROWS:  # a plant-scale table is not laid out for print: its text does not wrap
            cols = [Col(c.header, c.fmt, False, c.span) for c in cols]
        last = self._rows(top + 1, positions, cols, rows, row_formats=row_formats, fit=[c.span == 1 for c in cols])
        spans = {c: col.span for c, col in zip(positions, cols) if col.span > 1}
        if spans:  # a spanning column's cells are merged over its sheet columns, and wrap across them
            for r in range(top + 1, last + 1):
                row = self._cells.get(r, {})
                for c, span in spans.items():
                    if c in row:
                        self._merge(r, c, span)
            self.wrapped = [(r, c, spans[c]) if top < r <= last and c in spans else (r, c, s)
                            for r, c, s in self.wrapped]
        if exact:
            self.exact = True
        if freeze is not None:
            self._freeze = (top, freeze)
            if self.titles is None:
                self.titles = (top, freeze if repeat_cols is None else repeat_cols)
        self.breaks.update(positions[b] for b in breaks if 0 < b < len(positions))
        self.blocks.append((top, 3 * ROW_PT))  # the header with the first rows
        if autofilter and last > top:
            self._filter = (top, 1, last, positions[-1] + cols[-1].span - 1)
        self.row = last + 1
        return top, last

    def _rows(self, first: int, positions: list[int], cols: list[Col], rows: list, *, row_formats=None,
              fit: list[bool] | None = None, style: tuple | None = None) -> int:
        """Rows of values from row ``first`` in the sheet columns ``positions`` (empty values make no cell);
        column widths fitted where ``fit`` says. Returns the last row (``first - 1`` when there are none)."""
        if not rows:
            return first - 1
        specs = []  # per column: (number style, text style, quoted style, wrap limit)
        for col in cols:
            num = excel_format(col.fmt)
            limit = (WRAP_WIDTH if col.wrap is True else int(col.wrap)) if col.wrap else 0
            base = style or PLAIN
            quoted = _restyled(base, num="@", quote=True)
            specs.append((_restyled(base, num=num), base, quoted, limit, _restyled(base, align="wrap"),
                          _restyled(quoted, align="wrap")))
        cells, wrapped = self._cells, self.wrapped
        triggers = FORMULA_TRIGGERS
        isfinite = math.isfinite
        r = first - 1
        for r, values in enumerate(rows, start=first):
            fmts = None
            if row_formats is not None:
                fmts = excel_format(row_formats[r - first])
            row = cells.get(r)
            if row is None:
                row = cells[r] = {}
            for c, v, spec in zip(positions, values, specs):
                t = type(v)
                if t is float:
                    if not isfinite(v):
                        continue
                    row[c] = (v, spec[0] if fmts is None else _restyled(spec[1], num=fmts))
                elif t is str:
                    if not v:
                        continue
                    if spec[3] and len(v) > spec[3]:  # only text longer than the column wraps
                        row[c] = (v, spec[5] if v.startswith(triggers) else spec[4])
                        wrapped.append((r, c, 1))
                        self.wrap_cols[c] = max(self.wrap_cols.get(c, 0), spec[3])
                    else:
                        row[c] = (v, spec[2] if v.startswith(triggers) else spec[1])
                elif t is int:
                    row[c] = (v, spec[0] if fmts is None else _restyled(spec[1], num=fmts))
                elif v is None:
                    continue
                else:  # booleans, tuples, numbers of other kinds
                    v = _plain(v)
                    if v is None or v == "":
                        continue
                    if isinstance(v, str):
                        row[c] = (v, spec[2] if v.startswith(triggers) else spec[1])
                    elif isinstance(v, (int, float)) and not isinstance(v, bool):
                        row[c] = (v, spec[0] if fmts is None else _restyled(spec[1], num=fmts))
                    else:
                        row[c] = (v, spec[1])
        last = r
        # widths, bottoms: column by column (the rows turned into columns at C speed)
        for k, (c, col, values) in enumerate(zip(positions, cols, itertools.zip_longest(*rows))):
            present = [v for v in values if v is not None and v != "" and v == v]
            if not present:
                continue
            if last > self.bottom.get(c, 0):
                self.bottom[c] = last
            if fit is None or fit[k]:
                if tuple in set(map(type, present)):
                    present = [_plain(v) for v in present]
                if row_formats is None:
                    shown = _widest(present, excel_format(col.fmt))
                else:
                    shown = max(shown_len(_plain(v), row_formats[x] or col.fmt) for x, v in enumerate(values)
                                if v is not None and v != "")
                limit = specs[k][3]
                self.widths[c] = max(self.widths.get(c, 0), min(shown, limit) if limit else shown)
        if positions:
            self._max_col = max(self._max_col, max(positions))
        return last

    def _merge(self, row: int, col: int, span: int) -> None:
        self._merges.setdefault(row, []).append((col, span))
        self._max_col = max(self._max_col, col + span - 1)

    def _header_cell(self, row: int, col: int, text: str) -> None:
        self._put(row, col, text, fit=False, font="bold", fill="header", align="wrap")

    def bold_row(self, row: int, columns: int) -> None:
        """The cells of ``row`` in columns 1 … ``columns`` in bold (e.g. a total row)."""
        for c in range(1, columns + 1):
            self._restyle(row, c, font="bold")

    def freeze(self, rows: int, cols: int = 0) -> None:
        """Keep the first ``rows`` rows and ``cols`` columns in view when scrolling."""
        self._freeze = (rows, cols)

    def data(self, row: int, col: int, header: list[str], rows: list[list], formats: list | None = None, *,
             bold: bool = False) -> int:
        """A block of values from (``row``, ``col``): a header row (header style; ``bold``: bold only) and the
        rows, each column in its format. Returns the last row written."""
        for k, text in enumerate(header):
            if bold:
                self.put(row, col + k, text, fit=False, bold=True)
            else:
                self._header_cell(row, col + k, text)
                self.widths[col + k] = HEADER_WRAP
        width = max((len(r) for r in rows), default=0)
        cols = [Col("", (formats or [None] * width)[k]) for k in range(width)]
        last = self._rows(row + 1, [col + k for k in range(width)], cols, rows)
        return max(last, row)

    def shade_status(self, col: int, first: int, last: int, funded: str = "funded",
                     partly: str = "partly funded", *, decided: str | None = None) -> None:
        """Colour status cells: ``funded`` green, ``partly`` (funded) amber, ``decided`` (before the plan's start)
        grey, in the sheet's words (conditional formats, no formulas in cells)."""
        if last < first:
            return
        for word, colour in ((funded, FUNDED_FILL), (partly, PARTLY_FILL), (decided, DECIDED_FILL)):
            if word:
                self._shading.append((first, col, last, word, colour))

    # ------------------------------------------------------------ charts, breaks, helper data

    def chart(self, spec: Chart, *, row: int | None = None, col: int = 1) -> int:
        """Draw the chart ``spec`` describes at the current row (or at ``row``, kept free by :meth:`chart_space`),
        column ``col``, on one printed page; returns its row.

        At the current row, the rows it covers are skipped. Printed, a page break comes before it when it
        would not fit on what is left of the page, and its width is kept within one printed page.
        """
        top = self.row if row is None else row
        spec = dataclasses.replace(spec, series=list(spec.series), right=list(spec.right))
        self.charts.append((spec, top, col))
        height_pt = spec.height * 10 / PT_MM
        # kept on one page with the row above it: a page starting right at the chart's row would still
        # show a sliver of its frame at the foot of the page before
        self.blocks.append((max(1, top - 1), height_pt + 2 * ROW_PT))
        if row is None:
            self.row = top + self.chart_rows(spec.height)
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

    def print_columns(self, last: int) -> None:
        """Print columns 1 … ``last`` only: the ones after it stay on screen (what another sheet prints in a
        form fit to read)."""
        self.printed_to = last

    # ------------------------------------------------------------ finishing

    def _width(self, col: int) -> float:
        return self._colwidth.get(col) or DEFAULT_WIDTH

    def finish(self, *, widths: dict[int, int] | None = None) -> None:
        """Fit column widths (``widths`` fixes some), size header and wrapped rows, set up the printed page,
        and write the sheet out."""
        if self.finished:
            raise RuntimeError(f"sheet {self.name!r} is finished")
        for col, width in self.widths.items():
            top = self.wrap_cols[col] + 2 if col in self.wrap_cols else MAX_WIDTH
            self._colwidth[col] = min(max(MIN_WIDTH, width + 2), top)
        for col, width in (widths or {}).items():
            self._colwidth[col] = width
        heights: dict[int, float] = {}
        for top, cols in self.headers:
            lines = 1
            for c, col in zip(self._positions(cols), cols):
                usable = max(1, int(sum(self._width(c + k) for k in range(col.span))) - 1)
                lines = max(lines, wrapped_lines(str(col.header), usable))
            heights[top] = max(heights.get(top, 0), ROW_PT * lines)
        # a sheet of plant-scale length is not laid out for print row by row (it would cost more than writing it)
        wrapped = self.wrapped if self.max_row <= DETAILED_ROWS else []
        width_of = {c: self._width(c) for c in {c + k for _r, c, span in wrapped for k in range(span)}}
        for row, col, span in wrapped:
            usable = max(1, int(sum(width_of[col + k] for k in range(span)) * TEXT_PER_WIDTH) - 1)
            lines = wrapped_lines(self.value(row, col), usable)
            heights[row] = max(heights.get(row, 0), ROW_PT * lines)
        layout = self._layout() if self.printed else None
        if layout is not None:
            across = self._first_page_columns(layout, beyond=self.hidden_from is None and self.printed_to is None)
            for row in self.paragraphs:  # free text wraps across the first printed page's columns
                value, style = self._cells.get(row, {}).get(1, (None, PLAIN))
                span = max(1, across)
                usable = max(1, int(sum(self._width(c) for c in range(1, span + 1)) * TEXT_PER_WIDTH) - 1)
                lines = wrapped_lines(value or "", usable)
                if lines > 1 and span > 1 and row not in self._merges:
                    self._merge(row, 1, span)
                if lines > 1:
                    self._cells[row][1] = (value, _restyled(style, align="wrap"))
                    heights[row] = max(heights.get(row, 0), ROW_PT * _font_size(style) / 11 * lines)
        for row, height in heights.items():
            if height > max(ROW_PT, self._heights.get(row, 0)):
                self._heights[row] = height
                self._align_top(row)
        if layout is not None:
            self._set_up_page(layout)
        self._write_out()
        self.finished = True

    def _align_top(self, row: int) -> None:
        """Every cell of a row that grew for wrapped text reads from the top (cells not made stay unmade)."""
        cells = self._cells.get(row, {})
        for c, (value, style) in list(cells.items()):
            if value is not None and style[_ALIGN] is None:
                cells[c] = (value, _restyled(style, align="top"))

    def _printed_columns(self) -> int:
        last = max([self.max_column] + [c for _, _, c in self.charts])
        if self.hidden_from is not None:
            last = min(last, self.hidden_from - 1)
        if self.printed_to is not None:
            last = min(last, self.printed_to)
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

    def _first_page_columns(self, layout: PrintLayout, *, beyond: bool = False) -> int:
        """How many columns the first printed page holds across (``beyond``: counting empty columns of the default
        width after the last one printed, as free text may span them)."""
        room = page_mm(layout.orientation)[0] * 100 / layout.scale
        used, n = 0.0, 0
        for c in range(1, (max(layout.print_cols, 256) if beyond else layout.print_cols) + 1):
            if layout.col_breaks and c >= layout.col_breaks[0]:
                break
            used += column_mm(self._width(c))
            if used > room:
                break
            n = c
        return max(1, n)

    def _row_pt(self, row: int) -> float:
        return self._heights.get(row) or ROW_PT

    def _set_up_page(self, layout: PrintLayout) -> None:
        # a chart is not drawn over repeated columns (it would be drawn again on every page across)
        if layout.title_cols and not layout.fit:
            for k, (chart, row, col) in enumerate(self.charts):
                if col <= layout.title_cols:
                    self.charts[k] = (chart, row, layout.title_cols + 1)
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
        layout.print_rows = last_row
        self.layout = layout

    # ------------------------------------------------------------ writing out

    def _write_out(self) -> None:
        """The sheet in the engine: columns, rows in order (each becomes XML at once), page set-up, charts."""
        book = self.book
        ws = self.ws = book._engine().add_worksheet(self.name)
        fmt = book._format
        hidden_from = self.hidden_from if self.hidden_from is not None else math.inf
        for col in sorted(set(self._colwidth) | ({c for c in range(self.hidden_from, self.max_column + 1)}
                                                  if self.hidden_from is not None else set())):
            width = self._colwidth.get(col)
            pixels = None if width is None else round(width * DIGIT_PX)  # stored as given (no padding added)
            ws.set_column_pixels(col - 1, col - 1, pixels, None, {"hidden": True} if col >= hidden_from else None)
        notes, merges, heights, cells = self._notes, self._merges, self._heights, self._cells
        number, text, blank, boolean = ws.write_number, ws.write_string, ws.write_blank, ws.write_boolean
        exact, formats = self.exact, {}
        rows = sorted(set(cells) | set(heights) | set(notes) | set(merges))
        for k, r in enumerate(rows):
            if not k & 1023 and book.cancelled:
                raise Cancelled()
            r0 = r - 1
            if r in heights:
                ws.set_row(r0, heights[r])
            row = cells.get(r, {})
            for c, span in merges.get(r, ()):
                style = row.get(c, (None, PLAIN))[1]
                ws.merge_range(r0, c - 1, r0, c + span - 2, "", fmt(style))  # the value is written below, as text
            for c, (v, style) in row.items():
                f = formats.get(style, 0)
                if f == 0:
                    f = formats[style] = fmt(style)
                t = type(v)
                if t is float:
                    if exact and len(repr(v)) > 17:
                        v = _Exact(v)
                    number(r0, c - 1, v, f)
                elif t is str:
                    text(r0, c - 1, v, f)
                elif t is int:
                    number(r0, c - 1, v, f)
                elif v is None:
                    blank(r0, c - 1, None, f)
                elif t is bool:
                    boolean(r0, c - 1, v, f)
                elif isinstance(v, (int, float)):
                    number(r0, c - 1, float(v), f)
                else:
                    text(r0, c - 1, str(v), f)
            for c, note, width, height in notes.get(r, ()):
                ws.write_comment(r0, c - 1, note, {"author": "policymix", "width": width, "height": height})
        for first, col, last, word, colour in self._shading:
            ws.conditional_format(first - 1, col - 1, last - 1, col - 1, {
                "type": "cell", "criteria": "==", "value": '"' + word.replace('"', '""') + '"',
                "format": book._fill_format(colour)})
        for first, c0, last, c1, options in self._validations:
            ws.data_validation(first - 1, c0 - 1, last - 1, c1 - 1, options)
        if self._freeze is not None:
            ws.freeze_panes(*self._freeze)
        if self._filter is not None:
            top, c0, last, c1 = self._filter
            ws.autofilter(top - 1, c0 - 1, last - 1, c1 - 1)
        if self.layout is not None:
            self._write_page(ws, self.layout)
        for spec, row, col in self.charts:
            ws.insert_chart(row - 1, col - 1, _draw(spec, book._engine(), self.name))
        # what was written is in the engine now
        self._cells, self._notes, self._merges = {}, {}, {}

    def _write_page(self, ws, layout: PrintLayout) -> None:
        ws.set_paper(9)  # A4
        if layout.orientation == "landscape":
            ws.set_landscape()
        else:
            ws.set_portrait()
        if layout.fit and self.dense:  # a long table: the least readable scale, so it takes fewest pages
            ws.set_print_scale(layout.scale)
        elif layout.fit:  # the application fits it to its own font's widths (never above 100 %)
            ws.fit_to_pages(1, 0)
        else:
            ws.set_print_scale(layout.scale)
        ws.set_margins(left=MARGIN_SIDE_IN, right=MARGIN_SIDE_IN, top=MARGIN_TOP_IN, bottom=MARGIN_TOP_IN)
        if layout.title_rows:
            ws.repeat_rows(layout.title_rows[0] - 1, layout.title_rows[1] - 1)
        if layout.title_cols and not layout.fit:
            ws.repeat_columns(0, layout.title_cols - 1)
        if layout.row_breaks:
            ws.set_h_pagebreaks([r - 1 for r in layout.row_breaks])  # a break below row r - 1
        if layout.col_breaks:
            ws.set_v_pagebreaks([c - 1 for c in layout.col_breaks])
        if self.hidden_from is not None or self.printed_to is not None:
            ws.print_area(0, 0, max(layout.print_rows, 1) - 1, layout.print_cols - 1)


# ---------------------------------------------------------------- native charts
#
# A writer describes a chart (:class:`Chart`: a scatter chart drawn with straight lines over a numeric x axis,
# or a column chart over categories; its series read cells of the sheet by column and rows) and
# :meth:`Sheet.chart` draws it with the engine when the sheet is written out.

#: Colours of the series of a category chart, in order (then repeated).
PALETTE = ("1F4E79", "2E7D32", "F9A825", "6A1B9A", "00838F", "C62828", "8D6E63", "5C6BC0", "9E9D24", "AD1457")
#: Line dashes by their name in the file format (DrawingML), as the engine names them.
DASHES = {"solid": "solid", "dash": "dash", "sysDot": "round_dot", "sysDash": "square_dot", "dashDot": "dash_dot",
          "lgDash": "long_dash", "lgDashDot": "long_dash_dot", "lgDashDotDot": "long_dash_dot_dot", "dot": "dash"}


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

    ``series`` on the left axis; ``right``: series on a second axis at the right (lines; over the bars of a
    column chart), titled ``right_title``. Axis ranges (``x_range``, ``y_range``, ``right_range``: (min, max),
    either None for automatic) and number formats; ``gridlines``: the left axis's major gridlines;
    ``hidden_data``: its data are in hidden helper columns (the chart still draws them); ``data_sheet``: the
    sheet its series read (default the sheet it is drawn on). ``height``/``width`` in cm.
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
    right_range: tuple[float | None, float | None] = (None, None)
    data_sheet: str | None = None
    stacked: bool = True
    gap: int = 60
    gridlines: bool = True
    hidden_data: bool = False
    height: float = 12
    width: float = 24


def _axis(title: str, fmt: str | None, limits: tuple, *, gridlines: bool | None = None) -> dict:
    axis: dict = {"name": title, "name_font": {"bold": True, "size": 10}}
    if fmt:
        axis["num_format"] = fmt
    low, high = limits
    if low is not None:
        axis["min"] = low
    if high is not None:
        axis["max"] = high
    if gridlines is not None:
        axis["major_gridlines"] = {"visible": gridlines}
    return axis


def _draw(spec: Chart, xl, sheet: str):
    """The engine's chart for ``spec``, reading the cells of sheet ``sheet`` (or of its ``data_sheet``)."""
    sheet = spec.data_sheet or sheet

    def ref(col: int, first: int, last: int) -> list:
        return [sheet, first - 1, col - 1, last - 1, col - 1]

    def line(s: Line, *, right: bool = False, over_bars: bool = False) -> dict:
        out = {"name": s.title, "values": ref(s.col, s.first, s.last),
               "line": {"color": "#" + s.colour, "width": s.width, "dash_type": DASHES.get(s.dash or "solid", "dash")},
               "marker": {"type": "none"}, "smooth": False}
        if s.x_col is not None:
            out["categories"] = ref(s.x_col, s.first, s.last)
        elif spec.categories is not None:
            out["categories"] = ref(*spec.categories)
        if s.marker:
            out["marker"] = {"type": s.marker, "size": 4 if s.x_col is not None else 6}
            if over_bars:  # a line over bars: its markers filled in its colour
                out["marker"].update(fill={"color": "#" + s.colour}, border={"color": "#" + s.colour})
        if right:
            out["y2_axis"] = True
        return out

    if spec.kind == "scatter":
        chart = xl.add_chart({"type": "scatter", "subtype": "straight"})
        for s in spec.series:
            chart.add_series(line(s))
        for s in spec.right:
            chart.add_series(line(s, right=True))
        chart.set_x_axis(_axis(spec.x_title, spec.x_format, spec.x_range))
        chart.set_y_axis(_axis(spec.y_title, spec.y_format, spec.y_range, gridlines=spec.gridlines))
        if spec.right:
            chart.set_y2_axis(_axis(spec.right_title, spec.right_format, spec.right_range, gridlines=False))
        chart.show_blanks_as("gap")
    else:
        chart = xl.add_chart({"type": "column", "subtype": "stacked" if spec.stacked else None})
        bars = [s for s in spec.series if isinstance(s, Bars)]
        for k, s in enumerate(bars):
            options = {"name": s.title, "values": ref(s.col, s.first, s.last), "categories": ref(*spec.categories),
                       "fill": {"color": "#" + s.colour}, "border": {"color": "#" + s.colour}}
            if k == 0:
                options.update(gap=spec.gap, overlap=100 if spec.stacked else 0)
            chart.add_series(options)
        lines = [s for s in spec.series if isinstance(s, Line)]
        if lines or spec.right:
            over = xl.add_chart({"type": "line"})
            for s in lines:
                over.add_series(line(s, over_bars=True))
            for s in spec.right:
                over.add_series(line(s, right=True, over_bars=True))
            if spec.right:
                over.set_y2_axis(_axis(spec.right_title, spec.right_format, spec.right_range, gridlines=False))
            chart.combine(over)
        chart.set_x_axis(_axis(spec.x_title, spec.x_format, spec.x_range))
        chart.set_y_axis(_axis(spec.y_title, spec.y_format, spec.y_range, gridlines=spec.gridlines))
    chart.set_title({"name": spec.title, "name_font": {"bold": True, "size": 12}})
    chart.set_legend({"position": "bottom"})
    chart.set_style(2)
    chart.set_size({"width": round(spec.width * CM_PX), "height": round(spec.height * CM_PX)})
    if spec.hidden_data:
        chart.show_hidden_data()
        # XlsxWriter then leaves <c:plotVisOnly> out, which Excel reads as "plot hidden cells" but LibreOffice
        # (and the file format's default) as "visible cells only": say it outright
        chart._write_plot_vis_only = lambda: chart._xml_empty_tag("c:plotVisOnly", [("val", 0)])
    return chart

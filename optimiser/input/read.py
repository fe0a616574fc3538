"""Stage 1: read and validate the input workbook.

With :mod:`optimiser.input.planfile` (plan workbooks read back) this is the
only reading of workbooks: the input subpackage is the only one that opens
them. Every workbook is treated as untrusted: the file
is checked to be a real .xlsx package whose parts do not inflate past a limit
before any XML is parsed; openpyxl then parses it through defusedxml (no
entity expansion, no external entities); macros are never loaded.
"""

from __future__ import annotations

import hashlib
import html
import math
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..lang import _, adopt
from .data import InputError, PlanInput, Problem
from .hints import close_to, did_you_mean
from .manifest import ALTERNATIVE_PREFIXES, RESULT_SHEETS, RETIRED_SETTINGS, SETTINGS_KEYS, SHEET_BY_NAME, SHEETS, is_comment, parse_value
from .tables import Tables, to_input, year_columns_needed

#: Largest total inflated size of a workbook's parts we agree to parse (MB).
DEFAULT_MAX_UNZIPPED_MB = 200.0
#: Largest compression ratio of one part (real workbooks stay far below 100).
MAX_COMPRESSION_RATIO = 200.0

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Workbook:
    """An input workbook read from disk: the typed input plus what we noticed."""

    input: PlanInput
    tables: Tables
    path: str
    sha256: str
    notes: list[str] = field(default_factory=list)


def _fail(path: str, message: str) -> InputError:
    return InputError(Problem(message, file=path))


def sha256_of(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_package(path: str, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx package.

    Runs before any XML is parsed. The zip-bomb check reads only the zip's
    central directory (declared sizes), so it takes milliseconds and no memory
    whatever the parts would inflate to.
    """
    p = Path(path)
    if not p.exists():
        raise _fail(path, _("file not found"))
    if p.is_dir():
        raise _fail(path, _("is a folder, expected an .xlsx workbook"))
    try:
        with open(p, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise _fail(path, _("cannot be read ({reason})", reason=exc.strerror)) from None
    if not head:
        raise _fail(path, _("is empty, expected an .xlsx workbook"))
    if head == OLE2_MAGIC:
        raise _fail(
            path,
            _("is password-protected (encrypted) or an old binary .xls workbook: save it without a password as .xlsx"),
        )
    if not zipfile.is_zipfile(p):
        if head.startswith(b"PK"):
            raise _fail(path, _("is a damaged or truncated zip package (an incomplete download or copy?): get the "
                                "workbook again"))
        raise _fail(path, _("is not an .xlsx workbook (not a zip package; a CSV or text file?): save it as .xlsx"))
    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _fail(path, _("is a damaged zip package ({reason})", reason=exc)) from None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _fail(path, _("is a zip file but not an .xlsx workbook (no xl/workbook.xml part)"))
    # The total first, so that the limit the user can set is what a refusal names.
    total = sum(info.file_size for info in infos)
    if total > max_unzipped_mb * 1e6:
        raise _fail(
            path,
            _("parts would inflate to {size} MB, above the limit of {limit} MB: refused as a possible zip bomb (raise "
              "the limit with --max-unzipped-mb if the workbook is genuine)", size=f"{total / 1e6:.3g}",
              limit=f"{max_unzipped_mb:g}"),
        )
    for info in infos:
        if info.compress_size > 0 and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO and info.file_size > 1e6:
            raise _fail(
                path,
                _("part '{part}' would inflate {ratio}-fold to {size} MB: refused as a possible zip bomb",
                  part=info.filename, ratio=f"{info.file_size / info.compress_size:.0f}",
                  size=f"{info.file_size / 1e6:.0f}"),
            )


def _header_key(value: object) -> object:
    """Normalise a header cell: year headers become ints, names lower-case."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return int(value)
        return str(value)
    text = str(value).strip()
    if text.isdigit() and len(text) == 4:
        return int(text)
    return text.lower()


#: Anything in a part that the fast reader leaves to openpyxl: a formula or an error value in a worksheet
#: (a formula's cached value, or the lack of one, needs openpyxl's view of the cell) or a DTD (refused
#: through defusedxml).
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]|\st=[\"']e[\"']")  # a formula, or an error value (#NUM! …)
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
#: Cell values the fast reader passes on as they are; anything else goes to openpyxl.
_PLAIN = (str, int, float, bool, type(None))
#: Built-in number formats that show a date, a time or a duration (ECMA-376 part 1, 18.8.30; 27–36 and 50–58
#: are the East Asian dates). calamine turns a number in such a cell into a date or time and, when the number
#: is beyond its range (-1e15 formatted yyyy-mm-dd or h:mm:ss), stops with a Rust panic that prints a
#: backtrace on stderr: a workbook with such a style is read by openpyxl instead.
_DATE_FORMATS = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)}
_NUMBER_FORMAT = re.compile(rb"<(?:\w+:)?numFmt\b([^>]*)>")
_STYLE_FORMAT = re.compile(rb"<(?:\w+:)?xf\b[^>]*?\bnumFmtId=\"(\d+)\"")
#: What a custom format code shows literally: quoted text, escaped characters, colours and conditions.
_LITERAL = re.compile(r'"[^"]*"|\\.|\[(?!h+\]|m+\]|s+\])[^\]]*\]', re.IGNORECASE)
_DATE_PARTS = re.compile(r"[dmyhs]", re.IGNORECASE)


def _shows_dates(styles: bytes) -> bool:
    """Whether a cell style of ``xl/styles.xml`` formats numbers as dates, times or durations."""
    custom = {}
    for attrs in _NUMBER_FORMAT.findall(styles):
        ident, code = re.search(rb'numFmtId="(\d+)"', attrs), re.search(rb'formatCode="([^"]*)"', attrs)
        if ident and code:
            text = html.unescape(code.group(1).decode("utf-8", "replace"))  # &quot;M€&quot; is literal text
            custom[int(ident.group(1))] = bool(_DATE_PARTS.search(_LITERAL.sub("", text)))
    return any(int(n) in _DATE_FORMATS or custom.get(int(n), False) for n in _STYLE_FORMAT.findall(styles))


def _load_fast(path: str) -> dict[str, list[tuple]] | None:
    """Cell values per sheet through python-calamine (Rust; 10–15× faster than openpyxl on large
    workbooks), or None when the workbook needs openpyxl's reading.

    Used only for plain workbooks: every XML part is first scanned (its inflated size is bounded by
    :func:`check_package`) and a workbook with a DTD or entity declaration in any part, a formula in a
    worksheet, a cell of another kind (error values, …), a duplicate sheet name or anything calamine
    cannot parse is read by openpyxl instead, with its defences (defusedxml, formula cells without values)
    and its precise messages. Cells come as openpyxl gives them: whole numbers as int, blanks as None.
    """
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - python-calamine is a dependency
        return None
    import datetime as dt

    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if not info.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                data = z.read(info)
                if _DTD.search(data):
                    return None
                if info.filename.startswith("xl/worksheets/") and _FORMULA.search(data):
                    return None
                if info.filename == "xl/styles.xml" and _shows_dates(data):
                    return None
        wb = CalamineWorkbook.from_path(path)
    except Exception:  # damaged parts and the like: openpyxl names the problem
        return None
    dates = (dt.date, dt.time, dt.timedelta)
    raw: dict[str, list[tuple]] = {}
    try:
        for title in wb.sheet_names:
            key = title.strip().lower()
            if key in raw:
                return None  # openpyxl's path names the duplicate
            raw[key] = rows = []
            if key not in SHEET_BY_NAME:
                continue
            for cells in wb.get_sheet_by_name(title).to_python(skip_empty_area=False):
                row = []
                for v in cells:
                    if v == "":
                        v = None
                    elif type(v) is float:
                        if not math.isfinite(v):
                            return None  # openpyxl refuses the cell with its own message
                        if v.is_integer() and abs(v) < 2**53:
                            v = int(v)
                    elif not isinstance(v, _PLAIN) and not isinstance(v, dates):
                        return None
                    row.append(v)
                while row and row[-1] is None:
                    row.pop()
                rows.append(tuple(row))
            while rows and not rows[-1]:
                rows.pop()
    except BaseException as exc:  # a Rust panic in calamine (pyo3's PanicException) is not an Exception
        if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":
            return None  # openpyxl reads the workbook and names any problem
        raise
    finally:
        try:
            wb.close()
        except Exception:  # pragma: no cover
            pass
    return raw


def _load_raw(path: str) -> tuple[dict[str, list[tuple]], dict[str, set[tuple[int, int]]], list[str]]:
    """Cell values per sheet (lower-cased names) and the cells holding formulas.

    Plain workbooks are read by :func:`_load_fast`; the rest by openpyxl, as follows.

    Only input sheets are read cell by cell; any other sheet (a plan's result
    sheets, a user's notes) is listed with no rows, so nothing in it can stop
    the workbook from being read.
    """
    fast = _load_fast(path)
    if fast is not None:
        return fast, {}, []
    import warnings

    with warnings.catch_warnings():  # what openpyxl warns of (a date out of range, …) is no line for the user
        warnings.simplefilter("ignore")
        return _load_openpyxl(path)


def _load_openpyxl(path: str) -> tuple[dict[str, list[tuple]], dict[str, set[tuple[int, int]]], list[str]]:
    """:func:`_load_raw` by openpyxl: formulas take the value Excel cached."""
    import openpyxl  # the workbook layer
    import warnings

    notes: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_vba=False, keep_links=False)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on damaged packages
        raise unreadable(path, exc) from None
    raw: dict[str, list[tuple]] = {}
    formulas: dict[str, set[tuple[int, int]]] = {}
    try:
        for ws in wb.worksheets:
            key = ws.title.strip().lower()
            if key in raw:
                raise _fail(path, _("two sheets are named '{name}' (names are matched case-insensitively)",
                                    name=ws.title))
            raw[key] = rows = []
            if key not in SHEET_BY_NAME:
                continue
            try:
                for r, cells in enumerate(ws.iter_rows(), start=1):
                    row = []
                    for c, cell in enumerate(cells):
                        v = getattr(cell, "value", None)
                        if getattr(cell, "data_type", None) == "f":
                            formulas.setdefault(key, set()).add((r, c))
                        row.append(v)
                    rows.append(tuple(row))
            except Exception as exc:  # a cell or the sheet's XML cannot be parsed
                raise unreadable(path, exc, ws, key, rows) from None
    finally:
        wb.close()
    if formulas:
        # Formulas: use the value Excel cached when it last calculated the workbook.
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_vba=False, keep_links=False)
        except Exception as exc:
            raise unreadable(path, exc) from None
        try:
            for ws in wb.worksheets:
                key = ws.title.strip().lower()
                if key not in formulas:
                    continue
                try:
                    cached = [row for row in ws.iter_rows(values_only=True)]
                except Exception as exc:
                    raise unreadable(path, exc, ws, key, raw[key]) from None
                rows = raw[key]
                for r, c in formulas[key]:
                    value = cached[r - 1][c] if r - 1 < len(cached) and c < len(cached[r - 1]) else None
                    row = list(rows[r - 1])
                    row[c] = _Uncalculated(rows[r - 1][c]) if value is None else value
                    rows[r - 1] = tuple(row)
        finally:
            wb.close()
    return raw, formulas, notes


def unreadable(path: str, exc: BaseException, ws=None, sheet: str | None = None,
                rows: list[tuple] = ()) -> InputError:
    """One clean, one-line problem for anything openpyxl cannot parse.

    XML that declares entities (entity expansion, external entities) is named
    as such: defusedxml refuses it before anything is expanded or fetched.
    """
    causes = []
    e: BaseException | None = exc
    while e is not None and len(causes) < 10:
        causes.append(e)
        e = e.__cause__ or e.__context__
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is a dependency
        DefusedXmlException = ()
    for e in causes:
        if DefusedXmlException and isinstance(e, DefusedXmlException):
            return InputError(Problem(
                _("contains XML entities or a DTD with entities ({kind}), which a workbook never needs: refused as a "
                  "possible entity-expansion or external-entity attack", kind=type(e).__name__), path, sheet))
    root = causes[-1]
    detail = " ".join(f"{type(root).__name__}: {root}".split())[:200]
    if ws is None:
        return InputError(Problem(_("cannot be read as an .xlsx workbook ({detail})", detail=detail), path))
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    if isinstance(root, (ParseError, ExpatError)):
        return InputError(Problem(_("the sheet's XML is damaged ({detail}): repair or re-save the workbook",
                                    detail=detail), path, sheet))
    row, col = _locate(ws)
    if row is None:
        row = len(rows) + 1
    column = None
    if col is not None:
        header = rows[0] if rows else ()
        name = _header_key(header[col - 1]) if col - 1 < len(header) else None
        column = str(name) if name not in (None, "") else _column_letter(col - 1)
        bad_value = getattr(root, "args", ("",))[0] if isinstance(root, ValueError) else ""
        match = re.search(r"'([^']*)'$", str(bad_value))
        if match:
            return InputError(Problem(
                _("found '{value}' in a cell stored as a number, expected a number: retype the value",
                  value=match.group(1)),
                path, sheet, row, column))
    return InputError(Problem(_("this part of the sheet cannot be read ({detail})", detail=detail), path, sheet, row,
                              column))


def _locate(ws) -> tuple[int | None, int | None]:
    """The row and column (1-based) of the first cell of a read-only sheet that openpyxl cannot parse."""
    try:
        from openpyxl.worksheet._reader import WorkSheetParser

        with ws._get_source() as src:
            parser = WorkSheetParser(src, ws._shared_strings, data_only=ws.parent.data_only)
            try:
                for _row in parser.parse():
                    pass
            except Exception:
                return parser.row_counter or None, parser.col_counter or None
    except Exception:  # openpyxl internals changed: fall back to the row count
        return None, None
    return None, None


def _parse_cell(cell: object, type_: str, check: str = "") -> tuple[object, str | None]:
    """parse_value, with a readable message for a date where a number belongs."""
    import datetime as dt

    if type_ in ("float", "int") and isinstance(cell, (dt.date, dt.time, dt.timedelta)):
        shown = cell.date().isoformat() if isinstance(cell, dt.datetime) and cell.time() == dt.time(0) else str(cell)
        return None, _("found the date {date}, expected a number (is the cell formatted as a date?)", date=shown)
    return parse_value(cell, type_, check)


class _Uncalculated(str):
    """A formula cell with no cached value (never calculated)."""


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def parse_sheets(raw: dict[str, list[tuple]], path: str) -> tuple[Tables, list[Problem], list[str]]:
    """Typed tables from raw cell rows, guided by the manifest."""
    problems: list[Problem] = []
    notes: list[str] = []
    tables: Tables = {}
    # a sheet whose name is close to an input sheet the workbook lacks is that sheet, misspelt
    absent = [s.name for s in SHEETS if s.name not in raw]
    misspelt: dict[str, list[str]] = {}  # input sheet → present sheets close to it
    for name in raw:
        if (name not in SHEET_BY_NAME and name not in RESULT_SHEETS
                and not name.startswith(ALTERNATIVE_PREFIXES)):
            close = close_to(name, absent)
            if close:
                misspelt.setdefault(close[0], []).append(name)
                if not SHEET_BY_NAME[close[0]].required:
                    problems.append(Problem(_("sheet '{name}' is not an input sheet: {meant} Rename it (a sheet with "
                                              "another name is ignored)", name=name, meant=did_you_mean(close)),
                                            path, name))
            else:
                notes.append(_("sheet '{name}' is not an input sheet: ignored", name=name))

    # settings first: the year columns of the other sheets depend on it
    order = ["settings"] + [s.name for s in SHEETS if s.name != "settings"]
    years: list[int] = []
    for sheet_name in order:
        spec = SHEET_BY_NAME[sheet_name]
        rows = raw.get(sheet_name)
        if rows is None:
            if spec.required:
                near = misspelt.get(sheet_name, [])
                hint = (_("; sheet '{near}' looks like it: rename it to '{name}'", near=near[0], name=sheet_name)
                        if near else "")
                problems.append(Problem(_("required sheet is missing") + hint, path, sheet_name))
            continue
        if sheet_name != "settings" and not years:
            years = year_columns_needed(tables)
        header = rows[0] if rows else ()
        columns: dict[object, int] = {}
        for c, h in enumerate(header):
            key = _header_key(h)
            if key is None or key == "":
                continue
            if key in columns:
                problems.append(
                    Problem(_("duplicate column header '{header}' (also column {letter})", header=h,
                              letter=_column_letter(columns[key])),
                            path, sheet_name, 1, str(key))
                )
                continue
            columns[key] = c
        # A header close to a column the sheet lacks is that column, misspelt: an error naming it (were it
        # ignored, the plan would silently use the column's default).
        known = {c.name for c in spec.columns}
        lacking = [c.name for c in spec.columns if c.name not in columns]
        named: set = set()  # lacking columns some header is taken to mean
        for key in columns:
            if (isinstance(key, int) and spec.year_columns) or key in known:
                continue
            close = close_to(key, lacking)
            if close:
                named.add(close[0])
                problems.append(Problem(_("column '{name}' is not an input column: {meant} Rename the header (a "
                                          "column with another name is ignored)", name=key, meant=did_you_mean(close)),
                                        path, sheet_name, 1, str(key)))
            else:
                notes.append(_("sheet '{sheet}': column '{name}' is not an input column: ignored", sheet=sheet_name,
                               name=key))
        # A missing column is one problem on row 1, not one "blank cell" per row as well.
        absent: set = set()
        for col in spec.columns:
            if col.required and col.name not in columns:
                if col.name not in named:
                    problems.append(Problem(_("required column is missing"), path, sheet_name, 1, col.name))
                absent.add(col.name)
        wanted_years: list[int] = []
        required, further = spec.years_to_read(years, [k for k in columns if isinstance(k, int)])
        for y in required:
            if y not in columns:
                problems.append(Problem(_("year column {year} is missing (years {first}–{last} are needed)", year=y,
                                          first=years[0], last=years[-1]),
                                        path, sheet_name, 1, str(y)))
                absent.add(y)
            else:
                wanted_years.append(y)
        wanted_years += further
        table = []
        for r, row in enumerate(rows[1:], start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row) or is_comment(row):
                continue  # blank, or a comment row (first cell '#…': an example of the template, a note)
            out = {"_row": r, "_bad": set(absent)} if absent else {"_row": r}
            for col in spec.columns:
                c = columns.get(col.name)
                if c is None:
                    continue
                cell = row[c] if c < len(row) else None
                if isinstance(cell, _Uncalculated):
                    problems.append(Problem(
                        _("holds the formula {formula!r} that was never calculated: open and save the workbook in "
                          "Excel or LibreOffice so its values are stored", formula=str(cell)), path, sheet_name, r,
                        col.name))
                    out.setdefault("_bad", set()).add(col.name)
                    continue
                value, err = _parse_cell(cell, col.type, col.check)
                if err:
                    problems.append(Problem(err, path, sheet_name, r, col.name))
                    out.setdefault("_bad", set()).add(col.name)
                    continue
                out[col.name] = value
            for y in wanted_years:
                c = columns[y]
                cell = row[c] if c < len(row) else None
                if isinstance(cell, _Uncalculated):
                    problems.append(Problem(
                        _("holds the formula {formula!r} that was never calculated: open and save the workbook in "
                          "Excel or LibreOffice so its values are stored", formula=str(cell)), path, sheet_name, r,
                        str(y)))
                    out.setdefault("_bad", set()).add(y)
                    continue
                value, err = _parse_cell(cell, "float")
                if err:
                    problems.append(Problem(err, path, sheet_name, r, str(y)))
                    out.setdefault("_bad", set()).add(y)
                    continue
                out[y] = value
            table.append(out)
        tables[sheet_name] = table
        if sheet_name == "settings":
            _check_setting_keys(table, path, problems, notes)
    return tables, problems, notes


def _check_setting_keys(table: list[dict], path: str, problems: list[Problem], notes: list[str]) -> None:
    """A key close to a setting the sheet lacks is an error naming it; a retired or unknown key is a note."""
    given = {str(r.get("key") or "").strip().lower() for r in table}
    lacking = [k for k in SETTINGS_KEYS if k not in given]
    for r in table:
        key = str(r.get("key") or "").strip().lower()
        if not key or key in SETTINGS_KEYS:
            continue
        if key in RETIRED_SETTINGS:
            notes.append(_("setting '{key}' is no longer used: {why}; ignored", key=key, why=_(RETIRED_SETTINGS[key])))
            continue
        close = close_to(key, lacking)
        if close:
            problems.append(Problem(_("setting '{key}' is not a setting: {meant} Correct the key (a key with another "
                                      "name is ignored)", key=key, meant=did_you_mean(close)), path, "settings",
                                    r["_row"], "key"))
        else:
            notes.append(_("setting '{key}' is not a setting: ignored", key=key))


def read_workbook(path: str | os.PathLike, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB) -> Workbook:
    """Read, check and validate an input (or plan) workbook.

    Raises :class:`InputError` with every problem found, each naming file,
    sheet, row and column.
    """
    path = str(path)
    check_package(path, max_unzipped_mb)
    raw, _formulas, notes = _load_raw(path)
    adopt(_language_setting(raw))  # the workbook's problems in its own language
    tables, problems, sheet_notes = parse_sheets(raw, path)
    notes += sheet_notes
    try:
        inp = to_input(tables)
    except InputError as exc:
        problems += exc.with_file(path).problems
        inp = None
    if problems:
        raise InputError(_dedupe(problems))
    return Workbook(input=inp, tables=tables, path=path, sha256=sha256_of(path), notes=notes)


def _language_setting(raw: dict[str, list[tuple]]) -> object:
    """The value of the settings sheet's ``language`` row, read before anything is validated (or None)."""
    rows = raw.get("settings") or []
    header = [_header_key(h) for h in (rows[0] if rows else ())]
    if "key" not in header or "value" not in header:
        return None
    k, v = header.index("key"), header.index("value")
    for row in rows[1:]:
        if len(row) > max(k, v) and str(row[k] or "").strip().lower() == "language":
            return row[v]
    return None


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen = set()
    out = []
    for p in problems:
        key = (p.sheet, p.row, p.column, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out

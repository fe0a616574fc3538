"""Stage 1: read and validate the input workbook.

Together with :mod:`optimiser.write` this is the workbook layer: the only
modules that import openpyxl. Every workbook is treated as untrusted: the file
is checked to be a real .xlsx package whose parts do not inflate past a limit
before any XML is parsed; openpyxl then parses it through defusedxml (no
entity expansion, no external entities); macros are never loaded.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .data import InputError, PlanInput, Problem
from .manifest import RESULT_SHEETS, RULES_RESULT_SHEETS, SHEET_BY_NAME, SHEETS, parse_value
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
        raise _fail(path, "file not found")
    if p.is_dir():
        raise _fail(path, "is a folder, expected an .xlsx workbook")
    try:
        with open(p, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror})") from None
    if not head:
        raise _fail(path, "is empty, expected an .xlsx workbook")
    if head == OLE2_MAGIC:
        raise _fail(
            path,
            "is password-protected (encrypted) or an old binary .xls workbook: "
            "save it without a password as .xlsx",
        )
    if not zipfile.is_zipfile(p):
        if head.startswith(b"PK"):
            raise _fail(path, "is a damaged or truncated zip package (an incomplete download or copy?): "
                              "get the workbook again")
        raise _fail(path, "is not an .xlsx workbook (not a zip package; a CSV or text file?): save it as .xlsx")
    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _fail(path, f"is a damaged zip package ({exc})") from None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _fail(path, "is a zip file but not an .xlsx workbook (no xl/workbook.xml part)")
    # The total first, so that the limit the user can set is what a refusal names.
    total = sum(info.file_size for info in infos)
    if total > max_unzipped_mb * 1e6:
        raise _fail(
            path,
            f"parts would inflate to {total / 1e6:.3g} MB, above the limit of {max_unzipped_mb:g} MB: refused "
            "as a possible zip bomb (raise the limit with --max-unzipped-mb if the workbook is genuine)",
        )
    for info in infos:
        if info.compress_size > 0 and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO and info.file_size > 1e6:
            raise _fail(
                path,
                f"part '{info.filename}' would inflate {info.file_size / info.compress_size:.0f}-fold "
                f"to {info.file_size / 1e6:.0f} MB: refused as a possible zip bomb",
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


def _load_raw(path: str) -> tuple[dict[str, list[tuple]], dict[str, set[tuple[int, int]]], list[str]]:
    """Cell values per sheet (lower-cased names) and the cells holding formulas.

    Only input sheets are read cell by cell; any other sheet (a plan's result
    sheets, a user's notes) is listed with no rows, so nothing in it can stop
    the workbook from being read.
    """
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
        raise _unreadable(path, exc) from None
    raw: dict[str, list[tuple]] = {}
    formulas: dict[str, set[tuple[int, int]]] = {}
    try:
        for ws in wb.worksheets:
            key = ws.title.strip().lower()
            if key in raw:
                raise _fail(path, f"two sheets are named '{ws.title}' (names are matched case-insensitively)")
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
                raise _unreadable(path, exc, ws, key, rows) from None
    finally:
        wb.close()
    if formulas:
        # Formulas: use the value Excel cached when it last calculated the workbook.
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_vba=False, keep_links=False)
        except Exception as exc:
            raise _unreadable(path, exc) from None
        try:
            for ws in wb.worksheets:
                key = ws.title.strip().lower()
                if key not in formulas:
                    continue
                try:
                    cached = [row for row in ws.iter_rows(values_only=True)]
                except Exception as exc:
                    raise _unreadable(path, exc, ws, key, raw[key]) from None
                rows = raw[key]
                for r, c in formulas[key]:
                    value = cached[r - 1][c] if r - 1 < len(cached) and c < len(cached[r - 1]) else None
                    row = list(rows[r - 1])
                    row[c] = _Uncalculated(rows[r - 1][c]) if value is None else value
                    rows[r - 1] = tuple(row)
        finally:
            wb.close()
    return raw, formulas, notes


def _unreadable(path: str, exc: BaseException, ws=None, sheet: str | None = None,
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
                f"contains XML entities or a DTD with entities ({type(e).__name__}), which a workbook never "
                "needs: refused as a possible entity-expansion or external-entity attack", path, sheet))
    root = causes[-1]
    detail = " ".join(f"{type(root).__name__}: {root}".split())[:200]
    if ws is None:
        return InputError(Problem(f"cannot be read as an .xlsx workbook ({detail})", path))
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    if isinstance(root, (ParseError, ExpatError)):
        return InputError(Problem(f"the sheet's XML is damaged ({detail}): repair or re-save the workbook",
                                  path, sheet))
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
                f"found '{match.group(1)}' in a cell stored as a number, expected a number: retype the value",
                path, sheet, row, column))
    return InputError(Problem(f"this part of the sheet cannot be read ({detail})", path, sheet, row, column))


def _locate(ws) -> tuple[int | None, int | None]:
    """The row and column (1-based) of the first cell of a read-only sheet that openpyxl cannot parse."""
    try:
        from openpyxl.worksheet._reader import WorkSheetParser

        with ws._get_source() as src:
            parser = WorkSheetParser(src, ws._shared_strings, data_only=ws.parent.data_only)
            try:
                for _ in parser.parse():
                    pass
            except Exception:
                return parser.row_counter or None, parser.col_counter or None
    except Exception:  # openpyxl internals changed: fall back to the row count
        return None, None
    return None, None


def _parse_cell(cell: object, type_: str) -> tuple[object, str | None]:
    """parse_value, with a readable message for a date where a number belongs."""
    import datetime as dt

    if type_ in ("float", "int") and isinstance(cell, (dt.date, dt.time, dt.timedelta)):
        shown = cell.date().isoformat() if isinstance(cell, dt.datetime) and cell.time() == dt.time(0) else str(cell)
        return None, f"found the date {shown}, expected a number (is the cell formatted as a date?)"
    return parse_value(cell, type_)


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
    for name in raw:
        if (name not in SHEET_BY_NAME and name not in RESULT_SHEETS + RULES_RESULT_SHEETS
                and not name.startswith("alternative")):
            notes.append(f"sheet '{name}' is not an input sheet: ignored")

    # settings first: the year columns of the other sheets depend on it
    order = ["settings"] + [s.name for s in SHEETS if s.name != "settings"]
    years: list[int] = []
    for sheet_name in order:
        spec = SHEET_BY_NAME[sheet_name]
        rows = raw.get(sheet_name)
        if rows is None:
            if spec.required:
                problems.append(Problem("required sheet is missing", path, sheet_name))
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
                    Problem(f"duplicate column header '{h}' (also column {_column_letter(columns[key])})",
                            path, sheet_name, 1, str(key))
                )
                continue
            columns[key] = c
        # A missing column is one problem on row 1, not one "blank cell" per row as well.
        absent: set = set()
        for col in spec.columns:
            if col.required and col.name not in columns:
                problems.append(Problem("required column is missing", path, sheet_name, 1, col.name))
                absent.add(col.name)
        known = {c.name for c in spec.columns}
        for key in columns:
            if isinstance(key, int) and spec.year_columns:
                continue
            if key not in known:
                notes.append(f"sheet '{sheet_name}': column '{key}' is not an input column: ignored")
        wanted_years: list[int] = []
        if spec.year_columns:
            for y in years:
                if y not in columns:
                    problems.append(Problem(f"year column {y} is missing (years {years[0]}–{years[-1]} are needed)",
                                            path, sheet_name, 1, str(y)))
                    absent.add(y)
                else:
                    wanted_years.append(y)
        table = []
        for r, row in enumerate(rows[1:], start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            out = {"_row": r, "_bad": set(absent)} if absent else {"_row": r}
            for col in spec.columns:
                c = columns.get(col.name)
                if c is None:
                    continue
                cell = row[c] if c < len(row) else None
                if isinstance(cell, _Uncalculated):
                    problems.append(Problem(
                        f"holds the formula {str(cell)!r} that was never calculated: open and save the "
                        "workbook in Excel or LibreOffice so its values are stored", path, sheet_name, r, col.name))
                    out.setdefault("_bad", set()).add(col.name)
                    continue
                value, err = _parse_cell(cell, col.type)
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
                        f"holds the formula {str(cell)!r} that was never calculated: open and save the "
                        "workbook in Excel or LibreOffice so its values are stored", path, sheet_name, r, str(y)))
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
    return tables, problems, notes


def read_workbook(path: str | os.PathLike, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB) -> Workbook:
    """Read, check and validate an input (or plan) workbook.

    Raises :class:`InputError` with every problem found, each naming file,
    sheet, row and column.
    """
    path = str(path)
    check_package(path, max_unzipped_mb)
    raw, _, notes = _load_raw(path)
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


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen = set()
    out = []
    for p in problems:
        key = (p.sheet, p.row, p.column, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# ---------------------------------------------------------------- plan workbooks read back (compare)

#: The result sheets a plan workbook must have for ``policymix compare`` to read it.
PLAN_SHEETS = ("summary", "measure plan", "instrument use", "resource use")


def read_plan_results(path: str | os.PathLike, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB) -> dict:
    """The results of a plan workbook written by ``policymix plan``, read back from its result sheets.

    Plain dicts (money M€, abatement Mt CO2-eq/yr, shares 0–1)::

        file, sha256, scenario, status ("target_met" | "target_not_met" | the sheet's words),
        public_cost_meur, objective_meur, input_file, input_sha256, overrides (list of str),
        targets      {year: {"required_mt", "abatement_mt", "shortfall_mt", "shadow_eur_per_t"}}
        instruments  {instrument_id: {"spend_meur", "public_cost_meur"}}   (over all years)
        measures     {measure_id: {"name", "status", "committed_share", "public_cost_meur",
                                   "subsidy_meur": {instrument_id: M€}}}
        shadow_prices {(limit, id, year): value}   limit: target, budget, period budget, resource,
                                                   and the single-measure limits the Summary lists
        shadow_units  {(limit, id, year): unit}

    The same package checks as for an input workbook run first; a workbook
    without the result sheets is refused with an :class:`InputError`.
    """
    path = str(path)
    check_package(path, max_unzipped_mb)
    import openpyxl  # the workbook layer
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_vba=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on damaged packages
        raise _unreadable(path, exc) from None
    try:
        names = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        missing = [s for s in PLAN_SHEETS if s not in names]
        if missing:
            raise _fail(path, "is not a plan workbook: it has no result sheet " + ", ".join(f"'{s.capitalize()}'" for s in missing)
                        + " (compare reads the result sheets of a workbook written by policymix plan)")
        sheets = {}
        for key in PLAN_SHEETS + ("about",):
            ws = names.get(key)
            if ws is None:
                continue
            try:
                sheets[key] = [tuple(r) for r in ws.iter_rows(values_only=True)]
            except Exception as exc:
                raise _unreadable(path, exc, ws, key) from None
    finally:
        wb.close()
    try:
        plan = _plan_from_sheets(sheets)
    except _NotAPlan as exc:
        raise _fail(path, f"is not a plan workbook ({exc}): compare reads the result sheets of a workbook "
                          "written by policymix plan") from None
    plan.update(file=Path(path).name, path=path, sha256=sha256_of(path))
    return plan


class _NotAPlan(Exception):
    pass


def _norm(value) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


def _pairs(rows: list[tuple]) -> dict[str, object]:
    """Label (column A) → value (column B) of a sheet's label/value rows."""
    out: dict[str, object] = {}
    for r in rows:
        if r and r[0] is not None and len(r) > 1 and _norm(r[0]) not in out:
            out[_norm(r[0])] = r[1]
    return out


def _tables(rows: list[tuple], first: str) -> list[tuple[list[str], list[tuple]]]:
    """Every table whose header row starts with ``first``: (headers, rows up to the next blank row)."""
    found = []
    k = 0
    while k < len(rows):
        r = rows[k]
        if r and _norm(r[0]) == first:
            headers = [_norm(h) for h in r]
            body = []
            k += 1
            while k < len(rows) and rows[k] and any(v is not None and v != "" for v in rows[k]):
                body.append(rows[k])
                k += 1
            found.append((headers, body))
        k += 1
    return found


def _col(headers: list[str], sheet: str, *, exact: str | None = None, prefix: str | None = None) -> int:
    for c, h in enumerate(headers):
        if (exact is not None and h == exact) or (prefix is not None and h.startswith(prefix)):
            return c
    raise _NotAPlan(f"sheet '{sheet}' has no column '{exact or prefix + '…'}'")


def _cell(row: tuple, c: int):
    return row[c] if c < len(row) else None


def _number(value) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        number, err = parse_value(value, "float")
        if err or number is None:
            raise _NotAPlan(f"found {value!r} where a number belongs")
        return float(number)
    return float(value)


def _year(value):
    return int(value) if isinstance(value, (int, float)) and float(value).is_integer() else value


def _plan_from_sheets(sheets: dict[str, list[tuple]]) -> dict:
    summary = sheets["summary"]
    pairs = _pairs(summary)
    if "status" not in pairs or "total public cost (m€)" not in pairs:
        raise _NotAPlan("sheet 'Summary' has no status or total public cost")
    status_text = _norm(pairs["status"])
    status = {"every target met": "target_met", "target not met": "target_not_met"}.get(status_text, status_text)
    objective = next((v for k, v in pairs.items() if k.startswith("objective")), None)
    about = _pairs(sheets.get("about", []))
    overrides = str(about.get("overrides applied") or "")
    plan: dict = {
        "scenario": str(pairs.get("scenario") or ""),
        "status": status,
        "public_cost_meur": _number(pairs["total public cost (m€)"]),
        "objective_meur": _number(objective) if objective is not None else None,
        "input_file": str(about.get("input file") or pairs.get("input file") or ""),
        "input_sha256": str(about.get("input sha-256") or ""),
        "overrides": [] if overrides in ("", "none") else [o.strip() for o in overrides.split(";") if o.strip()],
        "targets": {}, "instruments": {}, "measures": {}, "shadow_prices": {}, "shadow_units": {},
    }
    shadow, units = plan["shadow_prices"], plan["shadow_units"]

    tables = _tables(summary, "target year")
    if not tables:
        raise _NotAPlan("sheet 'Summary' has no Targets table")
    headers, body = tables[0]
    c_req = _col(headers, "Summary", prefix="required reduction")
    c_abate = _col(headers, "Summary", prefix="abatement")
    c_short = _col(headers, "Summary", prefix="shortfall")
    c_shadow = _col(headers, "Summary", prefix="shadow price")
    for r in body:
        y = _year(r[0])
        plan["targets"][y] = {"required_mt": _number(_cell(r, c_req)), "abatement_mt": _number(_cell(r, c_abate)),
                              "shortfall_mt": _number(_cell(r, c_short)),
                              "shadow_eur_per_t": _number(_cell(r, c_shadow))}
        shadow[("target", "required reduction", y)] = _number(_cell(r, c_shadow))
        units[("target", "required reduction", y)] = "€ per t of annual abatement"
    # the binding limits the Summary lists (single-measure limits appear only there)
    for headers, body in _tables(summary, "limit"):
        if "id" not in headers:
            continue
        c_id, c_year = _col(headers, "Summary", exact="id"), _col(headers, "Summary", exact="year")
        c_val = _col(headers, "Summary", prefix="shadow price (")
        c_unit = _col(headers, "Summary", exact="shadow price unit")
        for r in body:
            key = (str(r[0]), str(_cell(r, c_id)), _year(_cell(r, c_year)))
            shadow.setdefault(key, _number(_cell(r, c_val)))
            units.setdefault(key, str(_cell(r, c_unit) or ""))

    rows = sheets["measure plan"]
    if not rows:
        raise _NotAPlan("sheet 'Measure plan' is empty")
    headers = [_norm(h) for h in rows[0]]
    c_id = _col(headers, "Measure plan", exact="measure id")
    c_name = _col(headers, "Measure plan", exact="name")
    c_status = _col(headers, "Measure plan", exact="status")
    c_share = _col(headers, "Measure plan", prefix="committed share by")
    c_cost = _col(headers, "Measure plan", exact="public cost (m€)")
    subsidy_cols = {}
    for c, h in enumerate(headers):
        if h.startswith("subsidy ") and h.endswith(" (m€)"):
            subsidy_cols[str(rows[0][c]).strip()[len("subsidy "):-len(" (M€)")]] = c
    for r in rows[1:]:
        if not r or _cell(r, c_id) in (None, ""):
            continue
        plan["measures"][str(r[c_id])] = {
            "name": str(_cell(r, c_name) or ""), "status": str(_cell(r, c_status) or ""),
            "committed_share": _number(_cell(r, c_share)), "public_cost_meur": _number(_cell(r, c_cost)),
            "subsidy_meur": {i: _number(_cell(r, c)) for i, c in subsidy_cols.items()},
        }

    tables = _tables(sheets["instrument use"], "instrument")
    if not tables:
        raise _NotAPlan("sheet 'Instrument use' has no table")
    for headers, body in tables:
        if "year" in headers:  # per instrument and year: spend and the budget's shadow price
            c_year, c_spend = _col(headers, "Instrument use", exact="year"), _col(headers, "Instrument use",
                                                                                   exact="spend (m€)")
            c_cost = _col(headers, "Instrument use", exact="public cost (m€)")
            c_sp = _col(headers, "Instrument use", prefix="shadow price")
            for r in body:
                i = str(r[0])
                entry = plan["instruments"].setdefault(i, {"spend_meur": 0.0, "public_cost_meur": 0.0})
                entry["spend_meur"] += _number(_cell(r, c_spend))
                entry["public_cost_meur"] += _number(_cell(r, c_cost))
                key = ("budget", i, _year(_cell(r, c_year)))
                shadow[key] = _number(_cell(r, c_sp))
                units[key] = "M€ per M€"
        elif any(h.startswith("shadow price of period budget") for h in headers):
            c_sp = _col(headers, "Instrument use", prefix="shadow price of period budget")
            for r in body:
                if _cell(r, c_sp) is None:
                    continue  # no period budget
                key = ("period budget", str(r[0]), None)
                shadow[key] = _number(_cell(r, c_sp))
                units[key] = "M€ per M€"

    rows = sheets["resource use"]
    tables = _tables(rows, "resource")
    for headers, body in tables:
        c_unit, c_year = _col(headers, "Resource use", exact="unit"), _col(headers, "Resource use", exact="year")
        c_sp = _col(headers, "Resource use", prefix="shadow price")
        for r in body:
            key = ("resource", str(r[0]), _year(_cell(r, c_year)))
            shadow[key] = _number(_cell(r, c_sp))
            units[key] = f"M€ per {_cell(r, c_unit) or 'unit'}"
    return plan

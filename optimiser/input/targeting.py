"""What an override's target SHEET:ID:COLUMN means: which rows, which columns (docs/model.md section 8).

The one home of override targeting: scenarios (sheet ``scenarios``), command-line overrides (``--set``,
``--scale``, ``--add``, ``--shift``, ``settings:KEY``), sweeps (``--vary``) and the uncertainty sheet all
find their cells with :func:`select`, so the same target means the same cells everywhere. It reads the
tables (the typed sheets) and changes nothing; :mod:`optimiser.input.scenario` writes the values.

- SHEET: an input sheet, case-insensitively; not ``scenarios`` or ``uncertainty`` (:data:`NOT_OVERRIDABLE`),
  which hold overrides themselves.
- ID: a row's id (:func:`row_id`): the sheet's id column, or its composite id joined by '/' (usage
  ``MEASURE_ID/RESOURCE_ID``, committed ``MEASURE_ID/YEAR``: ``manifest.Sheet.composite_id``); for
  settings the key, case-insensitively. Ids match exactly, or as a shell pattern (``*``, ``?``, ``[…]``)
  when no row has exactly that id: ``cash_limits:*:2028`` is the row of all instruments, ``?*`` every row.
- COLUMN: a column name (case-insensitive) or a year, also as a shell pattern. A pattern matches only
  the columns the operation applies to (:data:`CHANGES`): set changes every column but the id columns,
  scale and add numbers and year columns, shift year columns only. For settings the column is ``value``.
- A ``set`` of one plain year on a sheet with open year columns (``Sheet.year_span`` "any": cash_limits;
  "outlook": prices after target_year) adds that year to the rows; on a sheet whose rows are optional per
  id (cash_limits) a ``set`` with a plain id adds the row where there is none.

A target that names no sheet, row or column raises :class:`TargetError` naming the part that is wrong
("sheet", "id", "column" or "op"), with a did-you-mean hint where one exists.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

from ..lang import _
from .hints import close_to, did_you_mean
from .manifest import SETTINGS_KEYS, SHEET_BY_NAME, Sheet, parse_value

#: Sheets an override cannot change: they hold overrides themselves.
NOT_OVERRIDABLE = ("scenarios", "uncertainty")
#: The sheets an override can change, in the manifest's order.
OVERRIDABLE: tuple[str, ...] = tuple(s for s in SHEET_BY_NAME if s not in NOT_OVERRIDABLE)
#: The operations of an override, and the column types each may change (year columns: every op).
CHANGES: dict[str, tuple[str, ...]] = {
    "set": ("str", "float", "int", "bool", "ids", "numbers", "any"),
    "scale": ("float", "int", "any"),
    "add": ("float", "int", "any"),
    "shift": (),
}
OPS: tuple[str, ...] = tuple(CHANGES)
#: The column a setting is changed in.
SETTING_VALUE = "value"


class TargetError(Exception):
    """A target that names nothing: ``part`` is the part that is wrong (sheet, id, column or op)."""

    def __init__(self, message: str, part: str):
        super().__init__(message)
        self.message, self.part = message, part


@dataclass
class Selection:
    """The cells a target names: per row, its columns (names, or ints for year columns).

    ``new_rows`` are rows the change adds to the sheet (they are among ``cells`` but not yet in the table);
    for settings, ``keys`` are the settings named.
    """

    sheet: str
    cells: list[tuple[dict, list]] = field(default_factory=list)
    new_rows: list[dict] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    @property
    def types(self) -> set[str]:
        """The types of the columns (or settings) named: a year column holds a number."""
        if self.keys:
            return {SETTINGS_KEYS[k].type for k in self.keys}
        spec = SHEET_BY_NAME[self.sheet]
        return {spec.column(c).type if isinstance(c, str) else "float" for _row, cols in self.cells for c in cols}


def sheet_of(name: str) -> str:
    """The overridable sheet ``name`` names (case-insensitive), else :class:`TargetError` (part "sheet")."""
    sheet = str(name).strip().lower()
    if sheet not in OVERRIDABLE:
        close = close_to(sheet, OVERRIDABLE)
        raise TargetError(_("unknown sheet '{sheet}', expected one of {known}", sheet=name, known=", ".join(OVERRIDABLE))
                          + (f" ({did_you_mean(close)})" if close else ""), "sheet")
    return sheet


#: The columns that name a row of each sheet (one, or a composite id's).
_ID_COLUMNS: dict[str, tuple[str, ...]] = {name: spec.id_columns for name, spec in SHEET_BY_NAME.items()}


def row_id(sheet: str, row: dict) -> str:
    """The id an override's ID is matched against (composite ids joined by '/'; settings: the key)."""
    if sheet == "settings":
        return str(row.get("key", "")).strip().lower()
    columns = _ID_COLUMNS[sheet]
    if len(columns) == 1:
        return str(row.get(columns[0]))
    return "/".join([str(row.get(c)) for c in columns])


def is_pattern(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def matching_rows(sheet: str, rows: list[dict], ident: str) -> list[dict]:
    """The rows ``ident`` names: the row(s) whose id it is, else those its shell pattern matches."""
    ids = [row_id(sheet, r) for r in rows]
    exact = [r for r, i in zip(rows, ids) if i == ident]
    if exact or not is_pattern(ident):
        return exact
    match = re.compile(fnmatch.translate(ident)).match
    return [r for r, i in zip(rows, ids) if match(i)]


def select(tables: dict, sheet: str, ident: str, column: str, op: str) -> Selection:
    """The cells SHEET:ID:COLUMN names for operation ``op`` in ``tables`` (nothing is changed)."""
    sheet = sheet_of(sheet)
    if op not in CHANGES:
        raise TargetError(_("unknown operation '{op}', expected set, scale, add or shift", op=op), "op")
    ident, column = str(ident).strip(), str(column).strip()
    if sheet == "settings":
        return _settings(ident, column, op)
    spec = SHEET_BY_NAME[sheet]
    if op == "shift" and not spec.year_columns:
        raise TargetError(_("shift moves a year series; sheet '{sheet}' has no year columns (use set or add)",
                            sheet=sheet), "op")
    rows = tables.get(sheet, [])
    hits = matching_rows(sheet, rows, ident)
    new_year = _new_year(spec, column, op, tables)
    chosen = Selection(sheet)
    plain = bool(spec.id_column) and (not is_pattern(ident) or ident in spec.column(spec.id_column).also)
    if not hits and new_year is not None and spec.year_span == "any" and plain:
        new = {"_row": None, spec.id_column: ident}
        hits, chosen.new_rows = [new], [new]
    if not hits:
        close = close_to(ident, sorted({row_id(sheet, r) for r in rows}))
        raise TargetError(_("no row of sheet '{sheet}' has an id matching '{id}'", sheet=sheet, id=ident)
                          + (f" ({did_you_mean(close)})" if close else ""), "id")
    named, refused = _named_columns(spec, column, op)
    match = re.compile(fnmatch.translate(column.lower())).match
    years_of: dict[tuple, list] = {}  # the rows of a sheet mostly share their year columns
    for row in hits:
        years = tuple(sorted(k for k in row if isinstance(k, int)))
        if years not in years_of:
            opened = years + ((new_year,) if new_year is not None and new_year not in years else ())
            years_of[years] = [y for y in opened if match(str(y))]
        columns = named + years_of[years]
        if columns:
            chosen.cells.append((row, columns))
    if not chosen.cells:
        raise TargetError(_no_column(spec, column, op, refused), "column")
    return chosen


def _settings(key: str, column: str, op: str) -> Selection:
    keys = [k for k in SETTINGS_KEYS if fnmatch.fnmatchcase(k, key.lower())]
    if not keys:
        close = close_to(key, SETTINGS_KEYS)
        hint = did_you_mean(close) if close else _("expected one of {keys}", keys=", ".join(SETTINGS_KEYS))
        raise TargetError(_("unknown setting '{key}': {hint}", key=key, hint=hint), "id")
    if op == "shift":
        raise TargetError(_("shift moves a year series; a setting is a single value (use set or add)"), "op")
    if not fnmatch.fnmatchcase(SETTING_VALUE, column.lower()):
        raise TargetError(_("a setting is changed in column 'value', found '{column}'", column=column), "column")
    text = [k for k in keys if SETTINGS_KEYS[k].type not in CHANGES[op]]
    if text:
        raise TargetError(_("setting '{key}' is not a number: {op} cannot change it (use set)", key=text[0], op=op),
                          "op")
    return Selection("settings", keys=keys)


def _named_columns(spec: Sheet, pattern: str, op: str) -> tuple[list, list]:
    """(the named columns matching ``pattern`` that ``op`` changes, those matching that it cannot); ids never."""
    pat = pattern.lower()
    allowed, refused = [], []
    for col in spec.columns:
        if col.name in spec.id_columns or not fnmatch.fnmatchcase(col.name, pat):
            continue
        (allowed if col.type in CHANGES[op] else refused).append(col.name)
    return allowed, refused


def _no_column(spec: Sheet, pattern: str, op: str, refused: list) -> str:
    if op == "shift":
        if refused:
            return _("shift moves a year series; column '{column}' is not a year column (use set or add, or a pattern "
                     "of years such as 20*)", column=refused[0])
        return _("shift moves a year series; no year column of sheet '{sheet}' matches '{column}' (20* is every "
                 "year)", sheet=spec.name, column=pattern)
    if refused:
        why = _(" ('{column}' is not a number)", column=refused[0])
    else:
        close = close_to(pattern, [c.name for c in spec.columns if c.name not in spec.id_columns])
        why = f" ({did_you_mean(close)})" if close else ""
    return _("no column of sheet '{sheet}' matching '{column}' can be changed with {op}", sheet=spec.name,
             column=pattern, op=op) + why


def _new_year(spec: Sheet, column: str, op: str, tables: dict) -> int | None:
    """The year a ``set`` of one plain year adds on a sheet with open year columns (None: none)."""
    if op != "set" or spec.year_span == "horizon" or not (column.isdigit() and len(column) == 4):
        return None
    year = int(column)
    if spec.year_span == "any":
        return year
    settings = {str(r.get("key", "")).strip().lower(): r.get("value") for r in tables.get("settings", [])}
    target = parse_value(settings.get("target_year"), "int")[0]
    return year if target is not None and year > target else None

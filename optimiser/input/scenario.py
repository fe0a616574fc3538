"""Stage 2: apply scenario overrides to the loaded input.

An override is ``op`` (set, scale or add) with a value on SHEET:ID:COLUMN
(``settings:KEY`` for settings). ID and COLUMN accept shell-style wildcards;
sheet and column names match case-insensitively, ids exactly. Overrides act on
the typed tables and the result is validated again by the same rules as a
workbook, so an override can never produce an input a workbook could not.

Ids per sheet: measures → measure_id, instruments → instrument_id, budgets →
instrument_id, resources → resource_id, prices → parameter, targets → year,
usage → ``MEASURE_ID/RESOURCE_ID``, committed → ``MEASURE_ID/YEAR``,
cash_limits → instrument_id (``*``: all instruments). An ID that is exactly
some row's id names that row only (so ``cash_limits:*:2028`` is the row of all
instruments, not every row; ``?*`` matches every row). A wildcard COLUMN
matches the columns the operation applies to: numbers (and year columns) for
scale and add, every column but the id for set.

A ``set`` of one year (a plain year as COLUMN) on a sheet whose year columns
are open — cash_limits, and the price outlook after target_year — adds that
year where the row lacks it; on cash_limits a ``set`` with a plain id (an
instrument id or ``*``) adds the row where there is none, so
``--set cash_limits:*:2028=1500`` works on a workbook without cash limits.
"""

from __future__ import annotations

import copy
import fnmatch
import re

from .data import InputError, PlanInput, Problem, ScenarioRow
from .manifest import ALL_INSTRUMENTS, SETTINGS_KEYS, SHEET_BY_NAME, parse_value
from .tables import Tables, to_input, to_tables

OPS = ("set", "scale", "add")
_SPEC = re.compile(r"^(?P<target>[^=]+)=(?P<value>.*)$")


def parse_override(op: str, text: str) -> ScenarioRow:
    """Parse a command-line override ``SHEET:ID:COLUMN=VALUE`` (or ``settings:KEY=VALUE``)."""
    m = _SPEC.match(text.strip())
    where = f"--{op} {text}"
    if not m:
        raise InputError(Problem(f"{where}: expected SHEET:ID:COLUMN=VALUE"))
    parts = m.group("target").split(":")
    value, _ = parse_value(m.group("value"), "any")
    if len(parts) == 2 and parts[0].strip().lower() == "settings":
        return ScenarioRow("command line", "settings", parts[1].strip(), "value", op, value)
    if len(parts) != 3 or not all(p.strip() for p in parts):
        raise InputError(Problem(f"{where}: expected SHEET:ID:COLUMN=VALUE (or settings:KEY=VALUE)"))
    return ScenarioRow("command line", parts[0].strip(), parts[1].strip(), parts[2].strip(), op, value)


def _row_id(sheet: str, row: dict) -> str:
    if sheet == "usage":
        return f"{row.get('measure_id')}/{row.get('resource_id')}"
    if sheet == "committed":
        return f"{row.get('measure_id')}/{row.get('year')}"
    if sheet == "settings":
        return str(row.get("key", "")).strip().lower()
    return str(row.get(SHEET_BY_NAME[sheet].id_column))


def _columns(sheet: str, row: dict, pattern: str, op: str) -> list:
    spec = SHEET_BY_NAME[sheet]
    names: list = []
    for col in spec.columns:
        if col.name == spec.id_column or (sheet == "usage" and col.name in ("measure_id", "resource_id")) \
                or (sheet == "committed" and col.name in ("measure_id", "year")):
            continue
        if op != "set" and col.type not in ("float", "int", "any"):
            continue
        names.append(col.name)
    names += [k for k in row if isinstance(k, int)]
    pat = pattern.lower()
    return [n for n in names if fnmatch.fnmatchcase(str(n).lower(), pat)]


def _apply_one(tables: Tables, o: ScenarioRow) -> list[Problem]:
    where = o.spec() + (f" (scenario '{o.scenario}')" if o.row else "")
    sheet = o.sheet.strip().lower()
    if sheet not in SHEET_BY_NAME or sheet == "scenarios":
        known = ", ".join(s for s in SHEET_BY_NAME if s != "scenarios")
        return [Problem(f"{where}: unknown sheet '{o.sheet}', expected one of {known}")]
    if o.op not in OPS:
        return [Problem(f"{where}: unknown operation '{o.op}', expected set, scale or add")]
    if o.op in ("scale", "add") and (isinstance(o.value, bool) or not isinstance(o.value, (int, float))):
        return [Problem(f"{where}: {o.op} needs a number, found {o.value!r}")]
    rows = tables.setdefault(sheet, [])
    if sheet == "settings":
        key = o.id.strip().lower()
        matches = [k for k in SETTINGS_KEYS if fnmatch.fnmatchcase(k, key)]
        if not matches:
            return [Problem(f"{where}: unknown setting '{o.id}', expected one of {', '.join(SETTINGS_KEYS)}")]
        for k in matches:
            row = next((r for r in rows if str(r.get("key", "")).strip().lower() == k), None)
            if row is None:
                default = SETTINGS_KEYS[k].default
                row = {"_row": None, "key": k, "value": default}
                rows.append(row)
            before = row.get("value")
            problem = _change(row, "value", o, where, SETTINGS_KEYS[k].type)
            if problem:
                return [problem]
            if k == "target_reduction_mt":
                _sync_target_row(tables, row["value"])
            if k == "target_year":
                _move_target_row(tables, before, row["value"])
        return []
    hit_row = hit_col = False
    pattern = o.id.strip()
    exact = [row for row in rows if _row_id(sheet, row) == pattern]
    targets = exact or [row for row in rows if fnmatch.fnmatchcase(_row_id(sheet, row), pattern)]
    new_year = _new_year(sheet, o)
    if not targets and new_year is not None and sheet == "cash_limits" and (
            pattern == ALL_INSTRUMENTS or not _is_pattern(pattern)):
        targets = [{"_row": None, "instrument_id": pattern}]
        rows.append(targets[0])
    for row in targets:
        hit_row = True
        if new_year is not None and new_year not in row and _opens(sheet, new_year, tables):
            row[new_year] = None  # the year is added, then set below
        for col in _columns(sheet, row, o.column.strip(), o.op):
            hit_col = True
            col_spec = SHEET_BY_NAME[sheet].column(col) if isinstance(col, str) else None
            problem = _change(row, col, o, where, col_spec.type if col_spec else "float")
            if problem:
                return [problem]
    if not hit_row:
        return [Problem(f"{where}: no row of sheet '{sheet}' has an id matching '{o.id}'")]
    if sheet == "targets":
        _sync_target_setting(tables)
    if not hit_col:
        return [Problem(f"{where}: no column of sheet '{sheet}' matching '{o.column}' can be changed with {o.op}")]
    return []


def _is_pattern(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _new_year(sheet: str, o: ScenarioRow) -> int | None:
    """The year a ``set`` names on a sheet with open year columns (None: not such an override)."""
    spec = SHEET_BY_NAME[sheet]
    column = o.column.strip()
    if o.op != "set" or spec.year_span == "horizon" or not (column.isdigit() and len(column) == 4):
        return None
    return int(column)


def _opens(sheet: str, year: int, tables: Tables) -> bool:
    """Whether a year column may be added: any year of cash_limits, a year after target_year of prices."""
    if SHEET_BY_NAME[sheet].year_span == "any":
        return True
    settings = {str(r.get("key", "")).strip().lower(): r.get("value") for r in tables.get("settings", [])}
    target, _ = parse_value(settings.get("target_year"), "int")
    return target is not None and year > target


def _change(row: dict, col, o: ScenarioRow, where: str, type_: str) -> Problem | None:
    if o.op == "set":
        value, err = parse_value(o.value, "str" if type_ == "ids" else type_)
        if err:
            return Problem(f"{where}: {err}")
        if type_ == "ids":
            value = tuple(p.strip() for p in str(value or "").split(";") if p.strip())
        row[col] = value
        return None
    current = row.get(col)
    if current is None:
        return Problem(f"{where}: column '{col}' is blank in that row; {o.op} needs a number there")
    if isinstance(current, str):
        number, err = parse_value(current, "float")
        if err or number is None:
            return Problem(f"{where}: column '{col}' holds {current!r}, not a number")
        current = number
    new = current * o.value if o.op == "scale" else current + o.value
    if type_ == "int":
        if not float(new).is_integer():
            return Problem(f"{where}: column '{col}' must stay a whole number, {o.op} gives {new:g}")
        new = int(new)
    row[col] = new
    return None


def _sync_target_row(tables: Tables, value: float) -> None:
    """A new target_reduction_mt also replaces a target_year row of the targets sheet."""
    target_year = None
    for r in tables.get("settings", []):
        if str(r.get("key", "")).strip().lower() == "target_year":
            target_year, _ = parse_value(r.get("value"), "int")
    for r in tables.get("targets", []):
        if r.get("year") == target_year:
            r["reduction_mt"] = value


def _move_target_row(tables: Tables, old_year, new_year) -> None:
    """A new target_year carries the old target year's row of the targets sheet with it."""
    old, _ = parse_value(old_year, "int")
    for r in tables.get("targets", []):
        if r.get("year") == old:
            r["year"] = new_year


def _sync_target_setting(tables: Tables) -> None:
    """A changed target_year row of the targets sheet also sets target_reduction_mt."""
    settings = {str(r.get("key", "")).strip().lower(): r for r in tables.get("settings", [])}
    target_year, _ = parse_value(settings.get("target_year", {}).get("value"), "int")
    for r in tables.get("targets", []):
        if r.get("year") == target_year and "target_reduction_mt" in settings:
            settings["target_reduction_mt"]["value"] = r.get("reduction_mt")


def scenario_rows(inp: PlanInput, name: str) -> list[ScenarioRow]:
    rows = [o for o in inp.scenarios if o.scenario == name]
    if not rows:
        known = sorted({o.scenario for o in inp.scenarios})
        hint = f"; known: {', '.join(known)}" if known else "; the workbook has no scenarios"
        raise InputError(Problem(f"--scenario {name}: unknown scenario{hint}"))
    return rows


def apply_overrides(inp: PlanInput, overrides: list[ScenarioRow]) -> PlanInput:
    """The input with the overrides applied in order, validated again."""
    if not overrides:
        return inp
    tables = copy.deepcopy(to_tables(inp))
    problems: list[Problem] = []
    for o in overrides:
        # an override from the scenarios sheet is named by its row there
        problems += [Problem(p.message, None, "scenarios", o.row) if o.row else p for p in _apply_one(tables, o)]
    if problems:
        raise InputError(problems)
    try:
        return to_input(tables)
    except InputError as exc:
        raise InputError(
            [Problem(f"after the overrides: {p.message}", None, p.sheet, p.row, p.column) for p in exc.problems]
        ) from None


def resolve(inp: PlanInput, scenario: str | None, cli: list[tuple[str, str]]) -> tuple[PlanInput, list[ScenarioRow]]:
    """Apply ``--scenario`` rows, then command-line overrides (op, text) in order."""
    overrides: list[ScenarioRow] = []
    problems: list[Problem] = []
    if scenario:
        try:
            overrides += scenario_rows(inp, scenario)
        except InputError as exc:
            problems += exc.problems
    for op, text in cli:
        try:
            overrides.append(parse_override(op, text))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    result = apply_overrides(inp, overrides)
    if scenario and not any(o.sheet == "settings" and o.id == "scenario_name" for o in overrides):
        from dataclasses import replace

        result = replace(result, settings=replace(result.settings, scenario_name=scenario))
    return result, overrides

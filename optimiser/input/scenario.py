"""Stage 2: apply scenario overrides to the loaded input.

An override is ``op`` (set, scale, add or shift) with a value on SHEET:ID:COLUMN
(``settings:KEY`` for settings). Which cells a target names — ids (composite
ones of usage and committed), wildcards, the columns each operation changes,
the years a ``set`` adds — is decided in one place,
:func:`optimiser.input.targeting.select`, for scenarios, the command line,
sweeps and the uncertainty sheet alike; this module writes the values.
``shift`` moves a year series k whole years later (:func:`shifted`: the value
in year t becomes the value of year t − k; before the first year, the first
year's value; a negative k moves it earlier, past the last year taking the last
year's value). Overrides act on the typed tables and the result is validated
again by the same rules as a workbook, so an override can never produce an
input a workbook could not.
"""

from __future__ import annotations

import copy
import re

from ..lang import _
from .data import InputError, PlanInput, Problem, ScenarioRow, every
from .hints import ambiguous, number_hint, round_thousands
from .manifest import SETTINGS_KEYS, SHEET_BY_NAME, Column, parse_value
from .tables import Tables, to_input, to_tables
from .targeting import OPS, TargetError, select

__all__ = ["OPS", "apply_overrides", "override_tag", "parse_override", "resolve", "scenario_rows", "shifted"]

_SPEC = re.compile(r"^(?P<target>[^=]+)=(?P<value>.*)$")


def parse_override(op: str, text: str) -> ScenarioRow:
    """Parse a command-line override ``SHEET:ID:COLUMN=VALUE`` (or ``settings:KEY=VALUE``)."""
    m = _SPEC.match(text.strip())
    where = f"--{op} {text}"
    if not m:
        raise InputError(Problem(_("{where}: expected SHEET:ID:COLUMN=VALUE", where=where)))
    parts = m.group("target").split(":")
    value = command_line_value(m.group("value"))
    if len(parts) == 2 and parts[0].strip().lower() == "settings":
        return ScenarioRow("command line", "settings", parts[1].strip(), "value", op, value)
    if len(parts) != 3 or not all(p.strip() for p in parts):
        raise InputError(Problem(_("{where}: expected SHEET:ID:COLUMN=VALUE (or settings:KEY=VALUE)", where=where)))
    return ScenarioRow("command line", parts[0].strip(), parts[1].strip(), parts[2].strip(), op, value)


def command_line_value(text: str) -> object:
    """A value typed on the command line: a number with a decimal point ('1.125' is 1.125, as in every program's
    options), else the text — '12.000' too, which a Dutch analyst means as twelve thousand
    (:func:`~optimiser.input.hints.round_thousands`): it is refused, with both readings, where a number belongs."""
    value = parse_value(text, "any")[0]
    if isinstance(value, str) and ambiguous(value) and not round_thousands(value):
        return float(value.strip().replace("\u2212", "-"))
    return value


def shifted(series: dict[int, object], k: int) -> dict[int, object]:
    """A year series k whole years later: the value in year t becomes the value of year t − k.

    Before the series' first year it takes the first year's value (a negative k moves the series earlier;
    past its last year it takes the last year's value). The same rule as MODEL.md section 14's ``shift``.
    """
    years = sorted(series)
    if not years:
        return {}
    first, last = years[0], years[-1]
    return {t: series[min(max(t - k, first), last)] for t in years}


def _apply_one(tables: Tables, o: ScenarioRow) -> list[Problem]:
    where = o.spec() + (_(" (scenario '{name}')", name=o.scenario) if o.row else "")
    try:
        chosen = select(tables, o.sheet, o.id, o.column, o.op)
    except TargetError as exc:
        return [Problem(f"{where}: {exc.message}")]
    if o.op in ("scale", "add", "shift") and (isinstance(o.value, bool) or not isinstance(o.value, (int, float))):
        return [Problem(_("{where}: {op} needs a number, found {value!r}", where=where, op=o.op, value=o.value)
                        + number_hint(o.value))]
    if o.op == "shift" and not float(o.value).is_integer():
        return [Problem(_("{where}: shift needs a whole number of years, found {value!r}", where=where,
                          value=o.value))]
    if chosen.sheet == "settings":
        return _apply_settings(tables, chosen.keys, o, where)
    spec = SHEET_BY_NAME[chosen.sheet]
    tables.setdefault(chosen.sheet, []).extend(chosen.new_rows)
    for row, columns in chosen.cells:
        if o.op == "shift":
            series = shifted({k: row[k] for k in row if isinstance(k, int)}, int(o.value))
            row.update({col: series[col] for col in columns})
            continue
        for col in columns:
            problem = _change(row, col, o, where, spec.column(col) if isinstance(col, str) else None)
            if problem:
                return [problem]
    if chosen.sheet == "targets":
        _sync_target_setting(tables)
    return []


def _apply_settings(tables: Tables, keys: list[str], o: ScenarioRow, where: str) -> list[Problem]:
    rows = tables.setdefault("settings", [])
    for k in keys:
        row = next((r for r in rows if str(r.get("key", "")).strip().lower() == k), None)
        if row is None:
            row = {"_row": None, "key": k, "value": SETTINGS_KEYS[k].default}
            rows.append(row)
        before = row.get("value")
        problem = _change(row, "value", o, where, SETTINGS_KEYS[k])
        if problem:
            return [problem]
        if k == "target_reduction_mt":
            _sync_target_row(tables, row["value"])
        if k == "target_year":
            _move_target_row(tables, before, row["value"])
    return []


def _change(row: dict, col, o: ScenarioRow, where: str, spec: Column | None) -> Problem | None:
    """Set, scale or add ``o.value`` in one cell; ``spec`` is its column (None: a year column of numbers)."""
    type_ = spec.type if spec else "float"
    if o.op == "set":
        value, err = parse_value(o.value, "str" if type_ == "ids" else type_, spec.check if spec else "")
        if err:
            return Problem(f"{where}: {err}")
        if type_ == "ids":
            value = tuple(p.strip() for p in str(value or "").split(";") if p.strip())
        row[col] = value
        return None
    current = row.get(col)
    if current is None:
        return Problem(_("{where}: column '{column}' is blank in that row; {op} needs a number there", where=where,
                         column=col, op=o.op))
    if isinstance(current, str):
        number, err = parse_value(current, "float")
        if err or number is None:
            return Problem(_("{where}: column '{column}' holds {value!r}, not a number", where=where, column=col,
                             value=current))
        current = number
    new = current * o.value if o.op == "scale" else current + o.value
    if type_ == "int":
        if not float(new).is_integer():
            return Problem(_("{where}: column '{column}' must stay a whole number, {op} gives {value}", where=where,
                         column=col, op=o.op, value=f"{new:g}"))
        new = int(new)
    row[col] = new
    return None


def _sync_target_row(tables: Tables, value: float) -> None:
    """A new target_reduction_mt also replaces a target_year row of the targets sheet."""
    target_year = None
    for r in tables.get("settings", []):
        if str(r.get("key", "")).strip().lower() == "target_year":
            target_year = parse_value(r.get("value"), "int")[0]
    for r in tables.get("targets", []):
        if r.get("year") == target_year:
            r["reduction_mt"] = value


def _move_target_row(tables: Tables, old_year, new_year) -> None:
    """A new target_year carries the old target year's row of the targets sheet with it."""
    old = parse_value(old_year, "int")[0]
    for r in tables.get("targets", []):
        if r.get("year") == old:
            r["year"] = new_year


def _sync_target_setting(tables: Tables) -> None:
    """A changed target_year row of the targets sheet also sets target_reduction_mt."""
    settings = {str(r.get("key", "")).strip().lower(): r for r in tables.get("settings", [])}
    target_year = parse_value(settings.get("target_year", {}).get("value"), "int")[0]
    for r in tables.get("targets", []):
        if r.get("year") == target_year and "target_reduction_mt" in settings:
            settings["target_reduction_mt"]["value"] = r.get("reduction_mt")


def scenario_rows(inp: PlanInput, name: str) -> list[ScenarioRow]:
    rows = [o for o in inp.scenarios if o.scenario == name]
    if not rows:
        known = sorted({o.scenario for o in inp.scenarios})
        hint = _("; known: {names}", names=", ".join(known)) if known else _("; the workbook has no scenarios")
        raise InputError(Problem(_("--scenario {name}: unknown scenario", name=name) + hint))
    return rows


def apply_overrides(inp: PlanInput, overrides: list[ScenarioRow], *, tables: Tables | None = None) -> PlanInput:
    """The input with the overrides applied in order, validated again.

    ``tables``: ``to_tables(inp)``, computed once by a caller that applies many lists of overrides to one
    input (futures); it is not changed — only the sheets the overrides touch are copied.
    """
    if not overrides:
        return inp
    if tables is None:
        tables = copy.deepcopy(to_tables(inp))
    else:
        touched = {o.sheet.strip().lower() for o in overrides}
        if touched & {"settings", "targets"}:
            touched |= {"settings", "targets"}  # a target setting and the targets sheet follow each other
        tables = {name: (copy.deepcopy(rows) if name in touched else rows) for name, rows in tables.items()}
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
            [Problem(_("after the overrides: {problem}", problem=p.message), None, p.sheet, p.row, p.column)
             for p in exc.problems]
        ) from None


def resolve(inp: PlanInput, scenario: str | None, cli: list[tuple[str, str]]) -> tuple[PlanInput, list[ScenarioRow]]:
    """Apply ``--scenario`` rows, then command-line overrides (op, text) in order."""
    calls = [lambda: scenario_rows(inp, scenario)] if scenario else []
    calls += [lambda op=op, text=text: [parse_override(op, text)] for op, text in cli]
    overrides = [o for rows in every(calls) for o in rows]  # every problem of every part at once
    result = apply_overrides(inp, overrides)
    if scenario and not any(o.sheet == "settings" and o.id == "scenario_name" for o in overrides):
        from dataclasses import replace

        result = replace(result, settings=replace(result.settings, scenario_name=scenario))
    return result, overrides


# ---------------------------------------------------------------- output names

#: Words left out of an override's name in a file name (units and the like): co2_price_eur_per_t → co2.
_UNIT_WORDS = {"eur", "per", "t", "mt", "meur", "years", "year", "price", "s", "pct", "kt"}
#: Most characters the overrides add to a default output name.
TAG_MAX = 48
_OP_MARK = {"set": "", "scale": "x", "add": "plus", "shift": "shift"}


def _safe(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9.]+", "-", text)).strip("-.")


def _tag_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _tag_name(text: str) -> str:
    words = [w for w in re.split(r"[_\s]+", text.replace("*", "").replace("?", "")) if w]
    kept = [w for w in words if w.lower() not in _UNIT_WORDS] or words[:1]
    return _safe("-".join(kept))


def _one_tag(op: str, text: str) -> str:
    try:
        o = parse_override(op, text)
    except InputError:
        return ""
    value = o.value
    if o.sheet.lower() == "settings":
        key = o.id.strip().lower()
        if isinstance(value, str) and not value.replace(".", "").isdigit():
            parsed = parse_value(value, "bool")[0]
            if parsed is True:
                return _safe(key)  # elastic=yes → elastic
            if parsed is False:
                return _safe(f"no-{key}")
            return _safe(value)  # objective=max-abatement → max-abatement
        name = _tag_name(key)
    else:
        column = "" if o.column.strip() in ("*", "") else o.column.strip()
        name = "-".join(p for p in (_tag_name(o.id), _tag_name(column)) if p)
    if op == "add" and isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        mark, value = "minus", -value
    else:
        mark = _OP_MARK.get(op, op)
    return _safe(f"{name}-{mark}{_tag_value(value)}" if name else f"{mark}{_tag_value(value)}")


def override_tag(cli: list[tuple[str, str]], limit: int = TAG_MAX) -> str:
    """A short name of command-line overrides for output file names: 'co2-130', 'grid-zeeland-shift2', …

    Each override gives the id (and column) without unit words, the operation (x: scale, plus/minus: add,
    shift) and the value; settings give their key (a yes/no setting only its name, a text setting its
    value). Past ``limit`` characters the rest is counted: '…-and-3-more'. The full list is on the About sheet.
    """
    tags = [t for t in (_one_tag(op, text) for op, text in cli) if t]
    out: list[str] = []
    for n, tag in enumerate(tags):
        rest = len(tags) - n - 1
        more = f"-and-{rest}-more" if rest else ""
        if len("-".join(out + [tag])) + len(more) > limit:
            out.append(f"and-{len(tags) - n}-more")
            break
        out.append(tag)
    return "-".join(out)

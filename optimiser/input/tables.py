"""Sheet tables ↔ the typed input object, with every validation rule of the contract.

A *table* is what a sheet holds once its cells are typed: a list of rows, each
a dict from manifest column name (or int year) to value, plus ``_row``, the
spreadsheet row it came from. The reader makes tables from a workbook, the
scenario stage edits tables, the plan writer writes them back: this module is
the one place where tables become a :class:`PlanInput` and back, and so the
one place where the value and reference rules live.
"""

from __future__ import annotations

from collections import defaultdict

from .data import (CashLimit, Committed, Fence, Instrument, InputError, Measure, PlanInput, Problem, Resource, ScenarioRow,
                   Settings, UncertainRow)
from ..lang import _
from .hints import close_to, did_you_mean, ids_hint
from .manifest import (DISTRIBUTIONS, SETTINGS_KEYS, SHEET_BY_NAME, SHEET_NAMES, SHEETS, check_value,
                       default_allocation, parse_payout, parse_value)
from .targeting import TargetError, select, sheet_of

Row = dict
Tables = dict[str, list[Row]]

CO2_PRICE = "co2_price_eur_per_t"

#: Largest size of any number, and of a measure's subsidy gap of full deployment (M€). Far beyond any
#: real input in the workbook's units (M€, Mt, €/t, MW, FTE …), and well inside what the solver accepts
#: (HiGHS refuses matrix values from 1e15 and treats costs from 1e20 as infinite): a larger number is a
#: unit mistake or a typo, and is refused here with its cell rather than by the solver without one.
MAX_MAGNITUDE = 1e12


def _too_large(v) -> str | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) > MAX_MAGNITUDE:
        return _("found {value}, expected a number between -1e12 and 1e12 (is the unit right?)", value=f"{v:g}")
    return None


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, message: str, sheet: str | None = None, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(message, None, sheet, row, column))


def _settings(tables: Tables, out: _Collector) -> Settings | None:
    values: dict[str, object] = {}
    seen: dict[str, int] = {}
    for r in tables.get("settings", []):
        key = r.get("key")
        if "key" in r.get("_bad", ()):
            continue  # unreadable (reported by the reader)
        if not key:
            out.add(_("blank key, expected a setting name"), "settings", r["_row"], "key")
            continue
        key_l = str(key).strip().lower()
        if key_l not in SETTINGS_KEYS:
            continue  # unknown keys are noted by the reader, not an error
        if key_l in seen:
            out.add(_("duplicate setting '{key}' (first on row {row})", key=key_l, row=seen[key_l]), "settings", r["_row"],
                    "key")
            continue
        seen[key_l] = r["_row"]
        if "value" in r.get("_bad", ()):
            continue  # unreadable (reported by the reader)
        col = SETTINGS_KEYS[key_l]
        raw = r.get("value")
        value, err = parse_value(raw, col.type, col.check)
        if err:
            out.add(_("setting '{key}': {problem}", key=key_l, problem=err), "settings", r["_row"], "value")
            continue
        if value is None:
            if col.required:
                out.add(_("setting '{key}' is blank, expected a value", key=key_l), "settings", r["_row"], "value")
            continue
        bad = (_too_large(value) or check_value(value, col.check)) if col.type in ("float", "int") else None
        if col.choices and str(value).strip().lower() not in col.choices:
            bad = _("found {value!r}, expected one of {choices}", value=value, choices=", ".join(col.choices))
        elif col.choices:
            value = str(value).strip().lower()
        if bad:
            out.add(_("setting '{key}': {problem}", key=key_l, problem=bad), "settings", r["_row"], "value")
            continue
        values[key_l] = value
    for key, col in SETTINGS_KEYS.items():
        if col.required and key not in values and key not in seen:
            out.add(_("required setting '{key}' is missing", key=key), "settings", None, "key")
    if any(k not in values for k, c in SETTINGS_KEYS.items() if c.required):
        return None
    start, target = values["start_year"], values["target_year"]
    if start > target:
        out.add(_("start_year {start} is after target_year {target}", start=start, target=target), "settings",
                seen["start_year"], "value")
        return None
    if target - start > 100:
        out.add(_("start_year {start} to target_year {target} spans more than 100 years", start=start, target=target),
                "settings", seen["target_year"], "value")
        return None
    kwargs = {k: values[k] for k in values}
    if "scenario_name" in kwargs:
        kwargs["scenario_name"] = str(kwargs["scenario_name"])
    return Settings(**kwargs)


def _check_row(sheet: str, r: Row, out: _Collector, ctx: dict) -> bool:
    """Blank required cells, value rules and references of the manifest; True when clean."""
    spec = SHEET_BY_NAME[sheet]
    ok = True
    unreadable = r.get("_bad", ())
    for col in spec.columns:
        if col.name in unreadable:
            ok = False
            continue
        v = r.get(col.name)
        if col.required and col.type != "ids" and (v is None or v == ""):
            out.add(_("blank cell, expected a value"), sheet, r["_row"], col.name)
            ok = False
            continue
        if col.type in ("float", "int") and v is not None:
            bad = _too_large(v) or check_value(v, col.check)
            if bad:
                out.add(bad, sheet, r["_row"], col.name)
                ok = False
        if col.type == "numbers" and v not in (None, "", ()):
            numbers, bad = _numbers(v)
            bad = bad or check_value(numbers, col.check)
            if bad:
                out.add(bad, sheet, r["_row"], col.name)
                ok = False
        if col.check == "payout" and v not in (None, ""):
            bad = parse_payout(v)[1]
            if bad:
                out.add(bad, sheet, r["_row"], col.name)
                ok = False
        if col.choices and v not in (None, "") and str(v).lower() not in col.choices:
            out.add(_("found {value!r}, expected one of {choices}", value=v, choices=", ".join(col.choices)), sheet,
                    r["_row"], col.name)
            ok = False
    return check_references(spec, r, ctx, out) and ok


def check_references(spec, r: Row, ctx: dict, out: _Collector) -> bool:
    """Every id the row names in a column that refers to another sheet (``Column.refers``) is in that sheet.

    One rule for every reference column, as the manifest declares them: the referred sheet's message for an
    unknown id (``Sheet.unknown``, or the column's own), with a hint — ids separated by ',' where ';'
    separates them, or the id meant. A required sheet that is missing is reported once, not per reference;
    an optional one that is missing has no ids. A column naming a sheet (:data:`SHEET_NAMES`) names one an
    override can change. True when every reference is known.
    """
    ok = True
    for col in spec.columns:
        value = r.get(col.name)
        if not col.refers or col.name in r.get("_bad", ()) or value in (None, "", ()):
            continue
        if col.refers == SHEET_NAMES:
            try:
                sheet_of(value)
            except TargetError as exc:
                out.add(exc.message, spec.name, r["_row"], col.name)
                ok = False
            continue
        target = SHEET_BY_NAME[col.refers]
        known = ctx["ids"].get(col.refers)
        if known is None and target.required:
            continue  # the missing sheet is reported once
        known = known or set()
        for ident in (value if col.type == "ids" else (value,)):
            if ident in known or ident in col.also:
                continue
            close = close_to(ident, sorted(str(k) for k in known if k is not None))
            hint = ids_hint(str(ident), known) or (f" ({did_you_mean(close)})" if close else "")
            out.add(_(col.unknown or target.unknown, id=ident, all=_(" or ").join(col.also)) + hint, spec.name,
                    r["_row"], col.name)
            ok = False
    return ok


def _numbers(v) -> tuple[tuple[float, ...], str | None]:
    """A ``numbers`` cell as a tuple (text such as "75;150;300" is parsed; blank is ())."""
    if v is None or v == "":
        return (), None
    if isinstance(v, tuple):
        return v, None
    parsed, err = parse_value(v, "numbers")
    return (parsed or ()), err


def _unique(sheet: str, rows: list[Row], out: _Collector) -> dict[str, Row]:
    """Rows by id; duplicate ids are problems (the later row is dropped)."""
    id_col = SHEET_BY_NAME[sheet].id_column
    by_id: dict[str, Row] = {}
    for r in rows:
        key = r.get(id_col)
        if key is None or key == "":
            continue  # reported as a blank required cell
        if key in by_id:
            out.add(_("duplicate id '{id}' (first on row {row})", id=key, row=by_id[key]["_row"]), sheet, r["_row"], id_col)
            continue
        by_id[key] = r
    return by_id


def _clean_rows(sheet: str, tables: Tables, ctx: dict, out: _Collector):
    """(id, row) of every row of a sheet with ids whose id is unique and whose cells pass the manifest's rules
    (the others are reported)."""
    for key, r in _unique(sheet, tables.get(sheet, []), out).items():
        if _check_row(sheet, r, out, ctx):
            yield key, r


def _year_values(sheet: str, r: Row, years: list[int], rule: str, out: _Collector,
                 optional: list[int] = ()) -> dict[int, float] | None:
    """The row's numbers in ``years`` (each required) and in ``optional`` years (a blank is left out)."""
    values: dict[int, float] = {}
    ok = True
    required = set(years)
    for y in list(years) + [y for y in optional if y not in required]:
        if y in r.get("_bad", ()):
            ok = False
            continue
        v = r.get(y)
        if v is None:
            if y not in required:
                continue
            out.add(_("blank cell, expected a number"), sheet, r["_row"], str(y))
            ok = False
            continue
        bad = _too_large(v) or check_value(v, rule)
        if bad:
            out.add(bad, sheet, r["_row"], str(y))
            ok = False
            continue
        values[y] = float(v)
    return values if ok else None


# ---------------------------------------------------------------- sheet → typed input, one reader per sheet
#
# Each reader takes the tables, what earlier readers found (``ctx``) and the problem collector, and
# returns what its sheet fills (manifest ``Sheet.fills``). The generic part — a record's fields from
# its columns, by the manifest's ``Column.fills`` — is :func:`_record`; what a reader adds is the
# rules that span rows or sheets.

def _record(sheet: str, r: Row, /, **extra):
    """The sheet's record type filled from row ``r`` by the manifest's column → field map.

    Blank cells take the column's default; ``extra`` sets (or overrides) fields a reader computes.
    """
    spec = SHEET_BY_NAME[sheet]
    kwargs = {}
    for col in spec.fields:
        v = r.get(col.name)
        if v is None or v == "":
            v = col.default
        if v is None and col.type == "str":
            v = ""
        kwargs[col.fills] = v
    kwargs.update(extra)
    if "row" in spec.record.__dataclass_fields__:
        kwargs.setdefault("row", r["_row"])
    return spec.record(**kwargs)


def _keep_source(sheet: str, key: str, r: Row, sources: dict) -> None:
    """A sheet whose values are plain numbers keeps each row's source text beside the input."""
    if r.get("source"):
        sources[(sheet, key)] = r["source"]


def _instruments(tables: Tables, ctx: dict, out: _Collector) -> dict[str, Instrument]:
    instruments: dict[str, Instrument] = {}
    for key, r in _clean_rows("instruments", tables, ctx, out):
        allocation = str(r.get("allocation") or "").strip().lower()
        phases = _numbers(r.get("phases_eur_per_t"))[0]
        effective = allocation or default_allocation(key, r.get("kind") or "")
        if phases and effective != "sde_round":
            out.add(_("phase ceilings apply to allocation sde_round only; this instrument's allocation is {allocation}",
                      allocation=effective) + ("" if allocation else _(" (from its id or kind)")),
                    "instruments", r["_row"], "phases_eur_per_t")
            continue
        instruments[key] = _record("instruments", r, allocation=allocation, phases_eur_per_t=tuple(phases),
                                   payout=parse_payout(r.get("payout"))[0])
    return instruments


def _measures(tables: Tables, ctx: dict, out: _Collector) -> dict[str, Measure]:
    settings = ctx["settings"]
    measures: dict[str, Measure] = {}
    for key, r in _unique("measures", tables.get("measures", []), out).items():
        ok = _check_row("measures", r, out, ctx)
        eligible = r.get("eligible_instruments") or ()
        if isinstance(eligible, str):
            eligible = parse_value(eligible, "ids")[0]
        eligible = tuple(eligible)
        if len(set(eligible)) != len(eligible):
            out.add(_("an instrument is listed twice"), "measures", r["_row"], "eligible_instruments")
            ok = False
        # an earliest_year after target_year is allowed: the measure simply cannot be committed in the horizon
        if not ok or settings is None:
            continue
        earliest = r.get("earliest_year")
        measures[key] = _record("measures", r, eligible_instruments=eligible,
                                earliest_year=settings.start_year if earliest is None else earliest,
                                lumpy=bool(parse_value(r.get("lumpy"), "bool")[0]))
    return measures


def _series(sheet: str, tables: Tables, ctx: dict, out: _Collector, rule: str) -> dict[str, dict[int, float]]:
    """A sheet of one row of yearly numbers per id (budgets, prices)."""
    values_by_id: dict[str, dict[int, float]] = {}
    for key, r in _clean_rows(sheet, tables, ctx, out):
        years = ctx["years"]
        later = sorted(k for k in r if isinstance(k, int) and years and (k < years[0] or k > years[-1])) \
            if SHEET_BY_NAME[sheet].year_span == "outlook" else []
        values = _year_values(sheet, r, years, rule, out, later)
        if values is not None:
            values_by_id[key] = dict(sorted(values.items()))
        _keep_source(sheet, key, r, ctx["sources"])
    return values_by_id


def _budgets(tables: Tables, ctx: dict, out: _Collector) -> dict[str, dict[int, float]]:
    budgets = _series("budgets", tables, ctx, out, ">=0")
    budget_rows = {r.get("instrument_id") for r in tables.get("budgets", [])}
    for key, inst in ctx["instruments"].items():
        if "budgets" in tables and key not in budget_rows:
            out.add(_("instrument '{id}' has no row in sheet 'budgets'", id=key), "instruments", inst.row, "instrument_id")
    return budgets


def _prices(tables: Tables, ctx: dict, out: _Collector) -> dict[str, dict[int, float]]:
    prices = _series("prices", tables, ctx, out, "")
    if "prices" in tables and CO2_PRICE not in {r.get("parameter") for r in tables["prices"]}:
        out.add(_("required row '{name}' is missing", name=CO2_PRICE), "prices", None, "parameter")
    # a measure's subsidy gap of full deployment, (c − p) · A · D, must stay a number the solver handles
    if CO2_PRICE in prices:
        lowest = min(prices[CO2_PRICE].values(), default=0.0)
        for m in ctx["measures"].values():
            gap = max(0.0, m.cost_eur_per_t - lowest) * m.abatement_mt * m.support_years
            if gap > MAX_MAGNITUDE:
                out.add(_("abatement_mt × (cost_eur_per_t − CO2 price) × support_years gives a subsidy gap of "
                          "{gap} M€, expected at most 1e12 M€ (is a unit wrong?)", gap=f"{gap:.3g}"), "measures", m.row,
                        "cost_eur_per_t")
    return prices


def _resources(tables: Tables, ctx: dict, out: _Collector) -> dict[str, Resource]:
    resources: dict[str, Resource] = {}
    for key, r in _clean_rows("resources", tables, ctx, out):
        values = _year_values("resources", r, ctx["years"], ">=0", out)
        if values is None:
            continue
        resources[key] = _record("resources", r, kind=str(r["kind"]).lower(), capacity=values)
    return resources


def _usage(tables: Tables, ctx: dict, out: _Collector) -> dict[tuple[str, str], float]:
    usage: dict[tuple[str, str], float] = {}
    first_row: dict[tuple[str, str], int] = {}
    for r in tables.get("usage", []):
        ok = _check_row("usage", r, out, ctx)
        m, res = r.get("measure_id"), r.get("resource_id")
        if m and res and (m, res) in first_row:
            out.add(_("duplicate usage of '{resource}' by '{measure}' (first on row {row})", resource=res, measure=m,
                      row=first_row[(m, res)]), "usage", r["_row"], "resource_id")
            ok = False
        if not ok:
            continue
        first_row[(m, res)] = r["_row"]
        usage[(m, res)] = r["amount"]
        _keep_source("usage", f"{m}/{res}", r, ctx["sources"])
    return usage


def _targets(tables: Tables, ctx: dict, out: _Collector) -> dict[int, float]:
    settings = ctx["settings"]
    targets: dict[int, float] = {}
    for key, r in _clean_rows("targets", tables, ctx, out):
        if settings and not (settings.start_year <= key <= settings.target_year):
            out.add(
                _("milestone year {year} is outside {start}–{target}", year=key, start=settings.start_year,
                  target=settings.target_year),
                "targets", r["_row"], "year",
            )
            continue
        targets[key] = r["reduction_mt"]
    if settings and settings.target_year in targets and targets[settings.target_year] != settings.target_reduction_mt:
        out.add(
            _("the {year} milestone ({milestone} Mt) differs from setting target_reduction_mt ({setting} Mt): give the "
              "target year's reduction once", year=settings.target_year,
              milestone=f"{targets[settings.target_year]:g}", setting=f"{settings.target_reduction_mt:g}"),
            "targets", None, "reduction_mt",
        )
    if settings:
        targets[settings.target_year] = settings.target_reduction_mt
    return dict(sorted(targets.items()))


def _scenarios(tables: Tables, ctx: dict, out: _Collector) -> tuple[ScenarioRow, ...]:
    rows = []
    for r in tables.get("scenarios", []):
        if _check_row("scenarios", r, out, ctx):
            rows.append(_record("scenarios", r, scenario=str(r["scenario"]), sheet=str(r["sheet"]), id=str(r["id"]),
                                column=str(r["column"]), op=str(r["op"]).lower()))
    return tuple(rows)


def _cash_limits(tables: Tables, ctx: dict, out: _Collector) -> dict[str, CashLimit]:
    """Sheet cash_limits: per instrument id (or * for all instruments) the cash ceiling C_t of each year given."""
    settings = ctx["settings"]
    limits: dict[str, CashLimit] = {}
    for key, r in _clean_rows("cash_limits", tables, ctx, out):
        values, ok = {}, True
        for y in sorted(k for k in r if isinstance(k, int)):
            v = r.get(y)
            if y in r.get("_bad", ()) or v is None:
                ok = ok and y not in r.get("_bad", ())
                continue  # unreadable (reported by the reader) or blank: no limit that year
            if settings and y < settings.start_year:
                out.add(_("year {year} is before start_year {start}: only cash paid from the plan's first year on can "
                          "be limited", year=y, start=settings.start_year), "cash_limits", r["_row"], str(y))
                ok = False
                continue
            bad = _too_large(v) or check_value(v, ">=0")
            if bad:
                out.add(bad, "cash_limits", r["_row"], str(y))
                ok = False
                continue
            values[y] = float(v)
        if ok:
            limits[key] = _record("cash_limits", r, limits=values)
    return limits


def _committed(tables: Tables, ctx: dict, out: _Collector) -> tuple[Committed, ...]:
    """Sheet committed: decisions of the past (before start_year) and forced decisions (from start_year on).

    Row by row, in sheet order: the measure and instrument are known, the measure is eligible for the
    instrument, the year is not after target_year (nor, for a forced decision, before the measure's
    earliest year), the share fits what the rows before it left of max_share (and of its exclusive
    group), a lumpy measure is committed whole, a past subsidy names its instrument, and a measure has
    at most one forced decision a year. A decision of the past paid by several instruments is one row per
    instrument (as ``policymix replan`` writes them): the rows of a lumpy measure's year are whole together.
    """
    settings, measures = ctx["settings"], ctx["measures"]
    rows: list[Committed] = []
    used: dict[str, float] = defaultdict(float)  # share committed so far, per measure
    group_used: dict[str, float] = defaultdict(float)
    forced: dict[tuple[str, int], int] = {}
    parts: dict[tuple[str, int], list[tuple[int, float]]] = defaultdict(list)  # a lumpy measure's past rows
    for r in tables.get("committed", []):
        ok = _check_row("committed", r, out, ctx)
        mid, row, iid = r.get("measure_id"), r["_row"], r.get("instrument_id") or ""
        if not ok or settings is None or mid not in measures:
            continue  # a bad measure row is reported on sheet 'measures'
        m, year, share, subsidy = measures[mid], r["year"], r["share"], r.get("subsidy_meur")
        past = year < settings.start_year

        def bad(text: str, column: str) -> None:
            out.add(text, "committed", row, column)

        if year > settings.target_year:
            bad(_("year {year} is after target_year {target}: expected a decision of the past (before {start}) or a "
                  "forced one in {start}–{target}", year=year, target=settings.target_year, start=settings.start_year),
                "year")
        elif not past and year < m.earliest_year:
            bad(_("a forced decision in {year} is before the measure's earliest_year {earliest}", year=year,
                  earliest=m.earliest_year), "year")
        elif iid and iid not in m.eligible_instruments:
            bad(_("measure '{measure}' is not eligible for instrument '{instrument}' (its eligible_instruments: "
                  "{eligible})", measure=mid, instrument=iid, eligible=";".join(m.eligible_instruments) or _("none")),
                "instrument_id")
        elif past and subsidy and not iid:
            bad(_("a past subsidy of {subsidy} M€ without an instrument: name the instrument_id that pays it out",
                  subsidy=f"{subsidy:g}"), "instrument_id")
        elif past and iid and subsidy is None:
            bad(_("instrument '{id}' without subsidy_meur: give the subsidy it committed (0 if none)", id=iid),
                "subsidy_meur")
        elif m.lumpy and abs(share - m.max_share) > 1e-9 and not (past and share < m.max_share):
            bad(_("'{measure}' is all or nothing (lumpy): share must be its max_share {max_share}, found {share}",
                  measure=mid, max_share=f"{m.max_share:g}", share=f"{share:g}"), "share")
        elif share > m.max_share - used[mid] + 1e-9:
            left = max(0.0, m.max_share - used[mid])
            bad(_("share {share} is above what is left of max_share {max_share} of '{measure}': {left}",
                  share=f"{share:g}", max_share=f"{m.max_share:g}", measure=mid, left=f"{left:g}")
                + (_(" after the rows above") if used[mid] else ""), "share")
        elif m.exclusive_group and share > 1.0 - group_used[m.exclusive_group] + 1e-9:
            bad(_("share {share} is above what is left of exclusive group '{group}': {left} after the rows above",
                  share=f"{share:g}", group=m.exclusive_group,
                  left=f"{max(0.0, 1.0 - group_used[m.exclusive_group]):g}"), "share")
        elif not past and (mid, year) in forced:
            bad(_("a second forced decision for '{measure}' in {year} (first on row {row}): give one row with the "
                  "whole share", measure=mid, year=year, row=forced[(mid, year)]), "year")
        else:
            used[mid] += share
            if m.exclusive_group:
                group_used[m.exclusive_group] += share
            if not past:
                forced[(mid, year)] = row
            elif m.lumpy:
                parts[(mid, year)].append((row, share))
            rows.append(_record("committed", r, instrument_id=iid))
    for (mid, year), shares in parts.items():  # a lumpy measure's rows of a year, together, are its max_share
        m, total = measures[mid], sum(share for _row, share in shares)
        if abs(total - m.max_share) > 1e-9:
            out.add(_("'{measure}' is all or nothing (lumpy): share must be its max_share {max_share}, found {share}",
                      measure=mid, max_share=f"{m.max_share:g}", share=f"{total:g}")
                    + (_(" (its rows of {year} together)", year=year) if len(shares) > 1 else ""),
                    "committed", shares[0][0], "share")
    return tuple(rows)


#: The readers in the order they run (a reader may use what the ones before it found in ``ctx``).
READERS = (
    ("instruments", _instruments),
    ("measures", _measures),
    ("budgets", _budgets),
    ("fences", None),  # _fences, defined below
    ("resources", _resources),
    ("usage", _usage),
    ("prices", _prices),
    ("targets", _targets),
    ("committed", _committed),
    ("cash_limits", _cash_limits),
    ("scenarios", _scenarios),
    ("uncertainty", None),  # _uncertainty, defined below
)


def to_input(tables: Tables) -> PlanInput:
    """Validate tables against every rule of the contract and build the input.

    Raises :class:`InputError` listing every problem found.
    """
    out = _Collector()
    settings = _settings(tables, out)
    ctx: dict = {
        "settings": settings,
        "years": settings.years if settings else [],
        "sources": {},
        # the ids of every sheet the tables have (a reference to a missing sheet has none to match)
        "ids": {spec.name: {r.get(spec.id_column) for r in tables[spec.name]}
                for spec in SHEETS if spec.id_column and spec.name in tables},
    }
    for spec in SHEETS:
        if spec.least_rows and spec.name in tables and len(tables[spec.name]) < spec.least_rows:
            out.add(_("the sheet has no rows: at least one is needed (a row whose first cell starts with # is a "
                      "comment, such as the template's examples, and is ignored)"), spec.name, 2, spec.columns[0].name)
    late = {"fences": _fences, "uncertainty": _uncertainty}
    for sheet, reader in READERS:
        ctx[SHEET_BY_NAME[sheet].fills] = (reader or late[sheet])(tables, ctx, out)
    for r in tables.get("settings", []):
        if r.get("source") and r.get("key"):
            ctx["sources"][("settings", str(r["key"]).strip().lower())] = r["source"]
    if out.problems:
        raise InputError(out.problems)
    fields = {f for f in PlanInput.__dataclass_fields__}
    return PlanInput(**{k: v for k, v in ctx.items() if k in fields})


def _fences(tables: Tables, ctx: dict, out: _Collector) -> dict[str, Fence]:
    """Sheet fences (rules simulation: ring-fenced sub-budgets) and the measures that name one."""
    instruments, budgets, measures, years = ctx["instruments"], ctx["budgets"], ctx["measures"], ctx["years"]
    fences: dict[str, Fence] = {}
    for key, r in _clean_rows("fences", tables, ctx, out):
        iid = r["instrument_id"]
        values = _year_values("fences", r, years, ">=0", out)
        inst = instruments.get(iid)
        if values is None or inst is None:
            continue
        allocation = inst.allocation or default_allocation(iid, inst.kind)
        if allocation not in ("sde_round", "tender"):
            out.add(_("fences belong to ranked rounds (allocation sde_round or tender); {instrument}'s allocation is "
                      "{allocation}", instrument=iid, allocation=allocation), "fences", r["_row"], "instrument_id")
            continue
        cap = r.get("eur_per_t_cap")
        if cap is not None and inst.eur_per_t_cap is not None and cap > inst.eur_per_t_cap:
            out.add(_("the fence's ceiling {cap} €/t is above {instrument}'s eur_per_t_cap of {instrument_cap} €/t, "
                      "which the optimiser applies to every measure: raise the instrument's cap (and keep its phases "
                      "lower) instead", cap=f"{cap:g}", instrument=iid, instrument_cap=f"{inst.eur_per_t_cap:g}"),
                    "fences", r["_row"], "eur_per_t_cap")
            continue
        fences[key] = _record("fences", r, budget=values)
    reserved: dict[tuple[str, int], float] = {}
    for f in fences.values():
        for y in years:
            reserved[(f.instrument_id, y)] = reserved.get((f.instrument_id, y), 0.0) + f.budget[y]
            budget = budgets.get(f.instrument_id, {}).get(y)
            if budget is not None and reserved[(f.instrument_id, y)] > budget + 1e-9:
                out.add(_("the fences of {instrument} reserve {reserved} M€ in {year}, more than its budget of {budget} "
                          "M€ that year", instrument=f.instrument_id, reserved=f"{reserved[(f.instrument_id, y)]:,.6g}",
                          year=y, budget=f"{budget:,.6g}"), "fences", f.row, str(y))
    for m in measures.values():
        if m.fence in fences and fences[m.fence].instrument_id not in m.eligible_instruments:
            out.add(_("fence '{fence}' belongs to {instrument}, for which the measure is not eligible "
                      "(eligible_instruments)", fence=m.fence, instrument=fences[m.fence].instrument_id), "measures",
                    m.row, "fence")
    return fences


# ---------------------------------------------------------------- the uncertainty sheet (docs/model.md section 14)

def _uncertainty(tables: Tables, ctx: dict, out: _Collector) -> tuple[UncertainRow, ...]:
    """Sheet uncertainty: each row's target (as an override's, wildcards allowed), its distribution's
    parameters, and names shared only inside one group."""
    rows: list[UncertainRow] = []
    names: dict[str, tuple[str, int]] = {}
    for r in tables.get("uncertainty", []):
        if not _check_row("uncertainty", r, out, ctx):
            continue
        where = ("uncertainty", r["_row"])
        op, dist = str(r["op"]).lower(), str(r["distribution"]).lower()
        ok = _uncertain_target(tables, r, op, dist, where, out)
        ok = _uncertain_parameters(r, dist, where, out) and ok
        name, group = str(r["name"]), str(r.get("group") or "")
        if name in names and (not group or names[name][0] != group):
            out.add(_("name '{name}' is also on row {row}, outside this row's group: give each uncertain input its "
                      "own name (rows of one group may share one)", name=name, row=names[name][1]), *where, "name")
            ok = False
        names.setdefault(name, (group, r["_row"]))
        if ok:
            rows.append(_record("uncertainty", r, name=name, sheet=str(r["sheet"]).strip().lower(), id=str(r["id"]),
                                column=str(r["column"]), op=op, distribution=dist, group=group,
                                values=tuple(_numbers(r.get("values"))[0]),
                                weights=tuple(_numbers(r.get("weights"))[0])))
    return tuple(rows)


def _uncertain_target(tables: Tables, r: Row, op: str, dist: str, where: tuple, out: _Collector) -> bool:
    """The row's target names cells as an override's would (:func:`optimiser.input.targeting.select`), and
    a column of whole numbers gets whole draws."""
    try:
        types = select(tables, r["sheet"], r["id"], r["column"], op).types
    except TargetError as exc:
        out.add(exc.message, *where, exc.part)
        return False
    if "int" in types and op in ("scale", "add", "set"):
        whole = dist == "choice" and all(float(v).is_integer() for v in _numbers(r.get("values"))[0])
        if op == "scale" or not whole:
            out.add(_("the column holds whole numbers: {op} it with distribution choice of whole values (e.g. 0;1;2)",
                      op=op) if op != "scale" else _("the column holds whole numbers: add a choice of whole values "
                                                     "rather than scale it"),
                    *where, "op" if op == "scale" else "distribution")
            return False
    return True


def _uncertain_parameters(r: Row, dist: str, where: tuple, out: _Collector) -> bool:
    """The parameters of the row's distribution are given and fit it."""
    missing = [p for p in DISTRIBUTIONS[dist] if r.get(p) in (None, "", ())]
    for p in missing:
        out.add(_("blank cell: distribution {distribution} needs {parameters}", distribution=dist,
                  parameters=_(" and ").join(DISTRIBUTIONS[dist])), *where, p)
    if missing:
        return False
    low, mode, high = r.get("low"), r.get("mode"), r.get("high")
    if dist in ("uniform", "triangular", "normal") and low is not None and high is not None:
        if low > high or (dist == "normal" and low == high):
            out.add(_("low {low} is above high {high}", low=f"{low:g}", high=f"{high:g}") if low > high else
                    _("low and high are both {low}: a normal truncated to one point (use set)", low=f"{low:g}"),
                    *where, "low")
            return False
    if dist == "triangular" and not (low <= mode <= high):
        out.add(_("mode {mode} is outside low {low} … high {high}", mode=f"{mode:g}", low=f"{low:g}",
                  high=f"{high:g}"), *where, "mode")
        return False
    if dist == "normal" and r["sd"] <= 0:
        out.add(_("found {value}, expected a standard deviation > 0", value=f"{r['sd']:g}"), *where, "sd")
        return False
    if dist == "choice":
        values, weights = _numbers(r.get("values"))[0], _numbers(r.get("weights"))[0]
        if weights and len(weights) != len(values):
            out.add(_("{weights} weights for {values} values: give one weight per value", weights=len(weights),
                      values=len(values)), *where, "weights")
            return False
        if weights and (any(w < 0 for w in weights) or sum(weights) <= 0):
            shown = ";".join(f"{w:g}" for w in weights)
            out.add(_("found {value}, expected weights ≥ 0 that sum to a positive number", value=shown), *where,
                    "weights")
            return False
    return True


# ---------------------------------------------------------------- typed input → tables (the effective inputs)

def _cell(col, value):
    """A field's value as its sheet holds it."""
    if col.type == "numbers":
        return ";".join(format(v, ".15g") for v in value or ())
    if col.type == "ids":
        return tuple(value or ())
    return value


def to_tables(inp: PlanInput) -> Tables:
    """The input as tables again (the effective inputs of a plan), by the manifest's column → field map."""
    rows: Tables = {}
    for spec in SHEETS:
        value = getattr(inp, spec.fills)
        if spec.name == "settings":
            sheet_rows = [{"key": key, "value": getattr(value, key), "unit": col.unit,
                           "source": inp.sources.get(("settings", key), "")}
                          for key, col in SETTINGS_KEYS.items() if getattr(value, key) is not None]
        elif spec.record is not None:  # records: every field by its column, year columns from year_field
            items = value.values() if isinstance(value, dict) else value
            sheet_rows = []
            for obj in items:
                row = {c.name: _cell(c, getattr(obj, c.fills)) for c in spec.fields}
                if spec.year_field:
                    by_year = getattr(obj, spec.year_field)
                    row.update({y: by_year[y] for y in sorted(by_year)})
                if getattr(obj, "row", None):
                    row["_row"] = obj.row
                sheet_rows.append(row)
        elif spec.year_columns:  # one row of yearly numbers per id (a price outlook or cash limits: every year)
            sheet_rows = [{spec.id_column: key, **{y: v[y] for y in sorted(v)},
                           "source": inp.sources.get((spec.name, key), "")} for key, v in value.items()]
        elif spec.name == "usage":
            sheet_rows = [{"measure_id": m, "resource_id": r, "amount": a,
                           "source": inp.sources.get(("usage", f"{m}/{r}"), "")} for (m, r), a in value.items()]
        else:  # targets: year → required reduction
            sheet_rows = [{"year": y, "reduction_mt": t} for y, t in value.items()]
        for n, r in enumerate(sheet_rows, start=2):
            r.setdefault("_row", n)
        rows[spec.name] = sheet_rows
    return rows


def year_columns_needed(tables: Tables) -> list[int]:
    """start_year … target_year as far as the settings table tells (for the reader)."""
    found = {}
    for r in tables.get("settings", []):
        key = str(r.get("key") or "").strip().lower()
        if key in ("start_year", "target_year"):
            v, err = parse_value(r.get("value"), "int")
            if not err and v is not None:
                found.setdefault(key, v)  # the first row wins, as in the validation
    if "start_year" in found and "target_year" in found and found["start_year"] <= found["target_year"] <= found["start_year"] + 100:
        return list(range(found["start_year"], found["target_year"] + 1))
    return []

"""Sheet tables ↔ the typed input object, with every validation rule of the contract.

A *table* is what a sheet holds once its cells are typed: a list of rows, each
a dict from manifest column name (or int year) to value, plus ``_row``, the
spreadsheet row it came from. The reader makes tables from a workbook, the
scenario stage edits tables, the plan writer writes them back: this module is
the one place where tables become a :class:`PlanInput` and back, and so the
one place where the value and reference rules live.
"""

from __future__ import annotations

from .data import Fence, Instrument, InputError, Measure, PlanInput, Problem, Resource, ScenarioRow, Settings
from .manifest import SETTINGS_KEYS, SHEET_BY_NAME, check_value, default_allocation, parse_value

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
        return f"found {v:g}, expected a number between -1e12 and 1e12 (is the unit right?)"
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
            out.add("blank key, expected a setting name", "settings", r["_row"], "key")
            continue
        key_l = str(key).strip().lower()
        if key_l not in SETTINGS_KEYS:
            continue  # unknown keys are noted by the reader, not an error
        if key_l in seen:
            out.add(f"duplicate setting '{key_l}' (first on row {seen[key_l]})", "settings", r["_row"], "key")
            continue
        seen[key_l] = r["_row"]
        if "value" in r.get("_bad", ()):
            continue  # unreadable (reported by the reader)
        col = SETTINGS_KEYS[key_l]
        raw = r.get("value")
        value, err = parse_value(raw, col.type)
        if err:
            out.add(f"setting '{key_l}': {err}", "settings", r["_row"], "value")
            continue
        if value is None:
            if col.required:
                out.add(f"setting '{key_l}' is blank, expected a value", "settings", r["_row"], "value")
            continue
        bad = (_too_large(value) or check_value(value, col.check)) if col.type in ("float", "int") else None
        if col.choices and str(value).strip().lower() not in col.choices:
            bad = f"found {value!r}, expected one of {', '.join(col.choices)}"
        elif col.choices:
            value = str(value).strip().lower()
        if bad:
            out.add(f"setting '{key_l}': {bad}", "settings", r["_row"], "value")
            continue
        values[key_l] = value
    for key, col in SETTINGS_KEYS.items():
        if col.required and key not in values and key not in seen:
            out.add(f"required setting '{key}' is missing", "settings", None, "key")
    if any(k not in values for k, c in SETTINGS_KEYS.items() if c.required):
        return None
    start, target = values["start_year"], values["target_year"]
    if start > target:
        out.add(f"start_year {start} is after target_year {target}", "settings", seen["start_year"], "value")
        return None
    if target - start > 100:
        out.add(f"start_year {start} to target_year {target} spans more than 100 years", "settings", seen["target_year"], "value")
        return None
    kwargs = {k: values[k] for k in values}
    if "scenario_name" in kwargs:
        kwargs["scenario_name"] = str(kwargs["scenario_name"])
    return Settings(**kwargs)


def _check_row(sheet: str, r: Row, out: _Collector) -> bool:
    """Blank required cells and value rules of the manifest; True when clean."""
    spec = SHEET_BY_NAME[sheet]
    ok = True
    unreadable = r.get("_bad", ())
    for col in spec.columns:
        if col.name in unreadable:
            ok = False
            continue
        v = r.get(col.name)
        if col.required and col.type != "ids" and (v is None or v == ""):
            out.add("blank cell, expected a value", sheet, r["_row"], col.name)
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
        if col.choices and v not in (None, "") and str(v).lower() not in col.choices:
            out.add(f"found {v!r}, expected one of {', '.join(col.choices)}", sheet, r["_row"], col.name)
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
            out.add(f"duplicate id '{key}' (first on row {by_id[key]['_row']})", sheet, r["_row"], id_col)
            continue
        by_id[key] = r
    return by_id


def _year_values(sheet: str, r: Row, years: list[int], rule: str, out: _Collector) -> dict[int, float] | None:
    values: dict[int, float] = {}
    ok = True
    for y in years:
        if y in r.get("_bad", ()):
            ok = False
            continue
        v = r.get(y)
        if v is None:
            out.add("blank cell, expected a number", sheet, r["_row"], str(y))
            ok = False
            continue
        bad = _too_large(v) or check_value(v, rule)
        if bad:
            out.add(bad, sheet, r["_row"], str(y))
            ok = False
            continue
        values[y] = float(v)
    return values if ok else None


def to_input(tables: Tables) -> PlanInput:
    """Validate tables against every rule of the contract and build the input.

    Raises :class:`InputError` listing every problem found.
    """
    out = _Collector()
    settings = _settings(tables, out)
    years = settings.years if settings else []
    sources: dict[tuple[str, str], str] = {}

    # instruments
    instruments: dict[str, Instrument] = {}
    for key, r in _unique("instruments", tables.get("instruments", []), out).items():
        if not _check_row("instruments", r, out):
            continue
        allocation = str(r.get("allocation") or "").strip().lower()
        phases = _numbers(r.get("phases_eur_per_t"))[0]
        effective = allocation or default_allocation(key, r.get("kind") or "")
        if phases and effective != "sde_round":
            out.add(f"phase ceilings apply to allocation sde_round only; this instrument's allocation is "
                    f"{effective}" + ("" if allocation else " (from its id or kind)"),
                    "instruments", r["_row"], "phases_eur_per_t")
            continue
        instruments[key] = Instrument(
            instrument_id=key,
            name=r.get("name") or "",
            kind=r.get("kind") or "",
            cost_weight=1.0 if r.get("cost_weight") is None else r["cost_weight"],
            capex_share_cap=r.get("capex_share_cap"),
            eur_per_t_cap=r.get("eur_per_t_cap"),
            period_budget_meur=r.get("period_budget_meur"),
            source=r.get("source") or "",
            row=r["_row"],
            allocation=allocation,
            phases_eur_per_t=tuple(phases),
        )
    instrument_ids = {r.get("instrument_id") for r in tables.get("instruments", [])}

    # measures
    measures: dict[str, Measure] = {}
    for key, r in _unique("measures", tables.get("measures", []), out).items():
        ok = _check_row("measures", r, out)
        eligible = r.get("eligible_instruments") or ()
        if isinstance(eligible, str):
            eligible = parse_value(eligible, "ids")[0]
        eligible = tuple(eligible)
        for iid in eligible:
            if "instruments" in tables and iid not in instrument_ids:  # a missing sheet is reported once
                out.add(f"unknown instrument '{iid}' (not in sheet 'instruments')", "measures", r["_row"], "eligible_instruments")
                ok = False
        if len(set(eligible)) != len(eligible):
            out.add("an instrument is listed twice", "measures", r["_row"], "eligible_instruments")
            ok = False
        earliest = r.get("earliest_year")
        if settings and earliest is not None and earliest > settings.target_year:
            # allowed (the measure simply cannot be committed in the horizon) — no error
            pass
        if not ok or settings is None:
            continue
        measures[key] = Measure(
            measure_id=key,
            name=r.get("name") or "",
            sector=r.get("sector") or "",
            cluster=r.get("cluster") or "",
            abatement_mt=r["abatement_mt"],
            cost_eur_per_t=r["cost_eur_per_t"],
            capex_meur=r.get("capex_meur") or 0.0,
            support_years=r["support_years"],
            earliest_year=settings.start_year if earliest is None else earliest,
            lead_time_years=r.get("lead_time_years") or 0,
            max_share=1.0 if r.get("max_share") is None else r["max_share"],
            lumpy=bool(parse_value(r.get("lumpy"), "bool")[0]),
            exclusive_group=r.get("exclusive_group") or "",
            eligible_instruments=eligible,
            source=r.get("source") or "",
            row=r["_row"],
            fence=r.get("fence") or "",
        )
    measure_ids = {r.get("measure_id") for r in tables.get("measures", [])}

    # budgets: one row per instrument
    budgets: dict[str, dict[int, float]] = {}
    for key, r in _unique("budgets", tables.get("budgets", []), out).items():
        if not _check_row("budgets", r, out):
            continue
        if "instruments" in tables and key not in instrument_ids:
            out.add(f"budget row for unknown instrument '{key}'", "budgets", r["_row"], "instrument_id")
            continue
        values = _year_values("budgets", r, years, ">=0", out)
        if values is not None:
            budgets[key] = values
        if r.get("source"):
            sources[("budgets", key)] = r["source"]
    budget_rows = {r.get("instrument_id") for r in tables.get("budgets", [])}
    for key, inst in instruments.items():
        if "budgets" in tables and key not in budget_rows:
            out.add(f"instrument '{key}' has no row in sheet 'budgets'", "instruments", inst.row, "instrument_id")

    fences = _fences(tables, instruments, instrument_ids, budgets, measures, years, out)

    # resources
    resources: dict[str, Resource] = {}
    for key, r in _unique("resources", tables.get("resources", []), out).items():
        if not _check_row("resources", r, out):
            continue
        values = _year_values("resources", r, years, ">=0", out)
        if values is None:
            continue
        resources[key] = Resource(
            resource_id=key,
            kind=str(r["kind"]).lower(),
            capacity=values,
            name=r.get("name") or "",
            unit=r.get("unit") or "",
            source=r.get("source") or "",
            row=r["_row"],
        )
    resource_ids = {r.get("resource_id") for r in tables.get("resources", [])}

    # usage
    usage: dict[tuple[str, str], float] = {}
    first_row: dict[tuple[str, str], int] = {}
    for r in tables.get("usage", []):
        ok = _check_row("usage", r, out)
        m, res = r.get("measure_id"), r.get("resource_id")
        if m and "measures" in tables and m not in measure_ids:
            out.add(f"unknown measure '{m}' (not in sheet 'measures')", "usage", r["_row"], "measure_id")
            ok = False
        if res and "resources" in tables and res not in resource_ids:
            out.add(f"unknown resource '{res}' (not in sheet 'resources')", "usage", r["_row"], "resource_id")
            ok = False
        if m and res and (m, res) in first_row:
            out.add(f"duplicate usage of '{res}' by '{m}' (first on row {first_row[(m, res)]})", "usage", r["_row"], "resource_id")
            ok = False
        if not ok:
            continue
        first_row[(m, res)] = r["_row"]
        usage[(m, res)] = r["amount"]
        if r.get("source"):
            sources[("usage", f"{m}/{res}")] = r["source"]

    # prices
    prices: dict[str, dict[int, float]] = {}
    for key, r in _unique("prices", tables.get("prices", []), out).items():
        if not _check_row("prices", r, out):
            continue
        values = _year_values("prices", r, years, "", out)
        if values is not None:
            prices[key] = values
        if r.get("source"):
            sources[("prices", key)] = r["source"]
    if "prices" in tables and CO2_PRICE not in {r.get("parameter") for r in tables["prices"]}:
        out.add(f"required row '{CO2_PRICE}' is missing", "prices", None, "parameter")

    # a measure's subsidy gap of full deployment, (c − p) · A · D, must stay a number the solver handles
    if CO2_PRICE in prices:
        lowest = min(prices[CO2_PRICE].values(), default=0.0)
        for m in measures.values():
            gap = max(0.0, m.cost_eur_per_t - lowest) * m.abatement_mt * m.support_years
            if gap > MAX_MAGNITUDE:
                out.add(f"abatement_mt × (cost_eur_per_t − CO2 price) × support_years gives a subsidy gap of "
                        f"{gap:.3g} M€, expected at most 1e12 M€ (is a unit wrong?)", "measures", m.row,
                        "cost_eur_per_t")

    # targets
    targets: dict[int, float] = {}
    for key, r in _unique("targets", tables.get("targets", []), out).items():
        if not _check_row("targets", r, out):
            continue
        if settings and not (settings.start_year <= key <= settings.target_year):
            out.add(
                f"milestone year {key} is outside {settings.start_year}–{settings.target_year}",
                "targets", r["_row"], "year",
            )
            continue
        targets[key] = r["reduction_mt"]
    if settings and settings.target_year in targets and targets[settings.target_year] != settings.target_reduction_mt:
        out.add(
            f"the {settings.target_year} milestone ({targets[settings.target_year]:g} Mt) differs from setting "
            f"target_reduction_mt ({settings.target_reduction_mt:g} Mt): give the target year's reduction once",
            "targets", None, "reduction_mt",
        )
    if settings:
        targets[settings.target_year] = settings.target_reduction_mt

    # scenarios
    scenarios: list[ScenarioRow] = []
    for r in tables.get("scenarios", []):
        if not _check_row("scenarios", r, out):
            continue
        scenarios.append(
            ScenarioRow(
                scenario=str(r["scenario"]), sheet=str(r["sheet"]), id=str(r["id"]),
                column=str(r["column"]), op=str(r["op"]).lower(), value=r["value"],
                note=r.get("note") or "", row=r["_row"],
            )
        )

    for r in tables.get("settings", []):
        if r.get("source") and r.get("key"):
            sources[("settings", str(r["key"]).strip().lower())] = r["source"]

    if out.problems:
        raise InputError(out.problems)
    return PlanInput(
        settings=settings,
        measures=measures,
        instruments=instruments,
        budgets=budgets,
        resources=resources,
        usage=usage,
        prices=prices,
        targets=dict(sorted(targets.items())),
        scenarios=tuple(scenarios),
        sources=sources,
        fences=fences,
    )


def _fences(tables: Tables, instruments: dict[str, Instrument], instrument_ids: set, budgets: dict,
            measures: dict[str, Measure], years: list[int], out: _Collector) -> dict[str, Fence]:
    """Sheet fences (rules simulation: ring-fenced sub-budgets) and the measures that name one."""
    fences: dict[str, Fence] = {}
    for key, r in _unique("fences", tables.get("fences", []), out).items():
        if not _check_row("fences", r, out):
            continue
        iid = r["instrument_id"]
        if "instruments" in tables and iid not in instrument_ids:
            out.add(f"unknown instrument '{iid}' (not in sheet 'instruments')", "fences", r["_row"], "instrument_id")
            continue
        values = _year_values("fences", r, years, ">=0", out)
        inst = instruments.get(iid)
        if values is None or inst is None:
            continue
        allocation = inst.allocation or default_allocation(iid, inst.kind)
        if allocation not in ("sde_round", "tender"):
            out.add(f"fences belong to ranked rounds (allocation sde_round or tender); {iid}'s allocation is "
                    f"{allocation}", "fences", r["_row"], "instrument_id")
            continue
        cap = r.get("eur_per_t_cap")
        if cap is not None and inst.eur_per_t_cap is not None and cap > inst.eur_per_t_cap:
            out.add(f"the fence's ceiling {cap:g} €/t is above {iid}'s eur_per_t_cap of {inst.eur_per_t_cap:g} €/t, "
                    "which the optimiser applies to every measure: raise the instrument's cap (and keep its phases "
                    "lower) instead", "fences", r["_row"], "eur_per_t_cap")
            continue
        fences[key] = Fence(fence_id=key, instrument_id=iid, budget=values, name=r.get("name") or "",
                            eur_per_t_cap=cap, source=r.get("source") or "", row=r["_row"])
    reserved: dict[tuple[str, int], float] = {}
    for f in fences.values():
        for y in years:
            reserved[(f.instrument_id, y)] = reserved.get((f.instrument_id, y), 0.0) + f.budget[y]
            budget = budgets.get(f.instrument_id, {}).get(y)
            if budget is not None and reserved[(f.instrument_id, y)] > budget + 1e-9:
                out.add(f"the fences of {f.instrument_id} reserve {reserved[(f.instrument_id, y)]:,.6g} M€ in {y}, "
                        f"more than its budget of {budget:,.6g} M€ that year", "fences", f.row, str(y))
    fence_ids = {r.get("fence_id") for r in tables.get("fences", [])}
    for m in measures.values():
        if not m.fence:
            continue
        if m.fence not in fence_ids:
            out.add(f"unknown fence '{m.fence}' (not in sheet 'fences')", "measures", m.row, "fence")
        elif m.fence in fences and fences[m.fence].instrument_id not in m.eligible_instruments:
            out.add(f"fence '{m.fence}' belongs to {fences[m.fence].instrument_id}, for which the measure is not "
                    "eligible (eligible_instruments)", "measures", m.row, "fence")
    return fences


def to_tables(inp: PlanInput, *, keep_rows: bool = False) -> Tables:
    """The input as tables again (the effective inputs of a plan)."""
    s = inp.settings
    years = inp.years
    rows: Tables = {}
    settings_rows = []
    for key, col in SETTINGS_KEYS.items():
        value = getattr(s, key)
        if value is None:
            continue
        settings_rows.append({"key": key, "value": value, "unit": col.unit, "source": inp.sources.get(("settings", key), "")})
    rows["settings"] = settings_rows
    rows["measures"] = [
        {
            "measure_id": m.measure_id, "name": m.name, "sector": m.sector, "cluster": m.cluster,
            "abatement_mt": m.abatement_mt, "cost_eur_per_t": m.cost_eur_per_t, "capex_meur": m.capex_meur,
            "support_years": m.support_years, "earliest_year": m.earliest_year,
            "lead_time_years": m.lead_time_years, "max_share": m.max_share,
            "lumpy": m.lumpy, "exclusive_group": m.exclusive_group,
            "eligible_instruments": tuple(m.eligible_instruments), "source": m.source,
            "fence": m.fence,
        }
        for m in inp.measures.values()
    ]
    rows["instruments"] = [
        {
            "instrument_id": i.instrument_id, "name": i.name, "kind": i.kind, "cost_weight": i.cost_weight,
            "capex_share_cap": i.capex_share_cap, "eur_per_t_cap": i.eur_per_t_cap,
            "period_budget_meur": i.period_budget_meur, "source": i.source,
            "allocation": i.allocation,
            "phases_eur_per_t": ";".join(format(v, ".15g") for v in i.phases_eur_per_t),
        }
        for i in inp.instruments.values()
    ]
    rows["budgets"] = [
        {"instrument_id": i, **{y: b[y] for y in years}, "source": inp.sources.get(("budgets", i), "")}
        for i, b in inp.budgets.items()
    ]
    rows["fences"] = [
        {"fence_id": f.fence_id, "instrument_id": f.instrument_id, "name": f.name, "eur_per_t_cap": f.eur_per_t_cap,
         **{y: f.budget[y] for y in years}, "source": f.source}
        for f in inp.fences.values()
    ]
    rows["resources"] = [
        {"resource_id": r.resource_id, "name": r.name, "kind": r.kind, "unit": r.unit,
         **{y: r.capacity[y] for y in years}, "source": r.source}
        for r in inp.resources.values()
    ]
    rows["usage"] = [
        {"measure_id": m, "resource_id": r, "amount": a, "source": inp.sources.get(("usage", f"{m}/{r}"), "")}
        for (m, r), a in inp.usage.items()
    ]
    rows["prices"] = [
        {"parameter": p, **{y: v[y] for y in years}, "source": inp.sources.get(("prices", p), "")}
        for p, v in inp.prices.items()
    ]
    rows["targets"] = [{"year": y, "reduction_mt": t} for y, t in inp.targets.items()]
    rows["scenarios"] = [
        {"scenario": o.scenario, "sheet": o.sheet, "id": o.id, "column": o.column, "op": o.op,
         "value": o.value, "note": o.note}
        for o in inp.scenarios
    ]
    row_of = {
        "measures": [m.row for m in inp.measures.values()],
        "instruments": [i.row for i in inp.instruments.values()],
        "resources": [r.row for r in inp.resources.values()],
        "fences": [f.row for f in inp.fences.values()],
        "scenarios": [o.row for o in inp.scenarios],
    }
    for sheet, sheet_rows in rows.items():
        known = row_of.get(sheet, [])
        for n, r in enumerate(sheet_rows):
            r["_row"] = known[n] if n < len(known) and known[n] else n + 2
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

"""pandas DataFrames of plans, sweeps and comparisons (what the Python API returns).

The one report module that imports pandas: the CLI never imports it, so a
``policymix plan`` does not pay for pandas. Every frame is tidy: one row per
item (per item and year where values change by year), ids as the index
(a MultiIndex where a row has several), one column per quantity, and units in
column names the way the workbook spells them: ``_meur`` (M€), ``_mt`` (Mt
CO2-eq/yr), ``_eur_per_t`` (€/t), ``_share`` (0–1). Columns whose unit varies
by row (resource use, shadow prices) carry a ``unit`` column beside them.
``frame.attrs["units"]`` maps every numeric column to its unit in words.

Shadow prices and binding limits are read from the constraint-family
registry (:mod:`optimiser.model.families`): every reported family appears,
labelled and worded in the language asked for; no family is named here.
"""

from __future__ import annotations

import pandas as pd

from ..analysis.compare import Comparison
from ..analysis.sweep import SweepRun
from ..model.families import TARGET, family, objective_unit, reported
from ..model.results import TOL, PlanResult
from .iamc import INDEX as IAMC_INDEX
from .iamc import Series, cash_of, table

#: Units of the columns the frames share (``attrs["units"]``).
UNITS = {
    "committed_share": "share of full deployment (0–1)", "max_share": "share of full deployment (0–1)",
    "new_share": "share of full deployment (0–1)", "operating_share": "share of full deployment (0–1)",
    "abatement_mt": "Mt CO2-eq/yr", "potential_mt": "Mt CO2-eq/yr", "required_mt": "Mt CO2-eq/yr",
    "shortfall_mt": "Mt CO2-eq/yr", "gap_eur_per_t": "€/t", "paid_eur_per_t": "€/t",
    "reduced_cost_eur_per_t": "€/t", "subsidy_meur": "M€", "public_cost_meur": "M€", "objective_meur": "M€",
    "budget_meur": "M€", "period_budget_meur": "M€", "budget_used_share": "share (0–1)",
    "public_cost_share": "share (0–1)", "cost_weight": "€ of public cost per € paid", "used_share": "share (0–1)",
    "commitments_meur": "M€", "cash_meur": "M€", "target_shadow_eur_per_t": "€ per t of annual abatement",
    "co2_price_eur_per_t": "€/t",
}
_SAVES = {"en": "saves", "nl": "bespaart"}


def _frame(rows: list[dict], index: list[str], columns: list[str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=(index + columns) if columns is not None else None)
    if df.empty and columns is None:
        df = pd.DataFrame(columns=index)
    df = df.set_index(index) if index else df
    df.attrs["units"] = {c: UNITS[c] for c in df.columns if c in UNITS}
    return df


def _year(year) -> object:
    return pd.NA if year is None else int(year)


# ---------------------------------------------------------------- a plan

def measures(result: PlanResult) -> pd.DataFrame:
    """One row per measure (index ``measure_id``): what the plan does with it by the target year."""
    inp = result.input
    T = inp.settings.target_year
    rows = []
    for mid, mr in result.measures.items():
        m = inp.measures[mid]
        rows.append({
            "measure_id": mid, "name": m.name, "sector": m.sector, "cluster": m.cluster, "status": mr.status,
            "committed_share": mr.committed.get(T, 0.0), "max_share": m.max_share,
            "commit_year": mr.commit_year, "abatement_mt": mr.abatement_mt,
            "potential_mt": m.abatement_mt * m.max_share, "gap_eur_per_t": mr.gap_eur_per_t,
            "subsidy_meur": sum(mr.subsidy_meur.values()), "public_cost_meur": mr.public_cost_meur,
            "paid_eur_per_t": mr.eur_per_t, "reduced_cost_eur_per_t": mr.reduced_cost_eur_per_t,
            "reason": mr.reason, "blocked_by": _limits(mr.blocked_by), "competes_for": _limits(mr.competes_for),
        })
    df = _frame(rows, ["measure_id"])
    if not df.empty:
        df["commit_year"] = df["commit_year"].astype("Int64")
        for c in ("paid_eur_per_t", "reduced_cost_eur_per_t"):  # None (not defined) as NaN
            df[c] = df[c].astype(float)
    return df


def _limits(limits: list[dict]) -> str:
    return "; ".join(" ".join(str(p) for p in (lim["kind"], lim["id"], lim.get("year")) if p not in (None, ""))
                     for lim in limits)


def measure_years(result: PlanResult) -> pd.DataFrame:
    """One row per measure and year (index ``measure_id``, ``year``): newly committed, committed and
    operating share, abatement operating and subsidy committed that year."""
    inp = result.input
    rows = []
    for mid, mr in result.measures.items():
        a = inp.measures[mid].abatement_mt
        by_year: dict[int, float] = {}
        for (_, y), v in mr.subsidy_by_year.items():
            by_year[y] = by_year.get(y, 0.0) + v
        for y in inp.years:
            operating = mr.operating_by_year.get(y, 0.0)
            rows.append({"measure_id": mid, "year": y, "new_share": mr.new.get(y, 0.0),
                         "committed_share": mr.committed.get(y, 0.0), "operating_share": operating,
                         "abatement_mt": a * operating, "subsidy_meur": by_year.get(y, 0.0)})
    return _frame(rows, ["measure_id", "year"], ["new_share", "committed_share", "operating_share",
                                                 "abatement_mt", "subsidy_meur"])


def subsidies(result: PlanResult) -> pd.DataFrame:
    """Every subsidy commitment (index ``measure_id``, ``instrument_id``, ``year``): M€ committed."""
    rows = [{"measure_id": mid, "instrument_id": i, "year": y, "subsidy_meur": v}
            for mid, mr in result.measures.items() for (i, y), v in sorted(mr.subsidy_by_year.items(),
                                                                           key=lambda kv: (kv[0][1], kv[0][0]))]
    return _frame(rows, ["measure_id", "instrument_id", "year"], ["subsidy_meur"])


def instruments(result: PlanResult) -> pd.DataFrame:
    """One row per instrument (index ``instrument_id``): subsidy committed over all years, public cost,
    yearly budgets summed and the period budget (NaN where the instrument has none)."""
    inp = result.input
    total = result.public_cost_meur
    funded: dict[str, int] = {i: 0 for i in inp.instruments}
    for mr in result.measures.values():
        for i, v in mr.subsidy_meur.items():
            if v > TOL:
                funded[i] += 1
    rows = []
    for i, inst in inp.instruments.items():
        spend = sum(result.spend_meur[(i, y)] for y in inp.years)
        rows.append({"instrument_id": i, "name": inst.name, "kind": inst.kind, "cost_weight": inst.cost_weight,
                     "subsidy_meur": spend, "public_cost_meur": result.instrument_cost_meur[i],
                     "public_cost_share": result.instrument_cost_meur[i] / total if total > 0 else 0.0,
                     "budget_meur": sum(inp.budgets[i][y] for y in inp.years),
                     "period_budget_meur": inst.period_budget_meur, "measures_funded": funded[i]})
    df = _frame(rows, ["instrument_id"])
    if "period_budget_meur" in df:
        df["period_budget_meur"] = df["period_budget_meur"].astype(float)
    return df


def instrument_years(result: PlanResult) -> pd.DataFrame:
    """One row per instrument and year (index ``instrument_id``, ``year``): subsidy committed against the
    year's budget."""
    inp = result.input
    rows = []
    for i, inst in inp.instruments.items():
        for y in inp.years:
            spend, budget = result.spend_meur[(i, y)], inp.budgets[i][y]
            rows.append({"instrument_id": i, "year": y, "subsidy_meur": spend, "budget_meur": budget,
                         "budget_used_share": spend / budget if budget > 0 else float("nan"),
                         "public_cost_meur": inst.cost_weight * spend})
    return _frame(rows, ["instrument_id", "year"], ["subsidy_meur", "budget_meur", "budget_used_share",
                                                    "public_cost_meur"])


def resources(result: PlanResult) -> pd.DataFrame:
    """One row per resource and year (index ``resource_id``, ``year``): use against capacity, both in the
    resource's own ``unit`` (MW, FTE, kt H2/yr, …); ``kind`` stock (used while operating) or flow
    (while being built)."""
    inp = result.input
    rows = []
    for r, res in inp.resources.items():
        for y in inp.years:
            use, cap = result.resource_use[(r, y)], res.capacity[y]
            rows.append({"resource_id": r, "year": y, "name": res.name, "kind": res.kind, "unit": res.unit,
                         "use": use, "capacity": cap, "used_share": use / cap if cap > 0 else float("nan")})
    return _frame(rows, ["resource_id", "year"], ["name", "kind", "unit", "use", "capacity", "used_share"])


def targets(result: PlanResult, lang: str = "en") -> pd.DataFrame:
    """One row per target year (index ``year``): required reduction, abatement, shortfall, and the
    target's shadow price (the marginal value of abatement) with its unit."""
    inp = result.input
    f = family(TARGET)
    rows = []
    for y, required in result.target_mt.items():
        short = result.shortfall_mt.get(y, 0.0)
        rows.append({"year": y, "required_mt": required, "abatement_mt": result.abatement_mt.get(y, 0.0),
                     "shortfall_mt": short, "met": short <= TOL,
                     "shadow_price": result.shadow.get(TARGET, {}).get(y, 0.0),
                     "shadow_price_unit": f.shadow_unit_of(inp, y, lang)})
    return _frame(rows, ["year"], ["required_mt", "abatement_mt", "shortfall_mt", "met", "shadow_price",
                                   "shadow_price_unit"])


_LIMIT_INDEX = ["family", "id", "year"]
_LIMIT_COLUMNS = ["shadow_price", "unit", "kind", "label", "limit", "binding"]


def _limit_row(result: PlanResult, name: str, key, value: float, lang: str) -> dict:
    inp = result.input
    f = family(name)
    ident, year = f.split(key)
    return {"family": f.name, "id": "" if ident is None else str(ident), "year": _year(year),
            "shadow_price": value, "unit": f.shadow_unit_of(inp, key, lang), "kind": f.kind,
            "label": f.label(lang), "limit": f.in_words(inp, key, lang), "binding": value > TOL}


def _limits_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=_LIMIT_INDEX + columns)
    df["year"] = df["year"].astype("Int64")
    df = df.set_index(_LIMIT_INDEX)
    df.attrs["units"] = {"shadow_price": "in the unit column: how much the objective falls per unit the "
                                         "limit is relaxed"}
    return df


def shadow_prices(result: PlanResult, lang: str = "en") -> pd.DataFrame:
    """The shadow price of every limit of every reported family of the registry (index ``family``,
    ``id``, ``year``; ``id`` '' and ``year`` <NA> where a limit has none): how much the objective falls
    (M€, or Mt/yr when maximising abatement) per unit the limit is relaxed; 0 when it does not bind."""
    rows = [_limit_row(result, f.name, key, value, lang)
            for f in reported() for key, value in result.shadow.get(f.name, {}).items()]
    return _limits_frame(rows, _LIMIT_COLUMNS)


def binding(result: PlanResult, lang: str = "en") -> pd.DataFrame:
    """The limits with a positive shadow price, with what relaxing each one saves: the policy limits
    (targets, budgets, resources, …) first, then the limits of single measures, each largest first."""
    inp = result.input
    rows = []
    for name, key, value in sorted(result.binding(), key=lambda b: (family(b[0]).kind != "policy", -b[2])):
        row = _limit_row(result, name, key, value, lang)
        f = family(name)
        row["meaning"] = (f"{f.relaxed(inp, key, lang)} {_SAVES.get(lang, 'saves')} "
                          f"{value * f.step:,.3g} {objective_unit(inp)}")
        rows.append(row)
    return _limits_frame(rows, _LIMIT_COLUMNS + ["meaning"])


def cash(result: PlanResult) -> pd.DataFrame:
    """Commitments and cash per instrument and year (index ``instrument_id``, ``year``), from the plan's
    cash projection (the plan JSON's ``commitments_meur`` and ``cash_meur``, MODEL.md §13).

    A plan without a cash projection gives an empty frame with these columns; ``attrs["released_meur"]``
    holds the released money (vrijval) per instrument when the result has it.
    """
    data = cash_of(result)
    commitments, paid = data.get("commitments_meur", {}), data.get("cash_meur", {})
    keys = sorted({(i, int(y)) for part in (commitments, paid) for i, by_year in part.items() for y in by_year},
                  key=lambda k: (list(result.input.instruments).index(k[0]) if k[0] in result.input.instruments
                                 else len(result.input.instruments), k[0], k[1]))
    rows = [{"instrument_id": i, "year": y, "commitments_meur": commitments.get(i, {}).get(str(y), 0.0) or 0.0,
             "cash_meur": paid.get(i, {}).get(str(y), 0.0) or 0.0} for i, y in keys]
    df = _frame(rows, ["instrument_id", "year"], ["commitments_meur", "cash_meur"])
    df.attrs["released_meur"] = dict(data.get("released_meur", {}))
    return df


# ---------------------------------------------------------------- IAMC

def iamc(series: list[Series]) -> pd.DataFrame:
    """The IAMC wide table (columns model, scenario, region, variable, unit, then one per year), ready for
    ``pyam.IamDataFrame(frame)``."""
    header, rows = table(series)
    return pd.DataFrame(rows, columns=header) if rows else pd.DataFrame(columns=list(IAMC_INDEX))


# ---------------------------------------------------------------- a sweep

def sweep_points(run: SweepRun) -> pd.DataFrame:
    """One row per point (index ``point``): the varied values (one column each, named by their key), the
    status, public cost and objective, and in the target year the required reduction, abatement,
    shortfall and the target's shadow price (the marginal value of abatement)."""
    T = run.base.settings.target_year
    rows = []
    for p in run.points:
        row = {"point": p.number, **p.values, "status": p.status, "public_cost_meur": p.public_cost_meur,
               "objective_meur": p.objective_meur, "required_mt": p.target_mt.get(T),
               "abatement_mt": p.abatement_mt.get(T), "shortfall_mt": p.shortfall_mt.get(T),
               "target_shadow_eur_per_t": p.shadow.get((TARGET, T)) if p.ok else None,
               "solver": p.solver_note, "message": p.message}
        rows.append(row)
    df = _frame(rows, ["point"])
    for c in ("public_cost_meur", "objective_meur", "required_mt", "abatement_mt", "shortfall_mt",
              "target_shadow_eur_per_t"):
        if c in df:
            df[c] = df[c].astype(float)
    return df


def sweep_spend(run: SweepRun) -> pd.DataFrame:
    """Subsidy committed per point and instrument over all years (index ``point``, ``instrument_id``)."""
    rows = [{"point": p.number, "instrument_id": i, "subsidy_meur": v}
            for p in run.points if p.ok for i, v in p.spend_meur.items()]
    return _frame(rows, ["point", "instrument_id"], ["subsidy_meur"])


def sweep_shadow_prices(run: SweepRun, lang: str = "en") -> pd.DataFrame:
    """Per point, the target's shadow price and every binding limit (index ``point``, ``family``, ``id``,
    ``year``), from the registry like a plan's."""
    inp = run.base
    rows = []
    for p in run.points:
        for (name, key), value in p.shadow.items():
            f = family(name)
            ident, year = f.split(key)
            rows.append({"point": p.number, "family": f.name, "id": "" if ident is None else str(ident),
                         "year": _year(year), "shadow_price": value, "unit": f.shadow_unit_of(inp, key, lang),
                         "kind": f.kind, "limit": f.in_words(inp, key, lang)})
    df = pd.DataFrame(rows, columns=["point"] + _LIMIT_INDEX + ["shadow_price", "unit", "kind", "limit"])
    df["year"] = df["year"].astype("Int64")
    return df.set_index(["point"] + _LIMIT_INDEX)


# ---------------------------------------------------------------- a comparison

def differences(comparison: Comparison) -> pd.DataFrame:
    """Everything that changed from plan A to plan B, one row each, in the comparison's section order."""
    rows = [{"section": d.section, "item": d.item, "unit": d.unit, "a": d.a, "b": d.b, "change": d.change,
             "note": d.note} for d in comparison.differences]
    return pd.DataFrame(rows, columns=["section", "item", "unit", "a", "b", "change", "note"])


def compared_measures(comparison: Comparison) -> pd.DataFrame:
    """Every measure side by side (index ``measure_id``): status, committed share and public cost in A and B."""
    rows = [{"measure_id": r["measure_id"], "name": r["name"], "status_a": r["status_a"], "status_b": r["status_b"],
             "committed_share_a": r["share_a"], "committed_share_b": r["share_b"],
             "public_cost_meur_a": r["cost_a"], "public_cost_meur_b": r["cost_b"], "change": r["change"]}
            for r in comparison.measures]
    df = _frame(rows, ["measure_id"], ["name", "status_a", "status_b", "committed_share_a", "committed_share_b",
                                       "public_cost_meur_a", "public_cost_meur_b", "change"])
    df.attrs["units"] = {"committed_share_a": UNITS["committed_share"], "committed_share_b": UNITS["committed_share"],
                         "public_cost_meur_a": "M€", "public_cost_meur_b": "M€"}
    return df

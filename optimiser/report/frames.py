"""pandas DataFrames of plans, sweeps and comparisons (what the Python API returns).

The one report module that imports pandas: the CLI never imports it, so a
``policymix plan`` does not pay for pandas. Every frame is tidy: one row per
item (per item and year where values change by year), ids as the index
(a MultiIndex where a row has several), one column per quantity, and units in
column names the way the workbook spells them: ``_meur`` (M€), ``_mt`` (Mt
CO2-eq/yr), ``_eur_per_t`` (€/t), ``_share`` (0–1). Columns whose unit varies
by row (resource use, shadow prices) carry a ``unit`` column beside them.
``frame.attrs["units"]`` maps every numeric column to its unit in words.

A plan's frames are its tables of the result-field registry
(:mod:`optimiser.model.fields`): :func:`table` makes the frame of any table —
``measures``, ``measure_years``, ``subsidies``, ``instruments``,
``instrument_years``, ``cash``, ``resources``, ``targets`` — from the fields
the frames show, each a column named as the field (as the JSON key where the
field has one); a sweep's points and a futures run's futures are frames of
their headline records (:func:`records`). Shadow prices and binding limits are
read from the constraint-family registry (:mod:`optimiser.model.families`):
every reported family appears, labelled and worded in the language asked for;
no family and no field is named here.
"""

from __future__ import annotations

import pandas as pd

from ..analysis.compare import Comparison
from ..analysis.sweep import SweepRun
from ..model.families import family, reported
from ..model.fields import COMPARE, FRAME, INSTRUMENTS, MEASURES, PLAN, TARGETS, Field, Headline, Table, fields
from ..model.results import TOL, PlanResult
from . import words
from .iamc import INDEX as IAMC_INDEX
from .iamc import Series, table as iamc_table


def _dtypes(df: pd.DataFrame, cols: list[Field]) -> pd.DataFrame:
    """Numbers as floats (None as NaN), years and counts as nullable integers; text as it is."""
    for f in cols:
        if f.name not in df or f.fmt is None:
            continue
        df[f.name] = df[f.name].astype("Int64" if f.unit in ("year", "count") else float)
    return df


def _units(cols: list[Field]) -> dict[str, str]:
    return {f.name: f.unit for f in cols if f.unit}


def table(result: PlanResult, which: Table) -> pd.DataFrame:
    """The frame of one table of a plan: its keys as the index, a column per field the frames show."""
    cols = fields(which, FRAME)
    index = [axis.index for axis in which.axes]
    rows = [dict(zip(index, key), **{f.name: f.value(result, *key) for f in cols}) for key in which.rows(result)]
    df = pd.DataFrame(rows, columns=index + [f.name for f in cols])
    df = _dtypes(df, cols)
    if "year" in index:
        df["year"] = df["year"].astype(int)
    df = df.set_index(index)
    df.attrs["units"] = _units(cols)
    return df



def _year(year) -> object:
    return pd.NA if year is None else int(year)


# ---------------------------------------------------------------- a plan's limits

_LIMIT_INDEX = ["family", "id", "year"]
_LIMIT_COLUMNS = ["shadow_price", "unit", "kind", "label", "limit", "binding"]


def _limit_row(result: PlanResult, name: str, key, value: float, lang: str) -> dict:
    inp = result.input
    f = family(name)
    ident, year = f.split(key)
    return {"family": f.name, "id": "" if ident is None else str(ident), "year": _year(year),
            "shadow_price": value, "unit": f.shadow_unit_of(inp, key, lang), "kind": f.kind,
            "label": f.text("label", lang), "limit": f.in_words(inp, key, lang), "binding": value > TOL}


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
    """The limits with a positive shadow price, with what relaxing each one does ("saves … M€" when
    minimising cost, "adds … Mt CO2-eq/yr of abatement" when maximising it, in the run's language): the policy
    limits (targets, budgets, resources, …) first, then the limits of single measures, each largest first."""
    rows = []
    for name, key, value in sorted(result.binding(), key=lambda b: (family(b[0]).kind != "policy", -b[2])):
        row = _limit_row(result, name, key, value, lang)
        row["meaning"] = words.limit_sentence(result, name, key, value)
        rows.append(row)
    return _limits_frame(rows, _LIMIT_COLUMNS + ["meaning"])


# ---------------------------------------------------------------- IAMC

def iamc(series: list[Series]) -> pd.DataFrame:
    """The IAMC wide table (columns model, scenario, region, variable, unit, then one per year), ready for
    ``pyam.IamDataFrame(frame)``."""
    header, rows = iamc_table(series)
    return pd.DataFrame(rows, columns=header) if rows else pd.DataFrame(columns=list(IAMC_INDEX))


# ---------------------------------------------------------------- headline records: sweeps, futures

def records(items: list[tuple[dict, Headline]], target_year: int, *, extra: list[str] = ()) -> pd.DataFrame:
    """One row per record (a sweep point, a future): its own columns (the first of which is the index), then
    the headline fields the frames show, a field per target year in ``target_year``."""
    cols = [f for f in fields(view=FRAME) if f.headline and f.table in (PLAN, TARGETS)]
    own = list(items[0][0]) if items else []
    rows = [dict(first, **{f.name: record.get(f, target_year if f.table is TARGETS else None) for f in cols})
            for first, record in items]
    index = own[:1] or ["number"]
    order = own + [f.name for f in cols] + [c for c in extra if c not in own]
    df = _dtypes(pd.DataFrame(rows, columns=order or index), cols)
    df = df.set_index(index)
    df.attrs["units"] = _units(cols)
    return df


def records_by_instrument(items: list[tuple[object, Headline]], index: str) -> pd.DataFrame:
    """The headline fields per instrument of each record, one row per record and instrument."""
    cols = [f for f in fields(INSTRUMENTS, FRAME) if f.headline]
    rows = []
    for number, record in items:
        instruments = dict.fromkeys(i for f in cols for i in (record.get(f) or {}))
        rows += [{index: number, "instrument_id": i, **{f.name: record.get(f, i) for f in cols}} for i in instruments]
    df = _dtypes(pd.DataFrame(rows, columns=[index, "instrument_id"] + [f.name for f in cols]), cols)
    df = df.set_index([index, "instrument_id"])
    df.attrs["units"] = _units(cols)
    return df


def sweep_points(run: SweepRun) -> pd.DataFrame:
    """One row per point (index ``point``): the varied values (one column each, named by their key), then the
    point's headline figures (status, public cost and objective; in the target year the required reduction,
    abatement, shortfall and the target's marginal value; peak cash, …), how it was solved and why it failed."""
    T = run.base.settings.target_year
    items = [({"point": p.number, **p.values}, p.headline) for p in run.points]
    df = records(items, T, extra=["solver", "message"])
    df["solver"] = [p.solver_note for p in run.points]
    df["message"] = [p.message for p in run.points]
    return df


def sweep_spend(run: SweepRun) -> pd.DataFrame:
    """Subsidy committed per point and instrument over all years (index ``point``, ``instrument_id``)."""
    return records_by_instrument([(p.number, p.headline) for p in run.points if p.ok], "point")


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
    """Every measure side by side (index ``measure_id``): the fields a comparison shows (status, committed
    share, public cost, …), each as ``<name>_a`` and ``<name>_b``, and what changed."""
    cols = fields(MEASURES, COMPARE)
    a, b = comparison.a["measures"], comparison.b["measures"]
    rows = []
    for r in comparison.measures:
        m = r["measure_id"]
        row = {"measure_id": m}
        for f in cols:
            if f.name == "name":
                row["name"] = r["name"]
                continue
            row[f"{f.name}_a"] = (a.get(m) or {}).get(f.key)
            row[f"{f.name}_b"] = (b.get(m) or {}).get(f.key)
        row["change"] = r["change"]
        rows.append(row)
    names = [c for f in cols for c in (["name"] if f.name == "name" else [f"{f.name}_a", f"{f.name}_b"])]
    df = pd.DataFrame(rows, columns=["measure_id"] + names + ["change"]).set_index("measure_id")
    df.attrs["units"] = {f"{f.name}_{side}": f.unit for f in cols if f.unit for side in "ab"}
    return df

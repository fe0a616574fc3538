"""Small input tables and workbooks for tests: built in code so every number is visible."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from optimiser.input.manifest import RESULT_DOCUMENT_SHEET
from optimiser.report.inputs import write_input_workbook

YEARS = [2024, 2025, 2026]


def yearly(value, years=YEARS):
    return {y: value for y in years}


def settings_rows(start=2024, target=2026, reduction=3.0, **extra):
    rows = [
        {"key": "scenario_name", "value": "test"},
        {"key": "start_year", "value": start},
        {"key": "target_year", "value": target},
        {"key": "target_reduction_mt", "value": reduction},
    ]
    rows += [{"key": k, "value": v} for k, v in extra.items()]
    return rows


def measure(mid, abatement, cost, *, support=10, eligible="G", **kw):
    row = {"measure_id": mid, "name": mid.upper(), "sector": "test", "cluster": kw.pop("cluster", "north"),
           "abatement_mt": abatement, "cost_eur_per_t": cost, "support_years": support,
           "eligible_instruments": tuple(p for p in eligible.split(";") if p)}
    row.update(kw)
    return row


def tables(measures=None, instruments=None, budgets=None, resources=None, usage=None, prices=None,
           targets=None, scenarios=None, years=YEARS, reduction=3.0, committed=None, cash_limits=None, **settings):
    """A complete, valid table set; pass only what a test is about."""
    t = {
        "settings": settings_rows(years[0], years[-1], reduction, **settings),
        "measures": measures if measures is not None else [
            measure("a", 1.0, 50), measure("b", 2.0, 80), measure("c", 2.0, 120),
        ],
        "instruments": instruments if instruments is not None else [{"instrument_id": "G", "name": "grant"}],
        "budgets": budgets if budgets is not None else [{"instrument_id": "G", **yearly(1e6, years)}],
        "resources": resources if resources is not None else [],
        "usage": usage if usage is not None else [],
        "prices": prices if prices is not None else [{"parameter": "co2_price_eur_per_t", **yearly(0.0, years)}],
    }
    if targets is not None:
        t["targets"] = targets
    if scenarios is not None:
        t["scenarios"] = scenarios
    if committed is not None:
        t["committed"] = committed
    if cash_limits is not None:
        t["cash_limits"] = cash_limits
    for sheet_rows in t.values():
        for n, r in enumerate(sheet_rows, start=2):
            r.setdefault("_row", n)
    return copy.deepcopy(t)


def workbook(path: Path, t: dict, years=YEARS) -> Path:
    write_input_workbook(t, years, path)
    return path


ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=None, check_code=None, timeout=300):
    """Run ``python -m optimiser ARGS`` as a user would; assert the exit code when given."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "optimiser", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)
    if check_code is not None:
        assert proc.returncode == check_code, proc.stdout + proc.stderr
    return proc


def grid_case(**extra):
    """The three-measure case with a grid (API, IAMC and --save-lp tests): target 2.5 Mt; a (1 Mt, 50 €/t, north,
    100 MW of grid per share): half of it fits the 50 MW grid (250 M€); b (2 Mt, 80 €/t, south): all of it
    (1 600 M€); c (2 Mt, 120 €/t, south) is lumpy, so the model is a MIP."""
    return tables(
        reduction=2.5,
        measures=[measure("a", 1.0, 50, cluster="north"), measure("b", 2.0, 80, cluster="south"),
                  measure("c", 2.0, 120, cluster="south", lumpy="yes")],
        resources=[{"resource_id": "grid_north", "name": "grid north", "kind": "stock", "unit": "MW",
                    **yearly(50.0)}],
        usage=[{"measure_id": "a", "resource_id": "grid_north", "amount": 100.0}],
        **extra,
    )


# ---------------------------------------------------------------- the result a plan workbook stores

def stored(path: Path) -> dict:
    """The result a plan workbook stores in its hidden sheet (what compare and replan read)."""
    ws = openpyxl.load_workbook(path)[RESULT_DOCUMENT_SHEET]
    return json.loads("".join(str(r[0]) for r in ws.iter_rows(max_col=1, values_only=True) if r and r[0]))


def edited(plan: Path, to: Path, change=None, sheet_edit=None) -> Path:
    """A copy of ``plan`` with its stored result changed by ``change(document)`` (the hidden sheet rewritten as
    a user with Excel would) and its sheets by ``sheet_edit(workbook)``."""
    wb = openpyxl.load_workbook(plan)
    if change is not None:
        document = stored(plan)
        change(document)
        ws = wb[RESULT_DOCUMENT_SHEET]
        ws.delete_rows(1, ws.max_row)
        text = json.dumps(document)
        for n, k in enumerate(range(0, len(text), 30000), start=1):
            ws.cell(row=n, column=1, value=text[k:k + 30000])
    if sheet_edit is not None:
        sheet_edit(wb)
    wb.save(to)
    return to

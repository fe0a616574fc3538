"""The shipped default workbook: generated from inputs/data, every scenario runs, and it behaves sanely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from optimiser.pipeline import default_workbook, load, solve_input
from optimiser.input.scenario import apply_overrides, parse_override

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ["high-co2", "low-co2", "grid-delay", "labour-crunch", "ccs-delay", "no-maatwerk", "hydrogen-short",
             "pbl-pessimistic"]


@pytest.fixture(scope="module")
def base():
    wb, inp, _ = load(None)
    return inp, solve_input(inp)


def _cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_shipped_workbook_is_what_the_script_generates(tmp_path):
    out = tmp_path / "default.xlsx"
    subprocess.run([sys.executable, str(ROOT / "inputs" / "make_default.py"), "-o", str(out)], check=True,
                   capture_output=True)
    assert _cells(out) == _cells(default_workbook()), "run: python inputs/make_default.py"


def test_the_default_answers_the_question(base):
    inp, r = base
    assert inp.settings.start_year == 2024 and inp.settings.target_year == 2030
    assert inp.settings.target_reduction_mt == pytest.approx(20.2)
    assert inp.settings.base_year_emissions_mt == pytest.approx(49.8)
    assert len(inp.measures) >= 40
    clusters = {m.cluster for m in inp.measures.values()}
    assert len(clusters) >= 6
    assert {"SDE++", "NIKI", "VEKI", "maatwerk"} <= set(inp.instruments)
    assert r.public_cost_meur > 0
    # every measure, instrument and resource row carries a source
    assert all(m.source for m in inp.measures.values())
    assert all(i.source for i in inp.instruments.values())
    assert all(res.source for res in inp.resources.values())


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_default_scenario_runs(name, base):
    _, inp, applied = load(None, name)
    assert applied, f"scenario {name} changes nothing"
    r = solve_input(inp)
    assert r.status in ("target_met", "target_not_met")
    assert r.objective_meur >= 0


def _objective(inp, *specs):
    return solve_input(apply_overrides(inp, [parse_override(op, text) for op, text in specs])).objective_meur


def test_tightening_any_limit_never_lowers_the_objective(base):
    inp, r = base
    for rid in inp.resources:
        assert _objective(inp, ("scale", f"resources:{rid}:*=0.7")) >= r.objective_meur - 1e-6, rid
    for iid in inp.instruments:
        assert _objective(inp, ("scale", f"budgets:{iid}:*=0.7")) >= r.objective_meur - 1e-6, iid


def test_a_higher_co2_price_never_raises_the_objective(base):
    inp, r = base
    assert _objective(inp, ("add", "prices:co2_price_eur_per_t:*=25")) <= r.objective_meur + 1e-6


def test_removing_maatwerk_never_lowers_the_objective(base):
    inp, r = base
    specs = [("set", "budgets:maatwerk:*=0")]
    if inp.instruments["maatwerk"].period_budget_meur is not None:
        specs.append(("set", "instruments:maatwerk:period_budget_meur=0"))
    assert _objective(inp, *specs) >= r.objective_meur - 1e-6


@pytest.mark.parametrize("script", ["make_default_summary.py", "make_rules_summary.py"])
def test_generated_docs_pages_are_up_to_date(script):
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / script), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + f"\nrun: python docs/{script}"

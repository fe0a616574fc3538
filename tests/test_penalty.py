"""The shortfall penalty P (MODEL.md section 3): derived from the data when the workbook does not set it.

Rule (docs/model.md): P = 10 × the dearest measure's gap × support years × cost weight (M€ per Mt/yr),
rounded up to 1, 2 or 5 × a power of ten, at least 1 000 €/t. A fixed 10 000 €/t sat below green
hydrogen's 8 600–8 850 M€ per Mt/yr once its cost rises to TNO's 12–14 €/kg: the plan then reported a
shortfall rather than fund it.
"""

from __future__ import annotations

import openpyxl
import pytest

from builders import measure, run, tables, workbook
from optimiser.input.tables import to_input
from optimiser.model.index import derived_penalty, shortfall_penalty
from optimiser.pipeline import load, run_plan, solve_input


def test_the_derived_penalty_is_ten_times_the_dearest_measure_rounded_up():
    # merit order a 50, b 80, c 120 €/t, 10 support years: c costs 1 200 M€ per Mt/yr; 10 × = 12 000 → 20 000
    inp = to_input(tables())
    assert derived_penalty(inp) == 20_000
    assert shortfall_penalty(inp) == 20_000
    # a cost weight counts: a tax deduction at weight 0.25 costs the state a quarter
    inp = to_input(tables(measures=[measure("a", 1.0, 300, eligible="T")],
                          instruments=[{"instrument_id": "T", "cost_weight": 0.25}],
                          budgets=[{"instrument_id": "T", 2024: 1e6, 2025: 1e6, 2026: 1e6}]))
    assert derived_penalty(inp) == 10_000  # 300 × 10 × 0.25 = 750 M€ per Mt/yr; × 10 = 7 500 → 10 000


def test_the_derived_penalty_has_a_floor():
    inp = to_input(tables(measures=[measure("a", 1.0, -20)]))  # needs no subsidy
    assert derived_penalty(inp) == 1_000


def test_a_missed_target_is_charged_the_derived_penalty():
    # 10 Mt wanted, 5 Mt possible: cost 500 + 1600 + 2400 = 4 500 M€ plus 20 000 × 5
    r = solve_input(to_input(tables(reduction=10.0)))
    assert r.shortfall_mt[2026] == pytest.approx(5.0)
    assert r.objective_meur == pytest.approx(4500 + 20_000 * 5)
    assert r.shadow["target"][2026] == pytest.approx(20_000)


def test_a_measure_dearer_than_the_old_fixed_penalty_is_funded():
    # d: 1 Mt at 1 100 €/t for 10 years = 11 000 M€ per Mt/yr, above the old fixed 10 000 €/t. The 6 Mt target
    # needs a, b, c and d: with P derived (10 × 11 000 → 200 000 €/t) d is funded and the target met.
    t = tables(reduction=6.0, measures=[measure("a", 1.0, 50), measure("b", 2.0, 80), measure("c", 2.0, 120),
                                        measure("d", 1.0, 1100)])
    r = solve_input(to_input(t))
    assert r.status == "target_met"
    assert r.measures["d"].committed_share == pytest.approx(1.0)
    assert r.public_cost_meur == pytest.approx(500 + 1600 + 2400 + 11_000)
    # with the old fixed penalty set by hand, d is left out — and the plan warns
    r = solve_input(to_input(dict(t, settings=t["settings"] + [{"key": "shortfall_penalty_eur_per_t",
                                                                "value": 10_000, "_row": 9}])))
    assert r.status == "target_not_met" and r.shortfall_mt[2026] == pytest.approx(1.0)
    assert r.warnings and "below the cost of 1 measure: D (11,000 M€ per Mt/yr)" in r.warnings[0]
    assert "200,000" in r.warnings[0]  # what the data would give


def test_no_warning_when_the_set_penalty_is_above_every_measure():
    r = solve_input(to_input(tables(shortfall_penalty_eur_per_t=5_000)))
    assert r.warnings == []


def test_the_cli_warns_and_the_about_sheet_states_the_penalty(tmp_path):
    src = workbook(tmp_path / "in.xlsx", tables(shortfall_penalty_eur_per_t=1_000))
    proc = run("plan", src, "-o", tmp_path / "p.xlsx", check_code=0)
    # only c (1 200 M€ per Mt/yr) costs more than 1 000; a and b cost 500 and 800
    assert "warning: the shortfall penalty set in the workbook (1,000 €/t per t/yr) is below the cost of 1 " \
           "measure: C (1,200 M€ per Mt/yr)" in proc.stderr
    src = workbook(tmp_path / "in2.xlsx", tables())
    out = tmp_path / "p2.xlsx"
    run_plan(src, output=out)
    about = [r for r in openpyxl.load_workbook(out)["About"].iter_rows(values_only=True) if r and r[0]]
    row = next(r for r in about if r[0] == "shortfall penalty P")
    assert row[1].startswith("20,000 € per t/yr of shortfall (M€ per Mt/yr), derived from the data")


def test_the_default_workbook_leaves_the_penalty_to_the_data():
    _, inp, _ = load(None)
    assert inp.settings.shortfall_penalty_eur_per_t is None
    # green hydrogen: (970 − 107.3) €/t × 10 years = 8 627 M€ per Mt/yr is the dearest (the 2027 price); → 100 000
    assert shortfall_penalty(inp) == 100_000

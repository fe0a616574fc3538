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
             "pbl-pessimistic", "levy-2026"]


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
    from optimiser.input.data import InputError
    from optimiser.model.cash import problems

    inp, r = base
    for rid in inp.resources:
        tighter = apply_overrides(inp, [parse_override("scale", f"resources:{rid}:*=0.7")])
        if problems(tighter):  # the decisions already taken fill it (Porthos, Northern Lights): refused as input
            assert rid in ("co2_porthos", "co2_northern_lights"), rid
            with pytest.raises(InputError):
                solve_input(tighter)
            continue
        assert solve_input(tighter).objective_meur >= r.objective_meur - 1e-6, rid
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


def test_the_decisions_taken_before_2024_are_in_the_default(base):
    inp, r = base
    past = {c.measure_id: c for c in inp.past_decisions}
    assert set(past) == {"porthos_shell_pernis", "porthos_other_capturers", "yara_ccs_northern_lights",
                         "pernis_green_h2"}
    assert not inp.forced_decisions
    # the 2 100 M€ Porthos reservation, split pro rata to tonnes (1.1 and 1.4 of 2.5 Mt)
    assert past["porthos_shell_pernis"].subsidy_meur + past["porthos_other_capturers"].subsidy_meur == 2100
    assert all(c.note for c in inp.committed)
    # they operate when their infrastructure does: Porthos and Yara from 2026, Holland Hydrogen 1 from 2027
    start = {m: c.year + inp.measures[m].lead_time_years for m, c in past.items()}
    assert start == {"porthos_shell_pernis": 2026, "porthos_other_capturers": 2026, "yara_ccs_northern_lights": 2026,
                     "pernis_green_h2": 2027}
    for m in past:
        assert r.measures[m].status == "funded" and r.measures[m].public_cost_meur == 0
    # the SDE++ pays per tonne while the plants run; the price outlook reaches 2045
    assert inp.instruments["SDE++"].payout == "operating" and max(inp.co2_price) >= 2045
    assert all(i.payout for i in inp.instruments.values())
    # Porthos: g = 924 / (1.1 Mt × 15 y) = 56 €/t, but c − p is 1.5 €/t in 2026 and 0 from 2027 (p ≥ 100.2):
    # 924 × 1.5 / (56 × 15) = 1.65 M€ in 2026 and nothing after, so almost all of it is released
    shell = r.cash.by_measure[("porthos_shell_pernis", "SDE++")]
    assert shell == {2026: pytest.approx(924 * 1.5 / (924 / 16.5 * 15))}
    assert r.cash.peak() is not None and r.cash.released_meur > 0


def test_levy_2026_leaves_the_ets_price_before_2030():
    _, inp, applied = load(None, "levy-2026")
    assert [inp.co2_price[y] for y in range(2025, 2031)] == [87.9, 85, 85, 85, 85, 85]
    assert inp.co2_price[2031] == 148.0  # after 2030 the outlook of the default

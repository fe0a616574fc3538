"""The shipped workbooks: generated from inputs/data, every figure sourced, every scenario runs, they behave sanely.

``default.xlsx`` is the world as of December 2026 (plans from 2027); ``ser-2023.xlsx`` is the SER advice's
question of December 2023 (plans from 2024). Both come from the same CSV files (inputs/make_default.py).
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from optimiser.input.scenario import apply_overrides, parse_override
from optimiser.pipeline import default_workbook, load, solve_input

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = {"default": "2026-12", "ser-2023": "ser-2023"}


@pytest.fixture(scope="module")
def solved():
    """Each shipped workbook's input and least-cost plan."""
    out = {}
    for name in EDITIONS:
        _, inp, _ = load(name)
        out[name] = (inp, solve_input(inp))
    return out


def _cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


@pytest.mark.parametrize("name", EDITIONS)
def test_shipped_workbook_is_what_the_script_generates(name, tmp_path):
    out = tmp_path / f"{name}.xlsx"
    subprocess.run([sys.executable, str(ROOT / "inputs" / "make_default.py"), "--edition", EDITIONS[name], "-o",
                    str(out)], check=True, capture_output=True)
    assert _cells(out) == _cells(default_workbook(name)), "run: python inputs/make_default.py"


def test_an_unknown_edition_in_a_csv_is_an_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for f in (ROOT / "inputs" / "data").glob("*.csv"):
        (data / f.name).write_text(f.read_text(encoding="utf-8").replace(",2026-12\n", ",2026-13\n", 1),
                                   encoding="utf-8")
    proc = subprocess.run([sys.executable, str(ROOT / "inputs" / "make_default.py"), "--data", str(data), "--edition",
                           "2026-12", "-o", str(tmp_path / "x.xlsx")], capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown edition 2026-13" in proc.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_every_source_key_of_the_data_is_explained_in_sources_md():
    """Every S-, A-, D- and U-key a CSV row cites has its entry in inputs/SOURCES.md."""
    sources = (ROOT / "inputs" / "SOURCES.md").read_text(encoding="utf-8")
    cited = set()
    for path in (ROOT / "inputs" / "data").glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                text = " ".join(v for k, v in row.items() if k in ("source", "note") and v)
                cited |= set(re.findall(r"\b(?:S|A)\d+\b|\b[DU]-[a-z0-9-]+\b", text))
    explained = {k for k in cited if re.search(rf"\*\*{re.escape(k)}\*\*|\| {re.escape(k)} \|", sources)}
    assert cited - explained == set()
    # the December 2026 edition's own keys are cited (SOURCES.md section 12)
    assert {"A28", "A29", "A30", "A31", "A32", "S69", "S70", "S71", "D-maatwerk-2026", "D-price-2026",
            "U-co2-2026"} <= cited


@pytest.mark.parametrize("name", EDITIONS)
def test_each_workbook_answers_its_question(name, solved):
    inp, r = solved[name]
    assert inp.settings.target_year == 2030
    assert inp.settings.target_reduction_mt == pytest.approx(20.2)
    assert inp.settings.base_year_emissions_mt == pytest.approx(49.8)
    assert len(inp.measures) >= 40
    assert len({m.cluster for m in inp.measures.values()}) >= 6
    assert {"SDE++", "NIKI", "VEKI", "maatwerk"} <= set(inp.instruments)
    # every measure, instrument and resource row carries a source
    assert all(m.source for m in inp.measures.values())
    assert all(i.source for i in inp.instruments.values())
    assert all(res.source for res in inp.resources.values())
    assert all(c.note for c in inp.committed)
    assert not inp.forced_decisions


def test_the_advices_workbook_keeps_its_answer(solved):
    """ser-2023: plan from 2024, every target met at the pinned 6,264.0 M€."""
    inp, r = solved["ser-2023"]
    assert inp.settings.start_year == 2024 and inp.settings.scenario_name == "ser-2023"
    assert r.status == "target_met"
    assert r.public_cost_meur == pytest.approx(6264.0, abs=0.05)
    assert r.abatement_mt[2030] == pytest.approx(20.2)
    assert r.shadow["target"][2030] == pytest.approx(1708.8, abs=0.1)
    assert inp.resources["co2_aramis"].capacity[2030] == 5.0


def test_the_default_is_the_world_as_of_december_2026(solved):
    inp, r = solved["default"]
    assert inp.settings.start_year == 2027 and inp.settings.scenario_name == "default"
    past = {c.measure_id: c for c in inp.past_decisions}
    # Nobian's binding maatwerk deal and the OWE small-scale round (2024) are decisions already taken
    assert past["nobian_electrification"].year == 2024 and past["nobian_electrification"].subsidy_meur == 185
    assert past["nobian_electrification"].instrument_id == "maatwerk"
    assert past["small_scale_electrolysers"].instrument_id == "OWE"
    assert past["small_scale_electrolysers"].subsidy_meur == pytest.approx(245.6)
    # Aramis stores nothing through 2030; Porthos runs from 2026
    assert all(v == 0 for v in inp.resources["co2_aramis"].capacity.values())
    assert inp.resources["co2_porthos"].capacity[2027] == 2.5
    # the levy (78.67 €/t) sits below the ETS outlook, so the price is the ETS's
    assert [inp.co2_price[y] for y in range(2027, 2031)] == [107.3, 110.9, 110.9, 110.9]
    assert all(inp.co2_price[y] > 78.67 for y in range(2027, 2031))
    # SDE++: only the 2026 round (awarded 2027) has money; the TCTF electrification scheme has closed
    assert [inp.budgets["SDE++"][y] for y in range(2027, 2031)] == [3200, 0, 0, 0]
    assert all(inp.budgets["electrification"][y] == 0 for y in inp.years)
    assert inp.instruments["maatwerk"].period_budget_meur == 3000 - 185


def test_the_default_no_longer_meets_the_target(solved):
    """The pinned answer of December 2026: 11.01 Mt in 2030, 9.19 Mt short, at 4,282.7 M€."""
    inp, r = solved["default"]
    assert r.status == "target_not_met"
    assert r.abatement_mt[2030] == pytest.approx(11.013, abs=1e-3)
    assert r.shortfall_mt[2030] == pytest.approx(9.187, abs=1e-3)
    assert r.public_cost_meur == pytest.approx(4282.7, abs=0.1)
    # what was decided before 2027 runs and costs the plan nothing
    for m in ("porthos_shell_pernis", "porthos_other_capturers", "yara_ccs_northern_lights", "pernis_green_h2",
              "nobian_electrification", "small_scale_electrolysers"):
        assert r.measures[m].status == "decided before start_year" and r.measures[m].public_cost_meur == 0, m
    # Tata's DRI (5 years' lead time) and every Aramis-bound capture plant cannot run in 2030
    for m in ("tata_dri_eaf", "tata_ccs_blast_furnaces", "refinery_ccs_aramis", "dow_path2zero_phase1"):
        assert r.measures[m].abatement_mt == 0, m


def test_what_no_money_buys_before_2030():
    """--elastic on the default: even with every budget and limit relaxed, 4.58 Mt stays short (lead times), and
    what must give includes Aramis storage and the Chemelot grid, which no one can deliver before 2031."""
    _, inp, _ = load(None, overrides=[("set", "settings:elastic=yes")])
    r = solve_input(inp)
    assert r.shortfall_mt[2030] == pytest.approx(4.58, abs=1e-3)
    given = {(x["id"], x["year"]) for x in r.relaxations}
    assert ("co2_aramis", "2030") in given and ("grid_chemelot", "2030") in given
    # Tata with its own three-year schedule adds its 5 Mt (its grid in the Noordzeekanaalgebied crowds out a little)
    _, tata, _ = load(None, "tata-2030")
    assert solve_input(tata).abatement_mt[2030] == pytest.approx(16.005, abs=1e-3)


@pytest.mark.parametrize("name,scenario", [(n, s) for n in EDITIONS for s in sorted(
    {row.scenario for row in load(n)[1].scenarios})])
def test_every_scenario_of_both_workbooks_runs(name, scenario):
    _, inp, applied = load(name, scenario)
    assert applied, f"scenario {scenario} changes nothing"
    r = solve_input(inp)
    assert r.status in ("target_met", "target_not_met")
    assert r.objective_meur >= 0


def _objective(inp, *specs):
    return solve_input(apply_overrides(inp, [parse_override(op, text) for op, text in specs])).objective_meur


@pytest.mark.parametrize("name", EDITIONS)
def test_tightening_any_limit_never_lowers_the_objective(name, solved):
    from optimiser.input.data import InputError
    from optimiser.model.cash import problems

    inp, r = solved[name]
    for rid in inp.resources:
        tighter = apply_overrides(inp, [parse_override("scale", f"resources:{rid}:*=0.7")])
        if problems(tighter):  # the decisions already taken fill it: refused as input
            assert rid in ("co2_porthos", "co2_northern_lights", "grid_noord_nederland",
                           "grid_rotterdam_moerdijk"), rid
            with pytest.raises(InputError):
                solve_input(tighter)
            continue
        assert solve_input(tighter).objective_meur >= r.objective_meur - 1e-6, rid
    for iid in inp.instruments:
        assert _objective(inp, ("scale", f"budgets:{iid}:*=0.7")) >= r.objective_meur - 1e-6, iid


@pytest.mark.parametrize("name", EDITIONS)
def test_a_higher_co2_price_never_raises_the_objective(name, solved):
    inp, r = solved[name]
    assert _objective(inp, ("add", "prices:co2_price_eur_per_t:*=25")) <= r.objective_meur + 1e-6


@pytest.mark.parametrize("name", EDITIONS)
def test_removing_maatwerk_never_lowers_the_objective(name, solved):
    inp, r = solved[name]
    specs = [("set", "budgets:maatwerk:*=0")]
    if inp.instruments["maatwerk"].period_budget_meur is not None:
        specs.append(("set", "instruments:maatwerk:period_budget_meur=0"))
    assert _objective(inp, *specs) >= r.objective_meur - 1e-6


@pytest.mark.parametrize("script", ["make_default_summary.py", "make_rules_summary.py", "make_editions_summary.py"])
def test_generated_docs_pages_are_up_to_date(script):
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / script), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + f"\nrun: python docs/{script}"


def test_the_decisions_taken_before_2024_are_in_the_advices_workbook(solved):
    inp, r = solved["ser-2023"]
    past = {c.measure_id: c for c in inp.past_decisions}
    assert set(past) == {"porthos_shell_pernis", "porthos_other_capturers", "yara_ccs_northern_lights",
                         "pernis_green_h2"}
    # the 2 100 M€ Porthos reservation, split pro rata to tonnes (1.1 and 1.4 of 2.5 Mt)
    assert past["porthos_shell_pernis"].subsidy_meur + past["porthos_other_capturers"].subsidy_meur == 2100
    # they operate when their infrastructure does: Porthos and Yara from 2026, Holland Hydrogen 1 from 2027
    start = {m: c.year + inp.measures[m].lead_time_years for m, c in past.items()}
    assert start == {"porthos_shell_pernis": 2026, "porthos_other_capturers": 2026, "yara_ccs_northern_lights": 2026,
                     "pernis_green_h2": 2027}
    for m in past:
        assert r.measures[m].status == "decided before start_year" and r.measures[m].public_cost_meur == 0
    # the SDE++ pays per tonne while the plants run; the price outlook reaches 2045
    assert inp.instruments["SDE++"].payout == "operating" and max(inp.co2_price) >= 2045
    assert all(i.payout for i in inp.instruments.values())
    # Porthos: g = 924 / (1.1 Mt × 15 y) = 56 €/t, but c − p is 1.5 €/t in 2026 and 0 from 2027 (p ≥ 100.2):
    # 924 × 1.5 / (56 × 15) = 1.65 M€ in 2026 and nothing after, so almost all of it is released
    shell = r.cash.by_measure[("porthos_shell_pernis", "SDE++")]
    assert shell == {2026: pytest.approx(924 * 1.5 / (924 / 16.5 * 15))}
    assert r.cash.peak() is not None and r.cash.released_meur > 0


def test_levy_2026_leaves_the_ets_price_before_2030():
    _, inp, applied = load("ser-2023", "levy-2026")
    assert [inp.co2_price[y] for y in range(2025, 2031)] == [87.9, 85, 85, 85, 85, 85]
    assert inp.co2_price[2031] == 148.0  # after 2030 the outlook of the advice

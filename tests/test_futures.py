"""policymix futures (docs/model.md section 14): analytic cases whose answers are worked out by hand.

Latin hypercube sampling puts exactly one of N draws in each of the N equal strata of every dimension, so a
case whose target is met exactly when a drawn quantile u is below q has exactly q·N futures meeting it (for q·N
whole): P(target met) is known exactly, whatever the seed.
"""

from __future__ import annotations

import json
import math

import openpyxl
import pytest

from builders import measure, tables, workbook, yearly
from optimiser.analysis import futures as F
from optimiser.analysis.decide import decide
from optimiser.input.data import InputError
from optimiser.input.tables import to_input
from optimiser.input.uncertainty import dimensions, draw_futures, mean_future
from optimiser.pipeline import run

SEVEN = [2024, 2025, 2026, 2027, 2028, 2029, 2030]


def uncertain(name, sheet, ident, column, op, distribution, row=2, **params):
    return {"name": name, "sheet": sheet, "id": ident, "column": column, "op": op, "distribution": distribution,
            "_row": row, **params}


def with_rows(t: dict, *rows) -> dict:
    t["uncertainty"] = list(rows)
    return t


# ---------------------------------------------------------------- a uniform cost range: P = 0.5 exactly

def one_cost_case() -> dict:
    """Measure a: A = 1 Mt/yr, D = 10 years, CO2 price 0, the only budget 500 M€ in 2024, target 1 Mt in 2026.
    Funding all of a costs 10·c M€, within 500 M€ iff c ≤ 50 €/t. c ~ uniform(40, 60): met iff u < 0.5."""
    t = tables(measures=[measure("a", 1.0, 50)], budgets=[{"instrument_id": "G", 2024: 500.0, 2025: 0.0, 2026: 0.0}],
               reduction=1.0)
    return with_rows(t, uncertain("cost of a", "measures", "a", "cost_eur_per_t", "set", "uniform", low=40, high=60))


@pytest.mark.parametrize("seed", [1, 7])
def test_uniform_cost_range_meets_the_target_in_exactly_half_the_futures(seed):
    inp = to_input(one_cost_case())
    r = F.run(inp, samples=20, seed=seed)
    assert r.p_target_met == 0.5  # 10 of 20 strata lie below u = 0.5
    # Wilson, z = 1.959964, n = 20, p = 0.5: centre (0.5 + z²/40)/(1 + z²/20) = 0.5,
    # half-width z/(1 + z²/20) · sqrt(0.25/20 + z²/1600) = 1.64418 · 0.122070 = 0.200706
    lo, hi = r.p_target_met_ci
    assert lo == pytest.approx(0.5 - 0.200706, abs=1e-5) and hi == pytest.approx(0.5 + 0.200706, abs=1e-5)
    for f, res in zip(r.futures, r.results):
        c = f.values[0]
        assert c == pytest.approx(40 + 20 * f.u[0])  # the uniform's inverse CDF
        assert res.target_met == (c <= 50)
        # met: a funded in full at 10·c M€; missed: the whole 500 M€ buys 500/(10·c) of it
        assert res.public_cost_meur == pytest.approx(10 * c if c <= 50 else 500.0)
        assert res.abatement_mt[2026] == pytest.approx(min(1.0, 50 / c))
    assert r.funded_share == {"a": 1.0}


def test_the_drivers_name_the_cost():
    inp = to_input(one_cost_case())
    r = F.run(inp, samples=20, seed=3)
    (d,) = r.drivers
    assert d.label == "cost of a"
    # shortfall = 1 − 50/c for c > 50, else 0: a monotone, non-decreasing function of u → ρ > 0.8
    assert d.rho_shortfall > 0.8 and d.rho_cost > 0.8


# ---------------------------------------------------------------- groups: inputs that move together

def two_cost_case(group: str) -> dict:
    """a is paid only by instrument A (500 M€ in 2024), b only by B (500 M€); each: A = 1, D = 10. Target 2 Mt:
    both must be funded in full: c_a ≤ 50 and c_b ≤ 50. c_a ~ U(40, 60), c_b ~ U(45, 55).
    In one group both take the same quantile u: met iff u < 0.5 → P = 0.5 exactly. Independent: both u's below
    0.5, about a quarter of the futures."""
    budgets = [{"instrument_id": i, 2024: 500.0, 2025: 0.0, 2026: 0.0} for i in ("A", "B")]
    t = tables(measures=[measure("a", 1.0, 50, eligible="A"), measure("b", 1.0, 50, eligible="B")],
               instruments=[{"instrument_id": "A"}, {"instrument_id": "B"}], budgets=budgets, reduction=2.0)
    return with_rows(t,
                     uncertain("cost of a", "measures", "a", "cost_eur_per_t", "set", "uniform", 2, low=40, high=60,
                               group=group),
                     uncertain("cost of b", "measures", "b", "cost_eur_per_t", "set", "uniform", 3, low=45, high=55,
                               group=group))


def test_a_group_moves_two_inputs_together():
    inp = to_input(two_cost_case("costs"))
    assert len(dimensions(inp.uncertainty)) == 1
    r = F.run(inp, samples=40, seed=11)
    for f in r.futures:
        qa, qb = (f.values[0] - 40) / 20, (f.values[1] - 45) / 10
        assert qa == pytest.approx(qb)  # the same quantile of each own distribution
    assert r.p_target_met == 0.5


def test_without_the_group_the_two_draws_are_independent():
    inp = to_input(two_cost_case(""))
    assert len(dimensions(inp.uncertainty)) == 2
    r = F.run(inp, samples=40, seed=11)
    assert r.p_target_met < 0.4  # both below their medians: about 1/4 (10 of 40 for this seed's permutation)
    met = [res.target_met for res in r.results]
    assert met == [f.u[0] < 0.5 and f.u[1] < 0.5 for f in r.futures]


def test_latin_hypercube_strata_and_seed():
    inp = to_input(two_cost_case(""))
    futures = draw_futures(inp.uncertainty, 25, 4)
    for d in range(2):
        strata = sorted(math.floor(f.u[d] * 25) for f in futures)
        assert strata == list(range(25))  # one draw in each of the 25 strata of every dimension
    again = draw_futures(inp.uncertainty, 25, 4)
    assert [f.values for f in again] == [f.values for f in futures]
    assert [f.values for f in draw_futures(inp.uncertainty, 25, 5)] != [f.values for f in futures]


# ---------------------------------------------------------------- lead times: P = 0.75 in both modes

def slip_case() -> dict:
    """Measure a: A = 1, L = 2, only budget in 2026, target 1 Mt in 2030. Committed in 2026 it operates from
    2028 + slip; the slip is drawn from {0, 1, 2, 3} (equal weights): only 3 (2031) misses 2030. With N = 8,
    two futures per value: P = 6/8 = 0.75, planned on its own (wait and see) and with the plan fixed."""
    budgets = [{"instrument_id": "G", **{y: (1000.0 if y == 2026 else 0.0) for y in SEVEN}}]
    t = tables(measures=[measure("a", 1.0, 50, lead_time_years=2)], budgets=budgets, years=SEVEN, reduction=1.0,
               prices=[{"parameter": "co2_price_eur_per_t", **yearly(0.0, SEVEN)}])
    return with_rows(t, uncertain("slip of a", "measures", "a", "lead_time_years", "add", "choice",
                                  values="0;1;2;3"))


def test_a_lead_time_slip_of_three_years_breaks_the_target(tmp_path):
    inp = to_input(slip_case())
    r = F.run(inp, samples=8, seed=2)
    assert r.p_target_met == 0.75
    assert [res.target_met for res in r.results] == [f.values[0] < 3 for f in r.futures]

    # the stress test: plan the base (a committed in 2026), then fix that plan in every future
    src = workbook(tmp_path / "slip.xlsx", slip_case(), SEVEN)
    plan = run("plan", workbook=src, output=tmp_path / "plan.xlsx").plan_path
    out = run("futures", plan=plan, samples=8, seed=2, output=tmp_path / "stress.xlsx",
              json_path=str(tmp_path / "stress.json"))
    stress = out.result
    assert stress.mode == "stress_test" and stress.commitments == {("a", 2026): pytest.approx(1.0)}
    assert stress.p_target_met == 0.75
    doc = json.loads((tmp_path / "stress.json").read_text())
    assert doc["mode"] == "stress_test" and doc["p_target_met"] == 0.75
    for f in doc["futures"]:
        # operating in 2030 iff 2026 + 2 + slip ≤ 2030; the cost, re-priced, is 50 €/t · 1 Mt · 10 yr = 500 M€
        assert f["target_met"] == (f["draw"]["slip of a"] < 3)
        assert f["public_cost_meur"] == pytest.approx(500.0)


# ---------------------------------------------------------------- stress test: what cannot connect does not abate

def grid_case() -> dict:
    """Measure a: A = 1, L = 0, uses 100 MW of grid at full deployment; grid 100 MW; budget 1000 M€ in 2024;
    target 1 Mt in 2026. The grid's capacity in 2026 is scaled by u ~ uniform(0.5, 1.5), its cost by the same
    quantile (group) ~ uniform(40, 60). With a fixed, o'_2026 = min(1, 100·s/100) = min(1, s): met iff s ≥ 1,
    i.e. u ≥ 0.5 → P = 0.5; what is built but idle is 1 − s Mt. Public cost re-priced: 10 · c M€."""
    t = tables(measures=[measure("a", 1.0, 50)], budgets=[{"instrument_id": "G", 2024: 1000.0, 2025: 0.0, 2026: 0.0}],
               resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", **yearly(100.0)}],
               usage=[{"measure_id": "a", "resource_id": "grid", "amount": 100.0}], reduction=1.0)
    return with_rows(t,
                     uncertain("grid", "resources", "grid", "2026", "scale", "uniform", 2, low=0.5, high=1.5, group="g"),
                     uncertain("cost", "measures", "a", "cost_eur_per_t", "set", "uniform", 3, low=40, high=60,
                               group="g"))


def test_stress_test_counts_only_what_can_connect():
    inp = to_input(grid_case())
    commitments, split, _ = F.plan_commitments(inp)  # the base plan: all of a in 2024
    assert commitments == {("a", 2024): pytest.approx(1.0)}
    r = F.run(inp, mode="stress_test", samples=10, seed=5, commitments=commitments, split=split)
    assert r.p_target_met == 0.5
    for f, res in zip(r.futures, r.results):
        s, c = f.values
        assert res.abatement_mt[2026] == pytest.approx(min(1.0, s))
        assert res.idle_mt == pytest.approx(max(0.0, 1.0 - s))
        assert res.public_cost_meur == pytest.approx(10 * c)


# ---------------------------------------------------------------- decide now, adapt later

def decide_case() -> dict:
    """early: A = 1, c = 100 €/t, D = 1, L = 2 (committed in 2024 to operate in 2026; gap 100 M€).
    late: A = 1, c = 50 €/t, D = 1, from 2026 only, uses 1 MW of a grid whose 2026 capacity is 1 MW in 3 of 4
    futures and 0 in the fourth (choice 1;0, weights 3;1). Target 1 Mt in 2026, P = 1000 €/t.
    Commit x of early now (2024), the same in every future:
      grid 1 MW: 100x + 50(1 − x);   grid 0: 100x + 1000(1 − x)
      mean: 0.75·(50 + 50x) + 0.25·(1000 − 900x) = 287.5 − 187.5x  → x = 1, RP = 100 M€.
    Mean-value future: grid 0.75 MW → its plan: late 0.75 (37.5) + early 0.25 (25) = 62.5, so x = 0.25:
      EEV = 287.5 − 187.5 · 0.25 = 240.625 M€;  VSS = 240.625 − 100 = 140.625 M€.
    Wait and see: 50 (three futures) and 100 (one): mean 62.5."""
    t = tables(measures=[measure("early", 1.0, 100, support=1, lead_time_years=2),
                         measure("late", 1.0, 50, support=1, earliest_year=2026)],
               resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", 2024: 0.0, 2025: 0.0, 2026: 1.0}],
               usage=[{"measure_id": "late", "resource_id": "grid", "amount": 1.0}], reduction=1.0,
               shortfall_penalty_eur_per_t=1000)
    return with_rows(t, uncertain("grid 2026", "resources", "grid", "2026", "set", "choice", values="1;0",
                                  weights="3;1"))


def test_decide_by_solves_the_hand_case():
    inp = to_input(decide_case())
    futures = draw_futures(inp.uncertainty, 4, 3)
    assert sorted(f.values[0] for f in futures) == [0.0, 1.0, 1.0, 1.0]
    d = decide(inp, futures, 2024)
    assert d.here_and_now == {"early": {2024: pytest.approx(1.0)}}
    assert d.expected_cost_meur == pytest.approx(100.0)
    assert d.mean_plan == {"early": {2024: pytest.approx(0.25)}}
    assert d.eev_meur == pytest.approx(240.625)
    assert d.vss_meur == pytest.approx(140.625)
    assert all(r.target_met and r.public_cost_meur == pytest.approx(100.0) for r in d.results)
    ws = F.run(inp, samples=4, seed=3)
    assert sum(r.objective_meur for r in ws.results) / 4 == pytest.approx(62.5)
    assert mean_future(inp).values == (0.75,)


def test_decide_by_year_outside_the_horizon_is_bad_input():
    inp = to_input(decide_case())
    with pytest.raises(InputError, match="--decide-by 2030"):
        decide(inp, draw_futures(inp.uncertainty, 4, 3), 2030)


def test_decide_by_refuses_a_program_too_large_for_memory(monkeypatch):
    import optimiser.analysis.decide as D

    monkeypatch.setattr(D, "available_memory", lambda: 1000)
    inp = to_input(decide_case())
    with pytest.raises(InputError, match="more than the .* GB this machine can give it"):
        decide(inp, draw_futures(inp.uncertainty, 4, 3), 2024)


# ---------------------------------------------------------------- the same numbers on 1, 2 workers and Dask

def ties_case() -> dict:
    """Four measures of equal cost competing for one budget (ties: many optima) and uncertain costs and budget:
    which measures a solve funds depends on the order of the matrix; the numbers must not depend on the worker."""
    ms = [measure(m, 1.0, 60, cluster=c) for m, c in zip("abcd", "nnss")]
    t = tables(measures=ms, budgets=[{"instrument_id": "G", **yearly(900.0)}], reduction=2.5)
    return with_rows(t,
                     uncertain("cost a", "measures", "a", "cost_eur_per_t", "scale", "triangular", 2, low=0.8, mode=1,
                               high=1.2),
                     uncertain("cost cd", "measures", "[cd]", "cost_eur_per_t", "add", "normal", 3, mean=0, sd=5,
                               low=-10, high=10),
                     uncertain("budget", "budgets", "G", "2025", "scale", "choice", 4, values="0.5;1;2"))


def _numbers(r):
    return [(x.number, x.status, x.public_cost_meur, x.abatement_mt, x.committed) for x in r.results]


def test_the_same_seed_gives_the_same_numbers_on_one_and_two_workers():
    inp = to_input(ties_case())
    one = F.run(inp, samples=24, seed=9, jobs=1)
    two = F.run(inp, samples=24, seed=9, jobs=2, chunk_size=5)
    assert two.workers == "2 local processes"
    assert _numbers(one) == _numbers(two)
    assert one.funded_share == two.funded_share


def test_a_dask_cluster_gives_the_numbers_of_the_local_run():
    distributed = pytest.importorskip("distributed")
    inp = to_input(ties_case())
    local = F.run(inp, samples=24, seed=9, jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = F.run(inp, samples=24, seed=9, scheduler=cluster.scheduler_address, chunk_size=3)
    assert remote.workers.startswith("Dask cluster") and remote.worker_count == 2
    assert _numbers(remote) == _numbers(local)
    # each worker built the model once for the one structure (the costs and budget change numbers only)
    assert remote.builds == 2 and remote.updates == 22


def test_a_scheduler_that_is_not_there_is_bad_input():
    inp = to_input(one_cost_case())
    with pytest.raises(InputError, match="cannot connect to a Dask scheduler"):
        F.run(inp, samples=2, seed=1, scheduler="tcp://127.0.0.1:9")


# ---------------------------------------------------------------- the command, its JSON and its workbook

def test_futures_command_writes_the_json_and_the_workbook(tmp_path):
    from optimiser.cli import main

    src = workbook(tmp_path / "in.xlsx", one_cost_case())
    out, js = tmp_path / "f.xlsx", tmp_path / "f.json"
    assert main(["futures", str(src), "--samples", "20", "--seed", "4", "--jobs", "1", "-o", str(out),
                 "--json", str(js)]) == 0
    doc = json.loads(js.read_text())
    for key in ("mode", "samples", "seed", "p_target_met", "p_target_met_ci", "funded_share", "futures"):
        assert key in doc
    assert doc["mode"] == "wait_and_see" and doc["samples"] == 20 and doc["seed"] == 4
    assert doc["p_target_met"] == 0.5 and len(doc["p_target_met_ci"]) == 2
    f = doc["futures"][0]
    assert set(f) >= {"draw", "status", "public_cost_meur", "abatement_mt", "shortfall_mt", "target_met"}
    assert set(f["abatement_mt"]) == {"2026"} and "cost of a" in f["draw"]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:8] == ["Summary", "Futures", "Charts", "Sure abatement", "Cash bands", "Measure shares",
                                 "Drivers", "About"]
    assert "uncertainty" in wb.sheetnames and "measures" in wb.sheetnames
    assert len(wb["Charts"]._charts) == 2
    summary = " ".join(str(c.value) for row in wb["Summary"].iter_rows() for c in row if c.value)
    assert "The probability that every target is met is 50.0 % (95 % interval 29.9 % to 70.1 %)" in summary
    # the workbook is an input that repeats the run
    again = run("futures", workbook=out, samples=20, seed=4, write_workbook=False)
    assert again.result.p_target_met == 0.5
    # nothing replaced without --force
    assert main(["futures", str(src), "--samples", "2", "-o", str(out)]) == 2


def test_decide_by_json_keys(tmp_path):
    src = workbook(tmp_path / "in.xlsx", decide_case())
    out = run("futures", workbook=src, samples=4, seed=3, decide_by=2024, output=tmp_path / "d.xlsx",
              json_path=str(tmp_path / "d.json"))
    doc = json.loads((tmp_path / "d.json").read_text())
    assert doc["mode"] == "decide_by"
    assert doc["here_and_now"] == {"early": {"2024": 1.0}}
    assert doc["expected_cost_meur"] == pytest.approx(100.0) and doc["vss_meur"] == pytest.approx(140.625)
    assert "Here and now" in openpyxl.load_workbook(out.plan_path).sheetnames


def test_a_workbook_without_uncertainty_is_bad_input(tmp_path, capsys):
    from optimiser.cli import main

    src = workbook(tmp_path / "in.xlsx", tables())
    assert main(["futures", str(src), "--samples", "4", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "no uncertainty rows" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_plan_and_decide_by_together_is_a_usage_error(tmp_path, capsys):
    from optimiser.cli import main

    assert main(["futures", "--plan", "p.xlsx", "--decide-by", "2025"]) == 2
    assert "--decide-by is not available with --plan" in capsys.readouterr().err
    assert main(["futures", "--plan", "p.xlsx", "--confidence", "0.8"]) == 2
    assert "--confidence is not available with --plan" in capsys.readouterr().err


# ---------------------------------------------------------------- shift (a year series moved later)

def grid_delay_case() -> dict:
    """Measure a: A = 1, L = 2, uses 100 MW of grid while it operates; the grid has 0 MW until 2026 and 100 MW
    from 2027; the only budget is in 2027; targets 1 Mt in 2029 and 2030. Committed in 2027, a operates from 2029
    and needs the 100 MW in 2029 and 2030. The reinforcement slips k years, k from {0, 1, 2, 3} (equal weights):
    with shift k the grid has 100 MW from 2027 + k, there in 2029 iff k ≤ 2. Only k = 3 breaks the target, in
    wait and see (nothing can be committed in 2027) and in the stress test (the plan's 2027 commitment cannot
    connect in 2029). N = 8, two futures per k: P = 6/8 = 0.75 in both."""
    years = SEVEN
    budgets = [{"instrument_id": "G", **{y: (1000.0 if y == 2027 else 0.0) for y in years}}]
    grid = {y: (100.0 if y >= 2027 else 0.0) for y in years}
    t = tables(measures=[measure("a", 1.0, 50, lead_time_years=2)], budgets=budgets, years=years, reduction=1.0,
               resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", **grid}],
               usage=[{"measure_id": "a", "resource_id": "grid", "amount": 100.0}],
               prices=[{"parameter": "co2_price_eur_per_t", **yearly(0.0, years)}],
               targets=[{"year": 2029, "reduction_mt": 1.0}])
    return with_rows(t, uncertain("grid delay", "resources", "grid", "20*", "shift", "choice", values="0;1;2;3"))


def test_grid_delay_of_three_years_breaks_the_target_in_both_modes(tmp_path):
    inp = to_input(grid_delay_case())
    r = F.run(inp, samples=8, seed=6)
    assert r.p_target_met == 0.75
    assert [res.target_met for res in r.results] == [f.values[0] < 3 for f in r.futures]
    src = workbook(tmp_path / "grid.xlsx", grid_delay_case(), SEVEN)
    plan = run("plan", workbook=src, output=tmp_path / "plan.xlsx").plan_path
    stress = run("futures", plan=plan, samples=8, seed=6, write_workbook=False).result
    assert stress.p_target_met == 0.75


def test_mean_future_rounds_shift_and_whole_number_columns():
    t = slip_case()
    t["uncertainty"][0]["values"] = "0;1;2"
    t["uncertainty"][0]["weights"] = "1;1;2"  # weighted mean 1.25 → 1 (a lead time stays whole)
    inp = to_input(t)
    assert mean_future(inp).values == (1,)


def test_generated_futures_page_is_up_to_date():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, str(root / "docs" / "make_futures_summary.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + "\nrun: python docs/make_futures_summary.py"


# ---------------------------------------------------------------- decisions already taken in a future that slips

def built_before_case() -> dict:
    """p: A = 1, L = 5, uses 100 MW of grid while it operates, committed in full in 2022 (sheet committed): it
    operates from 2027. The grid has 0 MW until 2026 and 100 MW from 2027. a: A = 1, c = 50 €/t, D = 10, L = 0,
    no grid; budget 1000 M€ a year; CO2 price 0; target 1 Mt in 2030. The reinforcement slips k years, k from
    {0, 1, 2, 3, 4} (equal weights): the grid has 100 MW in 2030 iff k ≤ 3. At k = 4 the plant built before the
    plan cannot connect in 2030: it is idle (1 Mt/yr), and only a can meet the target (50 · 1 · 10 = 500 M€).
    N = 10, two futures per k.
      wait and see: every future meets the target; cost 0 for k ≤ 3, 500 M€ for k = 4 → P = 1.
      stress test of the base plan (it commits nothing: p meets the target): met iff k ≤ 3 → P = 8/10 = 0.8.
      decide by 2024: committing a now costs 500 M€ in every future, later only at k = 4 → nothing now,
      RP = 0.2 · 500 = 100 M€; the mean-value future (k = 2) commits nothing either: EEV = RP, VSS = 0."""
    years = SEVEN
    grid = {y: (100.0 if y >= 2027 else 0.0) for y in years}
    t = tables(measures=[measure("p", 1.0, 100, lead_time_years=5), measure("a", 1.0, 50)],
               budgets=[{"instrument_id": "G", **yearly(1000.0, years)}], years=years, reduction=1.0,
               resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", **grid}],
               usage=[{"measure_id": "p", "resource_id": "grid", "amount": 100.0}],
               prices=[{"parameter": "co2_price_eur_per_t", **yearly(0.0, years)}],
               committed=[{"measure_id": "p", "year": 2022, "share": 1.0, "instrument_id": "G", "subsidy_meur": 0}],
               shortfall_penalty_eur_per_t=5000)
    return with_rows(t, uncertain("grid delay", "resources", "grid", "20*", "shift", "choice", values="0;1;2;3;4"))


def test_a_plant_built_before_the_plan_that_cannot_connect_does_not_abate():
    inp = to_input(built_before_case())
    r = F.run(inp, samples=10, seed=4)
    assert not r.failed and r.p_target_met == 1.0
    assert sorted(f.values[0] for f in r.futures) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    for f, res in zip(r.futures, r.results):
        late = f.values[0] == 4
        assert res.public_cost_meur == pytest.approx(500.0 if late else 0.0)
        assert res.idle_mt == pytest.approx(1.0 if late else 0.0)
        assert res.abatement_mt[2030] == pytest.approx(1.0)
        assert ("a" in res.committed) == late


def test_stress_test_counts_the_plans_decisions_already_taken(tmp_path):
    # the plan commits nothing new: its 2030 abatement is the 2022 decision's, where the grid lets it connect
    t = built_before_case()
    src = workbook(tmp_path / "built.xlsx", t, SEVEN)
    plan = run("plan", workbook=src, output=tmp_path / "plan.xlsx").plan_path
    stress = run("futures", plan=plan, samples=10, seed=4, write_workbook=False).result
    assert stress.p_target_met == pytest.approx(0.8)
    for f, res in zip(stress.futures, stress.results):
        late = f.values[0] == 4
        assert res.abatement_mt[2030] == pytest.approx(0.0 if late else 1.0)
        assert res.idle_mt == pytest.approx(1.0 if late else 0.0)
        assert res.public_cost_meur == pytest.approx(0.0)  # the 2022 money is sunk
    # the plan's own decisions of the past count, also against a workbook that has none
    del t["committed"]
    bare = workbook(tmp_path / "bare.xlsx", t, SEVEN)
    again = run("futures", workbook=bare, plan=plan, samples=10, seed=4, write_workbook=False).result
    assert [r.abatement_mt for r in again.results] == [r.abatement_mt for r in stress.results]


def test_decide_by_carries_decisions_already_taken_into_every_future():
    inp = to_input(built_before_case())
    futures = draw_futures(inp.uncertainty, 10, 4)
    d = decide(inp, futures, 2024)
    assert d.here_and_now == {}
    assert d.expected_cost_meur == pytest.approx(100.0)
    assert d.vss_meur == pytest.approx(0.0, abs=1e-6)
    for f, res in zip(futures, d.results):
        assert res.target_met
        assert res.public_cost_meur == pytest.approx(500.0 if f.values[0] == 4 else 0.0)


def test_connect_gives_the_resource_to_the_most_abatement():
    # p (1 Mt/yr) and q (0.5 Mt/yr) each need 100 MW; 150 MW: all of p and half of q connect (1.25 Mt/yr)
    from optimiser.model.committed import connect

    t = tables(measures=[measure("p", 1.0, 100), measure("q", 0.5, 100)],
               resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", **yearly(150.0)}],
               usage=[{"measure_id": "p", "resource_id": "grid", "amount": 100.0},
                      {"measure_id": "q", "resource_id": "grid", "amount": 100.0}])
    inp = to_input(t)
    got = connect(inp, {("p", 2026): 1.0, ("q", 2026): 1.0}, ["grid"])
    assert got == {("p", 2026): pytest.approx(1.0), ("q", 2026): pytest.approx(0.5)}
    assert connect(inp, {("p", 2026): 1.0}, ["grid"]) == {("p", 2026): 1.0}  # it fits: unchanged


def test_decide_by_keeps_forced_decisions_shared_now_and_per_future_later():
    # built_before_case with two forced decisions on a (sheet committed, years >= start_year): 0.2 in 2024
    # (a here-and-now commitment, the same in every future) and 0.3 in 2026 (per future). Each future pays
    # 0.5 of a at 50 €/t · 1 Mt · 10 yr = 250 M€; at k = 4 (p idle) it funds the rest of a too: 500 M€.
    # RP = 0.8 · 250 + 0.2 · 500 = 300 M€. The mean-value future (k = 2) commits the forced 0.2 now: VSS = 0.
    t = built_before_case()
    t["committed"] += [{"measure_id": "a", "year": 2024, "share": 0.2, "_row": 3},
                       {"measure_id": "a", "year": 2026, "share": 0.3, "_row": 4}]
    inp = to_input(t)
    futures = draw_futures(inp.uncertainty, 10, 4)
    d = decide(inp, futures, 2024)
    assert d.here_and_now == {"a": {2024: pytest.approx(0.2)}}
    assert d.expected_cost_meur == pytest.approx(300.0)
    assert d.vss_meur == pytest.approx(0.0, abs=1e-6)
    for f, res in zip(futures, d.results):
        assert res.target_met
        assert res.public_cost_meur == pytest.approx(500.0 if f.values[0] == 4 else 250.0)
    ws = F.run(inp, samples=10, seed=4)
    assert [r.public_cost_meur for r in ws.results] == pytest.approx([r.public_cost_meur for r in d.results])


def test_a_forced_decision_a_future_cannot_connect_is_said_plainly():
    # grid_delay_case with a committed in full in 2027 (a forced decision): it operates from 2029 and needs the
    # 100 MW then. At k = 3 the grid comes in 2030: no plan keeps the decision in that future.
    t = grid_delay_case()
    t["committed"] = [{"measure_id": "a", "year": 2027, "share": 1.0, "_row": 2}]
    inp = to_input(t)
    r = F.run(inp, samples=8, seed=6)
    assert r.p_target_met == 0.75
    for f, res in zip(r.futures, r.results):
        if f.values[0] == 3:
            assert not res.ok
            assert "forced decisions on a need 100 MW of grid in 2029, more than the 0 its capacity leaves" \
                in res.message
        else:
            assert res.target_met and res.public_cost_meur == pytest.approx(500.0)  # 50 €/t · 1 Mt · 10 yr
    with pytest.raises(InputError, match=r"in 2 of the 8 futures a decision already taken"):
        decide(inp, draw_futures(inp.uncertainty, 8, 6), 2027)
    # the same check makes a plan of such a what-if bad input, named by sheet, row and column
    from optimiser.input.data import ScenarioRow
    from optimiser.input.scenario import apply_overrides
    from optimiser.model.cash import problems

    late = apply_overrides(inp, [ScenarioRow("cli", "resources", "grid", "20*", "shift", 3)])
    (p,) = problems(late)
    assert (p.sheet, p.row, p.column) == ("committed", 2, "year")


def test_the_futures_workbook_in_dutch_names_and_says_everything_in_dutch(tmp_path):
    """--lang nl: Dutch sheet names, sentences with a decimal comma, Dutch headers and words; no English text
    of the catalogue left in a result sheet; the workbook re-runs, in Dutch, to the same numbers."""
    import sys
    from pathlib import Path

    from optimiser.cli import main

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    import catalogue

    src = workbook(tmp_path / "in.xlsx", one_cost_case())
    out = tmp_path / "nl.xlsx"
    assert main(["futures", str(src), "--samples", "20", "--seed", "4", "--jobs", "1", "-o", str(out),
                 "--lang", "nl"]) == 0
    wb = openpyxl.load_workbook(out)
    result_sheets = ["Samenvatting", "Toekomsten", "Grafieken", "Zekere reductie", "Kasbanden", "Maatregelaandelen",
                     "Gevoeligheid", "Toelichting"]
    assert wb.sheetnames[:8] == result_sheets
    assert "uncertainty" in wb.sheetnames and "measures" in wb.sheetnames  # input sheets keep their names
    summary = " ".join(str(c.value) for row in wb["Samenvatting"].iter_rows() for c in row if c.value)
    assert "De kans dat elk doel gehaald wordt is 50,0 % (95 %-interval 29,9 % tot 70,1 %)" in summary
    assert "10 van 20 toekomsten, elk apart gepland, halen elk doel" in summary
    headers = [c.value for c in wb["Toekomsten"][1]]
    assert headers[:2] == ["toekomst", "cost of a (waarde)"] and "reductie 2026 (Mt CO2-eq/jr)" in headers
    words = {r[headers.index("elk doel gehaald")] for r in wb["Toekomsten"].iter_rows(min_row=2, values_only=True)}
    assert words == {"ja", "nee"}
    statuses = {r[headers.index("status")] for r in wb["Toekomsten"].iter_rows(min_row=2, values_only=True)}
    assert statuses == {"doel gehaald", "doel niet gehaald"}
    dutch = catalogue.translations("nl")
    english_only = {msgid for msgid, text in dutch.items() if text != msgid}
    for name in result_sheets:
        left = {c.value for row in wb[name].iter_rows() for c in row
                if isinstance(c.value, str) and c.value in english_only}
        assert not left, (name, left)
    again = run("futures", workbook=out, samples=20, seed=4, write_workbook=False)
    assert again.result.p_target_met == 0.5 and again.result.base.settings.language == "nl"

"""Recourse and planning to a confidence level (docs/model.md sections 16 and 17): hand cases with known answers.

A `choice` row with weights 7;3 drawn by Latin hypercube over N = 10 futures puts exactly 7 futures on the
first value and 3 on the second, whatever the seed: the shares below are exact.
"""

from __future__ import annotations

import pytest

from builders import measure, tables
from optimiser.analysis import futures as F
from optimiser.analysis.confidence import levels, need, plan_to_confidence
from optimiser.analysis.decide import decide
from optimiser.analysis.recourse import evaluate, repriced
from optimiser.input.data import InputError
from optimiser.input.tables import to_input
from optimiser.input.uncertainty import draw_futures


def uncertain(name, sheet, ident, column, op, distribution, row=2, **params):
    return {"name": name, "sheet": sheet, "id": ident, "column": column, "op": op, "distribution": distribution,
            "_row": row, **params}


def grid_slip_case(reduction=1.0, b_earliest=2024, payout="1") -> dict:
    """A: 1 Mt/yr, 50 €/t, D = 1, lead time 2 (committed in 2024 to run in 2026), needs 1 MW of a grid that is
    there in 2026 in 7 of 10 futures (choice 1;0, weights 7;3). B: 1 Mt/yr, 100 €/t, D = 1, no grid, from
    ``b_earliest``. Target ``reduction`` Mt in 2026; CO2 price 0; P = 1000 €/t."""
    t = tables(measures=[measure("A", 1.0, 50, support=1, lead_time_years=2),
                         measure("B", 1.0, 100, support=1, earliest_year=b_earliest)],
               instruments=[{"instrument_id": "G", "name": "grant", "payout": payout}],
               resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", 2024: 0.0, 2025: 0.0, 2026: 1.0}],
               usage=[{"measure_id": "A", "resource_id": "grid", "amount": 1.0}], reduction=reduction,
               shortfall_penalty_eur_per_t=1000)
    t["uncertainty"] = [uncertain("grid 2026", "resources", "grid", "2026", "set", "choice", values="1;0",
                                  weights="7;3")]
    return t


# ---------------------------------------------------------------- recourse: commit now what may stand idle

def test_idle_recourse_commits_the_grid_dependent_measure_now():
    """Decide by 2024, B only from 2026 (it adapts). Commit A now (50 M€): where the grid comes (7 of 10), the
    target is met; where it slips, A stands idle and B is bought (100 M€). Expected cost 0.7 · 50 + 0.3 · (50 +
    100) = 80 M€, below B everywhere (100 M€) — which is all a program can do when every commitment made now
    must fit every future's grid."""
    inp = to_input(grid_slip_case(b_earliest=2026))
    futures = draw_futures(inp.uncertainty, 10, 4)
    assert sorted(f.values[0] for f in futures) == [0.0] * 3 + [1.0] * 7
    d = decide(inp, futures, 2024)
    assert d.here_and_now == {"A": {2024: pytest.approx(1.0)}}
    assert d.expected_public_cost_meur == pytest.approx(0.7 * 50 + 0.3 * 150)
    assert d.expected_cost_meur == pytest.approx(80.0)  # no shortfall anywhere: the objective is the cost
    assert d.expected_shortfall_mt == {2026: pytest.approx(0.0)}
    for f, r in zip(futures, d.results):
        assert r.target_met
        if f.values[0] == 0.0:  # grid slipped: A idle (1 Mt/yr), B bought
            assert r.public_cost_meur == pytest.approx(150.0) and r.idle_mt == pytest.approx(1.0)
            assert r.committed == {"A": pytest.approx(1.0), "B": pytest.approx(1.0)}
        else:
            assert r.public_cost_meur == pytest.approx(50.0) and r.idle_mt == pytest.approx(0.0)
            assert r.committed == {"A": pytest.approx(1.0)}


def test_an_operating_instrument_pays_only_for_what_runs():
    """The same case paid per tonne while running (payout operating): where the grid slips, A stands idle and its
    50 M€ are released, so that future pays only B: 0.7 · 50 + 0.3 · 100 = 65 M€. The cash follows: A's
    support year is 2026 (committed 2024, lead time 2)."""
    inp = to_input(grid_slip_case(b_earliest=2026, payout="operating"))
    futures = draw_futures(inp.uncertainty, 10, 4)
    d = decide(inp, futures, 2024)
    assert d.here_and_now == {"A": {2024: pytest.approx(1.0)}}
    assert d.expected_public_cost_meur == pytest.approx(0.7 * 50 + 0.3 * 100)
    for f, r in zip(futures, d.results):
        slipped = f.values[0] == 0.0
        assert r.released_meur == pytest.approx(50.0 if slipped else 0.0)
        assert r.cash_meur["G"][2026] == pytest.approx(100.0 if slipped else 50.0)


def test_evaluate_runs_what_fits_and_releases_the_rest():
    """A plan committing A and B in 2024 in a future without grid: A idle (1 Mt), B runs; a grant pays both."""
    t = grid_slip_case(reduction=2.0)
    t["resources"][0][2026] = 0.0
    no_grid = to_input(t)
    new = {("A", 2024): 1.0, ("B", 2024): 1.0}
    ev = evaluate(no_grid, new, repriced(no_grid, new, {"A": {"G": 1.0}, "B": {"G": 1.0}}))
    assert ev.abatement_mt == {2026: pytest.approx(1.0)} and ev.shortfall_mt == {2026: pytest.approx(1.0)}
    assert ev.idle_mt == pytest.approx(1.0) and ev.public_cost_meur == pytest.approx(150.0)
    assert ev.running == {"B": pytest.approx(1.0)}


# ---------------------------------------------------------------- the chance constraint

@pytest.mark.parametrize("p, plan, cost, met", [(0.5, "A", 50.0, 0.7), (0.7, "A", 50.0, 0.7),
                                                (0.8, "B", 100.0, 1.0), (1.0, "B", 100.0, 1.0)])
def test_below_the_grids_odds_the_cheap_measure_above_them_the_dear_one(p, plan, cost, met):
    """One plan for all futures (B available now): A alone (50 M€) meets the target in the 7 futures with a grid;
    B alone (100 M€) in all 10. Up to p = 0.7 the cheapest plan is A, above it B."""
    inp = to_input(grid_slip_case())
    futures = draw_futures(inp.uncertainty, 10, 4)
    run = plan_to_confidence(inp, futures, p, validate=0)
    (answer,) = run.plans
    assert answer.attainable and answer.need == need(p, 10)
    assert set(answer.here_and_now) == {plan}
    assert answer.expected_public_cost_meur == pytest.approx(cost)
    assert answer.p_target_met == pytest.approx(met) and answer.p_target_met >= p
    assert run.max_attainable == 1.0
    assert answer.mip_gap <= 1e-4


def test_an_unattainable_level_gives_the_most_that_is_attainable_and_why():
    """Target 2 Mt: A and B both needed; A runs only where the grid comes (7 of 10). p = 0.9 is not attainable:
    the answer is A + B (150 M€), meeting the target in 70 % of the futures; in the three it misses, the grid
    in 2026 holds it back and the draw of the grid sets them apart."""
    inp = to_input(grid_slip_case(reduction=2.0))
    futures = draw_futures(inp.uncertainty, 10, 4)
    run = plan_to_confidence(inp, futures, 0.9, validate=0)
    (answer,) = run.plans
    assert not answer.attainable
    assert run.max_attainable == pytest.approx(0.7) and answer.max_attainable == pytest.approx(0.7)
    assert answer.here_and_now == {"A": {2024: pytest.approx(1.0)}, "B": {2024: pytest.approx(1.0)}}
    assert answer.expected_public_cost_meur == pytest.approx(150.0)
    assert answer.p_target_met == pytest.approx(0.7)
    why = answer.reasons
    assert why.missed == 3 and why.alone == 3  # no plan meets a future without grid
    assert why.limits[0].family == "resource" and why.limits[0].id == "grid" and why.limits[0].year == 2026
    assert why.limits[0].futures == 3
    assert why.inputs[0].name == "grid 2026"
    assert why.inputs[0].mean_missed == 0.0 and why.inputs[0].mean_met == 1.0


def test_the_curve_and_the_highest_attainable_level():
    inp = to_input(grid_slip_case())
    futures = draw_futures(inp.uncertainty, 10, 4)
    run = plan_to_confidence(inp, futures, "0.5:1:0.1", validate=0)
    assert [p["confidence"] for p in run.curve] == pytest.approx([0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    assert [p["expected_public_cost_meur"] for p in run.curve] == pytest.approx([50, 50, 50, 100, 100, 100])
    assert run.highest_attainable == 1.0


def test_out_of_sample_validation_on_fresh_futures():
    """Plan A (p = 0.5) judged on 100 fresh futures (seed + 1): 70 of them have the grid, exactly."""
    inp = to_input(grid_slip_case())
    futures = draw_futures(inp.uncertainty, 10, 4)
    run = plan_to_confidence(inp, futures, 0.5, validate=100, seed=4)
    (answer,) = run.plans
    assert answer.validation_samples == 100
    assert answer.p_target_met_validation == pytest.approx(0.7)
    lo, hi = answer.p_target_met_validation_ci
    assert lo < 0.7 < hi and hi - lo < 0.2
    fresh = draw_futures(inp.uncertainty, 100, 5)
    assert [r.target_met for r in answer.validation_results] == [f.values[0] == 1.0 for f in fresh]


def test_decide_by_with_confidence_adapts_later_commitments_in_fresh_futures():
    """Decide by 2024 with B from 2026: at p = 1 the plan commits A now and buys B only where the grid slips;
    judged on fresh futures, the later commitment is planned per future, so every fresh future meets it."""
    inp = to_input(grid_slip_case(b_earliest=2026))
    futures = draw_futures(inp.uncertainty, 10, 4)
    run = plan_to_confidence(inp, futures, 1.0, decide_by=2024, validate=20, seed=4, jobs=2)
    (answer,) = run.plans
    assert answer.attainable and answer.here_and_now == {"A": {2024: pytest.approx(1.0)}}
    assert answer.expected_public_cost_meur == pytest.approx(80.0)
    assert answer.p_target_met_validation == 1.0


def test_confidence_levels_text():
    assert levels("0.8") == [0.8]
    assert levels("0.5:0.9:0.2") == pytest.approx([0.5, 0.7, 0.9])
    for bad in ("0", "1.2", "a", "0.9:0.5:0.1", "0.1:0.5", "0.1:0.5:0"):
        with pytest.raises(InputError):
            levels(bad)


def test_the_program_is_refused_from_its_estimate_before_the_futures_are_built(monkeypatch):
    """400 000 futures: refused from one future's size × N, in well under the time it takes to make them."""
    import time

    import optimiser.analysis.decide as D

    inp = to_input(grid_slip_case())
    futures = draw_futures(inp.uncertainty, 400_000, 1)
    made = []
    real = F.validate
    monkeypatch.setattr(F, "validate", lambda base, fs: made.append(len(fs)) or real(base, fs))
    monkeypatch.setattr(D, "available_memory", lambda: 10 ** 8)
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="400,000 futures"):
        decide(inp, futures, 2024)
    with pytest.raises(InputError, match="400,000 futures"):
        plan_to_confidence(inp, futures, 0.5)
    assert made == [1, 1]  # only the first future's input was made
    assert time.perf_counter() - t0 < 30


# ---------------------------------------------------------------- every futures run: sure abatement, cash bands

def test_sure_abatement_and_cash_bands():
    """Wait and see on the two-measure case: 7 futures plan A (1 Mt, 50 M€ cash in 2024: with its lead time of
    2 years it must be committed then), 3 plan B (100 M€, no lead time): a canonical plan spreads B over
    2024–2026 (the lowest cash peak, MODEL.md section 16), 33.3 M€ a year."""
    inp = to_input(grid_slip_case(reduction=1.0))
    r = F.run(inp, samples=10, seed=4)
    assert r.sure_abatement_mt[0.5] == {2026: pytest.approx(1.0)}
    assert r.sure_abatement_mt[0.95] == {2026: pytest.approx(1.0)}
    p10, p50, p90 = r.cash_bands_meur["G"][2024]
    assert (p10, p50, p90) == pytest.approx((100.0 / 3, 50.0, 50.0))
    assert F.sure_abatement([F.FutureResult(k, "target_met", 0, 0, {2030: float(k)}) for k in range(1, 11)]) \
        == {0.5: {2030: 6.0}, 0.8: {2030: 3.0}, 0.95: {2030: 1.0}}


def test_stress_test_of_a_plan_pays_only_what_runs_with_an_operating_instrument():
    inp = to_input(grid_slip_case(payout="operating"))
    r = F.run(inp, mode="stress_test", samples=10, seed=4, commitments={("A", 2024): 1.0}, split={"A": {"G": 1.0}})
    assert r.p_target_met == pytest.approx(0.7)
    for f, res in zip(r.futures, r.results):
        assert res.public_cost_meur == pytest.approx(50.0 if f.values[0] == 1.0 else 0.0)
    assert sum(r_.released_meur for r_ in r.results) == pytest.approx(150.0)


# ---------------------------------------------------------------- properties on small generated cases

from hypothesis import given, settings, strategies as st  # noqa: E402


@st.composite
def small_cases(draw):
    """2–3 measures (some on a grid that comes in 2026 only in some futures), an uncertain cost, N futures."""
    n_measures = draw(st.integers(2, 3))
    ms, usage = [], []
    for k in range(n_measures):
        mid = f"m{k}"
        ms.append(measure(mid, draw(st.sampled_from([0.5, 1.0, 1.5])), draw(st.integers(20, 200)), support=1,
                          lead_time_years=draw(st.integers(0, 2)),
                          lumpy="yes" if draw(st.booleans()) and k == 0 else "no"))
        if draw(st.booleans()):
            usage.append({"measure_id": mid, "resource_id": "grid", "amount": 1.0})
    t = tables(measures=ms, resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", 2024: 0.0,
                                        2025: 0.0, 2026: 3.0}],
               usage=usage, reduction=draw(st.sampled_from([0.5, 1.0, 1.5, 2.0])), shortfall_penalty_eur_per_t=5000)
    slip = draw(st.integers(1, 5))
    t["uncertainty"] = [
        uncertain("grid 2026", "resources", "grid", "2026", "set", "choice", 2, values="3;0",
                  weights=f"{10 - slip};{slip}"),
        uncertain("cost m1", "measures", "m1", "cost_eur_per_t", "scale", "uniform", 3, low=0.8, high=1.2),
    ]
    return to_input(t), draw(st.integers(4, 10)), draw(st.integers(0, 50))


@settings(max_examples=25, deadline=None)
@given(small_cases(), st.sampled_from([0.2, 0.5, 0.75, 0.9, 1.0]))
def test_when_attainable_the_plan_meets_the_target_in_at_least_p_of_the_futures(case, p):
    inp, n, seed = case
    futures = draw_futures(inp.uncertainty, n, seed)
    run = plan_to_confidence(inp, futures, p, validate=0, seed=seed)
    (answer,) = run.plans
    assert answer.attainable == (need(p, n) <= round(run.max_attainable * n))
    if answer.attainable:
        assert answer.p_target_met >= p - 1e-12
        assert answer.counted >= need(p, n)
    else:
        assert answer.p_target_met == pytest.approx(run.max_attainable)


@settings(max_examples=15, deadline=None)
@given(small_cases())
def test_the_cost_of_confidence_never_falls_as_the_level_rises(case):
    inp, n, seed = case
    futures = draw_futures(inp.uncertainty, n, seed)
    run = plan_to_confidence(inp, futures, "0.2:1:0.2", validate=0, seed=seed)
    costs = [p["expected_public_cost_meur"] for p in run.curve]
    for low, high in zip(costs, costs[1:]):
        assert high >= low - 1e-4 * max(1.0, abs(low))  # grants only: the evaluated cost is the program's
    # a level above the most attainable share gives the plan meeting the most futures
    for plan in run.plans:
        assert plan.attainable == (plan.need <= round(run.max_attainable * n))


def _answers(run):
    return [(p.confidence, p.here_and_now, p.expected_public_cost_meur, p.p_target_met, p.p_target_met_validation,
             [r.target_met for r in p.validation_results]) for p in run.plans]


def test_the_same_seed_gives_the_same_plan_on_one_and_two_workers_and_on_dask():
    distributed = pytest.importorskip("distributed")
    inp = to_input(grid_slip_case(reduction=1.5, payout="operating"))
    futures = draw_futures(inp.uncertainty, 10, 3)
    one = plan_to_confidence(inp, futures, "0.5:1:0.25", validate=60, seed=3, jobs=1)
    two = plan_to_confidence(inp, futures, "0.5:1:0.25", validate=60, seed=3, jobs=2)
    assert _answers(one) == _answers(two)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = plan_to_confidence(inp, futures, "0.5:1:0.25", validate=60, seed=3,
                                    scheduler=cluster.scheduler_address)
    assert _answers(remote) == _answers(one)


def test_decide_by_refuses_too_many_futures_before_drawing_them(tmp_path, monkeypatch):
    """The command refuses 400 000 futures from one future's size × N: only one future is drawn."""
    import optimiser.analysis.decide as D
    from builders import workbook
    from optimiser.pipeline import run as run_command

    src = workbook(tmp_path / "in.xlsx", grid_slip_case())
    drawn = []
    real = F.draw
    monkeypatch.setattr(F, "draw", lambda base, n, seed: drawn.append(n) or real(base, n, seed))
    monkeypatch.setattr(D, "available_memory", lambda: 10 ** 8)
    with pytest.raises(InputError, match="--decide-by 2024 with 400,000 futures"):
        run_command("futures", workbook=src, samples=400_000, seed=1, decide_by=2024, output=tmp_path / "out.xlsx")
    assert drawn == [1] and not (tmp_path / "out.xlsx").exists()

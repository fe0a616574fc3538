"""One plan per question (docs/model.md, "Canonical plans"; MODEL.md section 16).

Among the plans of least objective the planner returns the one with the least cash paid over the horizon
and the price outlook, then the lowest peak of yearly cash, then the last rule (money on the options
first in the order year, measure id, instrument id; measures that need no subsidy committed as fully and
as early as the limits allow). The same question must give the same plan whatever the HiGHS algorithm,
the order of rows in any sheet or the number of workers, and the shadow prices stay those of the
least-cost question.

Plans are compared figure by figure (shares per year, subsidy per instrument and year, commitments, cash
and released money per instrument and year) within 1e-6 of their size and 1e-5 (a share, or 10 €) of
solver noise: two vertices of a tie differ by whole shares or M€, far above that.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from builders import measure, tables, yearly
from optimiser.input.tables import to_input, to_tables
from optimiser.model.build import build_model, last_rule
from optimiser.model.optimum import TargetInfeasible, optimise
from optimiser.model.solve import Solver
from optimiser.pipeline import load

ALGORITHMS = ("dual", "primal", "ipm")
REL, NOISE = 1e-6, 1e-5


def figures(result) -> dict[tuple, float]:
    """Every number of a plan a budget team reads: shares per year, subsidy per instrument and year,
    commitments, cash and released money per instrument (and year), public cost and objective."""
    out: dict[tuple, float] = {("public cost",): result.public_cost_meur, ("objective",): result.objective_meur}
    for m, mr in result.measures.items():
        for y, v in mr.new.items():
            out[("share", m, y)] = v
        for (i, y), v in mr.subsidy_by_year.items():
            out[("subsidy", m, i, y)] = v
    for y, v in result.abatement_mt.items():
        out[("abatement", y)] = v
    if result.cash is not None:
        for i, by_year in result.cash.commitments.items():
            for t, v in by_year.items():
                out[("commitments", i, t)] = v
        for i, by_year in result.cash.cash.items():
            for t, v in by_year.items():
                out[("cash", i, t)] = v
        for i, v in result.cash.released.items():
            out[("released", i)] = v
    return out


def differences(a: dict, b: dict) -> list[tuple]:
    """The figures that differ by more than REL of their size plus NOISE (shares, Mt and M€ alike)."""
    out = []
    for k in sorted(set(a) | set(b), key=str):
        u, v = a.get(k, 0.0), b.get(k, 0.0)
        if abs(u - v) > REL * max(abs(u), abs(v)) + NOISE:
            out.append((k, u, v))
    return out


def assert_same(a, b, what: str = "") -> None:
    found = differences(figures(a), figures(b))
    assert not found, f"{what}: {len(found)} figures differ, e.g. {found[:5]}"


def with_settings(inp, **kw):
    return replace(inp, settings=replace(inp.settings, **kw))


def reordered(inp, how: str, seed: int = 0):
    """The same input with every sheet's rows (and every measure's list of instruments) reversed or shuffled."""
    t = to_tables(inp)
    rng = random.Random(seed)
    for sheet, rows in t.items():
        if not isinstance(rows, list):
            continue
        rows[:] = _reorder(rows, how, rng)
        for r in rows if sheet == "measures" else ():
            eligible = r.get("eligible_instruments")
            if isinstance(eligible, (list, tuple)):
                r["eligible_instruments"] = type(eligible)(_reorder(list(eligible), how, rng))
    out = to_input(t)
    assert list(out.measures) != list(inp.measures) or len(inp.measures) < 2
    return out


def _reorder(items: list, how: str, rng: random.Random) -> list:
    """``items`` reversed, or shuffled into another order than they had (where there is another)."""
    if how == "reverse":
        return items[::-1]
    out = items[:]
    rng.shuffle(out)
    return out[1:] + out[:1] if out == items else out


def variants(inp, seed: int = 0):
    """(label, input) for every algorithm, in the workbook's order, reversed and shuffled."""
    for solver in ALGORITHMS:
        base = with_settings(inp, solver=solver)
        yield f"{solver}", base
        yield f"{solver}, rows reversed", reordered(base, "reverse")
        yield f"{solver}, rows shuffled", reordered(base, "shuffle", seed)


def paid(result, m: str) -> dict[str, float]:
    """The instruments paying measure m something (more than 1e-9 M€), with what they pay."""
    return {i: v for i, v in result.measures[m].subsidy_meur.items() if abs(v) > 1e-9}


# ---------------------------------------------------------------- hand cases

def test_of_two_instruments_with_the_same_gap_the_one_whose_cash_is_lower_pays():
    # a: 1 Mt at 100 €/t for 2 years, price 60 €/t in 2024 → gap 40 €/t, 80 M€ for the whole measure.
    # Both instruments cost 1 € per € paid. "A" pays it all in 2024 (payout 1); "B" pays per tonne while
    # it runs: 40 in 2024, then 80 × min(40, 100 − 80) / 80 = 20 in 2025 at the 80 €/t outlook → 60 M€,
    # 20 released. Least cash: B pays, although A's id comes first.
    t = dict(years=[2024], reduction=1.0, measures=[measure("a", 1.0, 100, support=2, eligible="A;B")],
             instruments=[{"instrument_id": "A", "payout": "1"}, {"instrument_id": "B", "payout": "operating"}],
             budgets=[{"instrument_id": "A", 2024: 1e6}, {"instrument_id": "B", 2024: 1e6}],
             prices=[{"parameter": "co2_price_eur_per_t", 2024: 60.0, 2025: 80.0}])
    for label, inp in variants(to_input(tables(**t))):
        r = optimise(inp).result
        assert r.public_cost_meur == pytest.approx(80), label
        assert paid(r, "a") == {"B": pytest.approx(80)}, label
        assert r.cash.released == {"A": pytest.approx(0, abs=1e-9), "B": pytest.approx(20)}, label


def test_of_two_instruments_that_pay_alike_the_one_whose_id_comes_first_pays():
    # the same measure, both instruments paying it all in the commitment year: cost, cash and peak tie;
    # the last rule puts the money on the instrument first in id order: "alpha" before "Beta" (case aside)
    t = dict(years=[2024], reduction=1.0, measures=[measure("a", 1.0, 100, support=2, eligible="Beta;alpha")],
             instruments=[{"instrument_id": "Beta"}, {"instrument_id": "alpha"}],
             budgets=[{"instrument_id": "Beta", 2024: 1e6}, {"instrument_id": "alpha", 2024: 1e6}])
    for label, inp in variants(to_input(tables(**t))):
        r = optimise(inp).result
        assert paid(r, "a") == {"alpha": pytest.approx(200)}, label  # 100 €/t × 1 Mt × 2 y


def test_of_two_measures_at_the_same_cost_the_one_the_last_rule_names_is_funded():
    # m1 and m2: 1 Mt each at 80 €/t for 10 years (800 M€ each); the target needs 1 Mt. Cost, cash and peak
    # tie (one year, paid at once); the last rule funds the measure whose id comes first: m1.
    t = dict(years=[2024], reduction=1.0, measures=[measure("m2", 1.0, 80), measure("m1", 1.0, 80)],
             budgets=[{"instrument_id": "G", 2024: 1e6}])
    for label, inp in variants(to_input(tables(**t))):
        r = optimise(inp).result
        assert r.public_cost_meur == pytest.approx(800), label
        assert r.measures["m1"].committed_share == pytest.approx(1), label
        assert r.measures["m2"].committed_share == pytest.approx(0, abs=1e-9), label


def test_the_peak_rule_picks_the_flatter_of_two_cash_profiles_with_the_same_total():
    # a: 1 Mt at 100 €/t for 1 year, price 0: 100 M€. "A" pays it all in 2024; "B" half in 2024, half in
    # 2025. Both pay 100 M€ in all: the cash ties, the peak does not — 100 against 50. B pays, although A's
    # id comes first.
    t = dict(years=[2024], reduction=1.0, measures=[measure("a", 1.0, 100, support=1, eligible="A;B")],
             instruments=[{"instrument_id": "A", "payout": "1"}, {"instrument_id": "B", "payout": "0.5;0.5"}],
             budgets=[{"instrument_id": "A", 2024: 1e6}, {"instrument_id": "B", 2024: 1e6}])
    for label, inp in variants(to_input(tables(**t))):
        r = optimise(inp).result
        assert paid(r, "a") == {"B": pytest.approx(100)}, label
        assert r.cash.peak() == (2024, pytest.approx(50)), label


def test_the_peak_rule_spreads_equal_commitments_over_the_years():
    # one measure, 2 Mt at 100 €/t for 1 year, price 0: 200 M€, paid in the year committed; a target of
    # 2 Mt in 2025 can be met by committing in 2024, in 2025 or both. Cash (200) ties; the lowest peak
    # commits half in each year: 100 M€ a year.
    t = dict(years=[2024, 2025], reduction=2.0, measures=[measure("a", 2.0, 100, support=1)],
             budgets=[{"instrument_id": "G", **yearly(1e6, [2024, 2025])}],
             prices=[{"parameter": "co2_price_eur_per_t", **yearly(0.0, [2024, 2025])}])
    for label, inp in variants(to_input(tables(**t))):
        r = optimise(inp).result
        assert r.measures["a"].new == {2024: pytest.approx(0.5), 2025: pytest.approx(0.5)}, label
        assert r.cash.total_cash(2024) == pytest.approx(100) and r.cash.total_cash(2025) == pytest.approx(100)


def test_a_measure_that_needs_no_subsidy_is_committed_in_full_and_early():
    # z costs 20 €/t at a price of 50: no gap. The target (1 Mt) is met by a alone or by z; z is free, so
    # the least cost commits all of z; where z cannot cover the target, a pays the rest. Here z (0.5 Mt,
    # free) is committed in full in the first year, a pays for the other 0.5 Mt.
    t = dict(years=[2024, 2025], reduction=1.0,
             measures=[measure("a", 1.0, 80), measure("z", 0.5, 20), measure("y", 0.2, 30, max_share=1.0)],
             budgets=[{"instrument_id": "G", **yearly(1e6, [2024, 2025])}],
             prices=[{"parameter": "co2_price_eur_per_t", **yearly(50.0, [2024, 2025])}])
    for label, inp in variants(to_input(tables(**t))):
        r = optimise(inp).result
        # z and y are free: both committed in full, in 2024; a pays for the last 1 − 0.5 − 0.2 = 0.3 Mt
        assert r.measures["z"].new == {2024: pytest.approx(1), 2025: pytest.approx(0, abs=1e-9)}, label
        assert r.measures["y"].new == {2024: pytest.approx(1), 2025: pytest.approx(0, abs=1e-9)}, label
        assert r.measures["a"].committed_share == pytest.approx(0.3), label
        assert r.public_cost_meur == pytest.approx(0.3 * 30 * 10), label  # (80 − 50) €/t × 0.3 Mt × 10 y


def two_lumpy(n: int, years=(2024,)) -> dict:
    """n all-or-nothing projects L1 … Ln, 1 Mt each at 80 €/t (800 M€ each); the target needs one."""
    ys = list(years)
    return dict(years=ys, reduction=1.0,
                measures=[measure(f"L{k}", 1.0, 80, lumpy="yes") for k in range(n, 0, -1)],
                budgets=[{"instrument_id": "G", **yearly(1e6, ys)}],
                prices=[{"parameter": "co2_price_eur_per_t", **yearly(0.0, ys)}])


@pytest.mark.parametrize("n, years", [(2, (2024,)), (4, (2024, 2025, 2026))],
                         ids=["few choices (enumerated)", "branch and bound"])
def test_of_equal_lumpy_projects_the_one_the_last_rule_names_is_chosen(n, years):
    # cost, cash and peak tie between the projects and their years; the last rule: the earliest year, then
    # the first id. 4 projects × 3 years have 4^4 = 256 whole assignments: branch and bound, then the
    # canonical stages as MILPs; 2 projects in one year have 3: each one's LP, compared.
    t = two_lumpy(n, years)
    for label, inp in variants(to_input(tables(**t))):
        r = optimise(inp).result
        assert r.public_cost_meur == pytest.approx(800), label
        assert r.measures["L1"].new[2024] == pytest.approx(1), label
        assert all(r.measures[f"L{k}"].committed_share == pytest.approx(0, abs=1e-9) for k in range(2, n + 1)), label


def test_shadow_prices_and_reduced_costs_stay_those_of_the_least_cost_question():
    # The tie-break changes which plan is shown, never what a limit is worth: the same shadow prices and
    # reduced costs as the least-cost LP (canonical stages off), on the advice's workbook (target met there).
    _wb, inp, _ = load("ser-2023")
    built = build_model(inp)
    plain = Solver(built)
    plain.canonical = False
    least = plain.solve()
    chosen = Solver(build_model(inp)).solve()
    for name in ("shadow", "reduced"):
        a, b = getattr(chosen, name), getattr(least, name)
        assert a.keys() == b.keys()
        for family in a:
            # probed shadow prices are differences of two solves: equal to within their own precision
            assert a[family] == pytest.approx(b[family], rel=1e-5, abs=1e-9), (name, family)
    assert chosen.shadow["target"][2030] == pytest.approx(1709, abs=0.5)
    assert chosen.objective == pytest.approx(least.objective, rel=1e-9)
    assert chosen.held["cash"] <= least_cash(inp, least) + 1e-6  # and it pays no more cash than that vertex


def least_cash(inp, sol) -> float:
    from optimiser.model.cash import plan_schedule

    return sum(v * sum(plan_schedule(inp, m, i, y).values()) for (m, i, y), v in sol.values["s"].items())


def test_the_rule_is_stated_by_years_and_ids_not_positions():
    # the last rule's costs for the same model built from rows in another order are the same, key by key
    t = tables(measures=[measure("b", 1.0, 80, eligible="G;H"), measure("a", 1.0, 80, eligible="H;G")],
               instruments=[{"instrument_id": "H"}, {"instrument_id": "G"}],
               budgets=[{"instrument_id": "H", **yearly(1e6)}, {"instrument_id": "G", **yearly(1e6)}])
    inp = to_input(t)
    rule = {(v, i): c for c, v, i in last_rule(build_model(inp).index, inp)}
    other = reordered(inp, "reverse")
    assert rule == {(v, i): c for c, v, i in last_rule(build_model(other).index, other)}
    # money on (2024, a, G) first, (2026, b, H) last
    assert min(rule, key=rule.get) == ("s", ("a", "G", 2024))
    assert max(rule, key=rule.get) == ("s", ("b", "H", 2026))


# ---------------------------------------------------------------- the default workbook

@pytest.fixture(scope="module", params=["default", "ser-2023"])
def default_input(request):
    """Both shipped workbooks: the default as of December 2026 (target not met) and the advice's (met)."""
    return load(request.param)[1]


@pytest.mark.parametrize("mode", ["least cost", "strict", "elastic"])
def test_the_default_plan_is_one_plan_whatever_the_algorithm_and_row_order(default_input, mode):
    inp = default_input
    if mode == "strict":
        inp = with_settings(inp, strict=True)
    elif mode == "elastic":  # budgets tight enough that something must give
        inp = with_settings(inp, elastic=True, target_reduction_mt=inp.settings.target_reduction_mt * 1.1)
        inp = replace(inp, targets={y: v * 1.1 for y, v in inp.targets.items()})
    first = None
    for label, variant in variants(inp, seed=3):
        try:
            r = optimise(variant).result
        except TargetInfeasible:  # strict on a workbook that cannot meet its target: the same answer every time
            r = "no plan meets every target"
        if first is None:
            first = r
        elif isinstance(first, str) or isinstance(r, str):
            assert r == first, f"{mode}, {label}"
        else:
            assert_same(first, r, f"{mode}, {label}")
    # the December 2026 default cannot meet its target (docs/default-plan.md): strict says so; the other does not
    assert isinstance(first, str) == (mode == "strict" and not optimise(default_input).result.target_met)


# ---------------------------------------------------------------- generated workbooks with ties built in

@st.composite
def tied_workbooks(draw):
    """Small workbooks whose optimum is rarely unique: costs and abatements from short lists (equal €/t),
    several instruments with the same cost weight and alike or different payouts, a constant or rising
    price (equal gaps across years), sometimes a price outlook, a grid, budgets that bind, lumpy projects."""
    years = [2024, 2025, 2026]
    n_inst = draw(st.integers(1, 3))
    inst_ids = draw(st.permutations(["G", "H", "eia", "Zeta"]))[:n_inst]
    payouts = st.sampled_from(["1", "1", "operating", "0.5;0.5"])
    instruments = [{"instrument_id": i, "payout": draw(payouts)} for i in inst_ids]
    budget = st.sampled_from([1e6, 1e6, 400.0, 150.0])
    budgets = [{"instrument_id": i, **{y: draw(budget) for y in years}} for i in inst_ids]
    measures = []
    for k in range(draw(st.integers(2, 6))):
        eligible = draw(st.lists(st.sampled_from(inst_ids), min_size=1, max_size=n_inst, unique=True))
        measures.append(measure(
            f"m{draw(st.integers(0, 99)):02d}_{k}", draw(st.sampled_from([0.5, 1.0, 1.0, 2.0])),
            draw(st.sampled_from([30, 80, 80, 80, 120])), support=draw(st.sampled_from([2, 10])),
            eligible=";".join(eligible), lead_time_years=draw(st.sampled_from([0, 0, 1])),
            lumpy="yes" if draw(st.integers(0, 5)) == 0 else "no",
            cluster=draw(st.sampled_from(["north", "south"]))))
    potential = sum(m["abatement_mt"] for m in measures)
    reduction = round(potential * draw(st.sampled_from([0.3, 0.5, 0.8])), 3)
    rising = draw(st.booleans())
    price = {y: (40.0 + 10 * (y - 2024) if rising else 50.0) for y in years}
    if draw(st.booleans()):
        price.update({2027: 60.0, 2030: 90.0})
    resources, usage = [], []
    if draw(st.booleans()):
        resources = [{"resource_id": "grid", "name": "grid", "kind": "stock", "unit": "MW",
                      **yearly(draw(st.sampled_from([50.0, 100.0])), years)}]
        usage = [{"measure_id": m["measure_id"], "resource_id": "grid", "amount": 40.0}
                 for m in measures if m["cluster"] == "north"]
    return tables(measures=measures, instruments=instruments, budgets=budgets, resources=resources, usage=usage,
                  prices=[{"parameter": "co2_price_eur_per_t", **price}], reduction=reduction)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tied_workbooks(), st.integers(0, 1000))
def test_generated_workbooks_with_ties_give_one_plan(t, seed):
    inp = to_input(t)
    first = None
    for label, variant in variants(inp, seed):
        r = optimise(variant).result
        if first is None:
            first = r
        else:
            assert_same(first, r, label)


# ---------------------------------------------------------------- sweeps, alternatives, futures, rules-gap

def test_a_warm_sweep_point_is_the_plan_of_a_cold_solve(default_input):
    # every point after the first is re-solved on the live HiGHS instance, from the last point's basis; its
    # plan must be the one a fresh build and solve of that point's input gives
    from optimiser.analysis.sweep import parse_vary, prepare, sweep

    varies = [parse_vary("scale", "budgets:SDE++:*=0.6,1,1.4"), parse_vary("set", "settings:target_reduction_mt=19,20.2")]
    run = sweep(default_input, varies, keep_results=True)
    assert any(p.solver_note == "warm re-solve" for p in run.points)
    for point, (_values, _rows, inp) in zip(run.points, prepare(default_input, varies)):
        assert_same(point.result, optimise(inp).result, f"sweep point {point.number} ({point.solver_note})")


def test_alternatives_are_one_set_whatever_the_algorithm_and_row_order():
    from optimiser.analysis.alternatives import generate

    # a and a2 cost the same per tonne; b a little more: the alternatives choose among equal plans too
    t = tables(reduction=2.0, measures=[measure("a", 1.0, 50), measure("a2", 1.0, 50), measure("b", 1.0, 52),
                                        measure("c", 1.0, 53)])
    first = None
    for label, inp in variants(to_input(t)):
        found = optimise(inp)
        alts = generate(found, 2, 0.05).plans
        assert len(alts) == 2, label
        if first is None:
            first = alts
        else:
            for a, b in zip(first, alts):
                assert_same(a, b, f"alternatives, {label}")
    # the optimum funds a and a2; the first alternative overlaps least: b and c, and no shortfall
    assert first[0].measures["b"].committed_share == pytest.approx(1)
    assert first[0].measures["c"].committed_share == pytest.approx(1)
    assert first[0].status == "target_met"


def test_a_future_is_planned_as_its_own_input_would_be():
    # wait and see: each future's plan on a kept model (updated in place, built with every option) is the
    # canonical plan of that future's input solved on its own, from rows in another order; a, a2 and a3 cost
    # the same and the target needs two of them
    from optimiser.analysis import futures as F
    from optimiser.input.scenario import apply_overrides

    t = tables(reduction=2.0, measures=[measure("a3", 1.0, 50, eligible="G;H"), measure("a", 1.0, 50, eligible="G;H"),
                                        measure("a2", 1.0, 50, eligible="H;G"), measure("b", 1.0, 80)],
             instruments=[{"instrument_id": "G"}, {"instrument_id": "H", "payout": "0.5;0.5"}],
             budgets=[{"instrument_id": "G", **yearly(1e6)}, {"instrument_id": "H", **yearly(1e6)}])
    t["uncertainty"] = [{"name": "cost of b", "sheet": "measures", "id": "b", "column": "cost_eur_per_t", "op": "scale",
                         "distribution": "uniform", "low": 0.5, "high": 1.5, "_row": 2}]
    base = to_input(t)
    run = F.run(base, samples=8, seed=4, jobs=1)
    for future, result in zip(run.futures, run.results):
        alone = optimise(reordered(apply_overrides(F.with_penalty(base), list(future.overrides)), "reverse")).result
        T = base.settings.target_year
        committed = {m: mr.committed[T] for m, mr in alone.measures.items() if mr.committed[T] > 1e-6}
        assert result.committed.keys() == committed.keys(), future.number
        for m, v in committed.items():
            assert result.committed[m] == pytest.approx(v, abs=1e-6), (future.number, m)
        assert result.public_cost_meur == pytest.approx(alone.public_cost_meur, rel=1e-6)


def test_the_rules_gap_optimum_is_the_canonical_plan(default_input):
    from optimiser.analysis.rules_gap import compare

    gaps = [compare(with_settings(default_input, solver=s)).optimum for s in ("dual", "ipm")]
    assert_same(gaps[0], gaps[1], "rules-gap optimum, dual against ipm")
    assert_same(gaps[0], optimise(default_input).result, "rules-gap optimum against the plan")

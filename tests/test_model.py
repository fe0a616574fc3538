"""Hand-computed optimum per constraint family (the micro-model level of the test pyramid).

Every case is small enough to solve on paper; the comment above each
assertion shows the arithmetic. Gap of full deployment = (c − p) · A · D M€.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from builders import measure, tables, yearly
from optimiser.model.families import FAMILIES
from optimiser.input.data import InputError
from optimiser.pipeline import solve_input
from optimiser.input.tables import to_input

family = pytest.mark.family


def plan(**kw):
    return solve_input(to_input(tables(**kw)))


@family("target")
def test_merit_order_takes_measures_by_rising_gap():
    # a: 1 Mt at 50 €/t → 500 M€; b: 2 Mt at 80 €/t → 1600 M€; c: 2 Mt at 120 €/t → 2400 M€ (D = 10 y)
    r = plan(reduction=3.0)
    assert r.status == "target_met"
    assert r.objective_meur == pytest.approx(500 + 1600)
    assert r.measures["a"].committed_share == pytest.approx(1)
    assert r.measures["b"].committed_share == pytest.approx(1)
    assert r.measures["c"].committed_share == pytest.approx(0)
    # the marginal measure is b: 80 €/t for 10 years = 800 € per t of annual abatement
    assert r.shadow["target"][2026] == pytest.approx(800)
    assert "not needed" in r.measures["c"].reason


@family("target")
def test_target_shadow_price_is_the_slope_of_cost_in_the_target():
    # target 4 Mt: a + b + half of c (1 Mt at 1200 M€/Mt); the marginal measure is c
    r = plan(reduction=4.0)
    assert r.objective_meur == pytest.approx(500 + 1600 + 1200)
    assert r.shadow["target"][2026] == pytest.approx(1200)
    assert r.measures["c"].status == "partly funded"


@family("target")
def test_milestone_targets_bind_in_their_own_year():
    # 2025 needs 1 Mt: only a commitment in 2024 or 2025 operates then (no lead time) — a is cheapest
    r = plan(reduction=3.0, targets=[{"year": 2025, "reduction_mt": 1.0}])
    assert r.abatement_mt[2025] >= 1.0 - 1e-6
    assert r.shadow["target"][2025] == pytest.approx(0, abs=1e-6)  # met for free by what 2026 needs anyway
    assert r.objective_meur == pytest.approx(2100)


@family("budget")
def test_binding_budget_leaves_a_shortfall():
    # budget 1000 M€ in 2024 only (one-year horizon): a (500) in full, then 500/1600 of b = 0.625 Mt
    # P derived from the data: the dearest measure is c at 120 €/t × 10 years = 1 200 M€ per Mt/yr;
    # 10 × 1 200 = 12 000, rounded up to 20 000 €/t
    t = dict(years=[2024], reduction=3.0, budgets=[{"instrument_id": "G", 2024: 1000.0}])
    r = plan(**t)
    assert r.status == "target_not_met"
    assert r.shortfall_mt[2024] == pytest.approx(3 - 1 - 0.625)
    assert r.objective_meur == pytest.approx(1000 + 20_000 * 1.375)
    # one more M€ buys 2/1600 Mt of b: saves 20 000 €/t × 0.00125 Mt − 1 M€ = 24 M€
    assert r.shadow["budget"][("G", 2024)] == pytest.approx(24)
    assert r.shadow["target"][2024] == pytest.approx(20_000)
    assert "budget of G exhausted" in r.measures["b"].reason


@family("period_budget")
def test_period_budget_binds_over_all_years():
    # period budget 1300 M€: a (500) + 800/1600 of b = 2 Mt; penalty on the last 1 Mt
    r = plan(instruments=[{"instrument_id": "G", "period_budget_meur": 1300.0}])
    assert r.public_cost_meur == pytest.approx(1300)
    assert r.shortfall_mt[2026] == pytest.approx(1.0)
    # one more M€ buys 1/800 Mt of b: saves P/800 − 1 = 20 000/800 − 1 = 24 M€ (P derived: 20 000 €/t)
    assert r.shadow["period_budget"]["G"] == pytest.approx(24)


@family("resource")
def test_binding_grid_limit_in_one_cluster():
    # a (1 Mt, 500 M€/Mt) needs 200 MW of grid at full deployment, 100 MW available → half of a,
    # the rest from b at 800 M€/Mt: 0.5·500 + 1.5·800 = 1450 M€
    r = plan(
        reduction=2.0,
        resources=[{"resource_id": "grid_north", "name": "grid north", "kind": "stock", "unit": "MW", **yearly(100.0)}],
        usage=[{"measure_id": "a", "resource_id": "grid_north", "amount": 200.0}],
    )
    assert r.objective_meur == pytest.approx(1450)
    assert r.measures["a"].committed_share == pytest.approx(0.5)
    # one more MW: +1/200 share of a = 0.005 Mt at 300 M€/Mt cheaper than b → 1.5 M€ per MW
    assert r.shadow["resource"][("grid_north", 2026)] == pytest.approx(1.5)
    assert r.resource_use[("grid_north", 2026)] == pytest.approx(100)
    assert "grid north limit binding" in r.measures["a"].reason


@family("resource")
def test_flow_resource_labour_binds_in_its_build_year():
    # a (2 Mt, 500 M€/Mt) can only be committed in 2025 (earliest 2025, lead time 1, horizon 2026)
    # and needs 150 FTE in its build year; 100 FTE → 2/3 of a = 4/3 Mt; b (800 M€/Mt) does the rest
    r = plan(
        reduction=2.0,
        measures=[measure("a", 2.0, 50, earliest_year=2025, lead_time_years=1), measure("b", 2.0, 80)],
        resources=[{"resource_id": "labour", "kind": "flow", "unit": "FTE", **yearly(100.0)}],
        usage=[{"measure_id": "a", "resource_id": "labour", "amount": 150.0}],
    )
    assert r.measures["a"].new[2025] == pytest.approx(2 / 3)
    assert r.objective_meur == pytest.approx(4 / 3 * 500 + 2 / 3 * 800)
    # one more FTE in 2025: +2/150 Mt of a at 300 M€/Mt cheaper → 4 M€ per FTE; other years free
    assert r.shadow["resource"][("labour", 2025)] == pytest.approx(4.0)
    assert r.shadow["resource"][("labour", 2024)] == 0
    assert r.shadow["resource"][("labour", 2026)] == 0


@family("resource")
def test_a_measure_that_supplies_a_resource_relieves_it():
    r = plan(
        reduction=1.0,
        measures=[measure("h", 1.0, 50), measure("e", 0.01, 100)],
        resources=[{"resource_id": "h2", "kind": "stock", "unit": "kt", **yearly(0.0)}],
        usage=[{"measure_id": "h", "resource_id": "h2", "amount": 10.0},
               {"measure_id": "e", "resource_id": "h2", "amount": -10.0}],
    )
    # h (500 M€ per share) may only run on hydrogen e supplies (10 M€ per share, 0.01 Mt itself):
    # shares x_h = x_e = x with x + 0.01 x = 1 → x = 1/1.01, cost 510/1.01 M€
    assert r.measures["h"].committed_share == pytest.approx(1 / 1.01)
    assert r.measures["e"].committed_share == pytest.approx(1 / 1.01)
    assert r.objective_meur == pytest.approx(510 / 1.01)
    assert r.resource_use[("h2", 2026)] == pytest.approx(0, abs=1e-6)


@family("max_share")
def test_max_share_limits_deployment():
    # a may reach only 40 %: 0.4 Mt from a (200 M€), 2 Mt from b (1600), 0.6 Mt from c (720)
    r = plan(measures=[measure("a", 1.0, 50, max_share=0.4), measure("b", 2.0, 80), measure("c", 2.0, 120)])
    assert r.measures["a"].committed_share == pytest.approx(0.4)
    assert r.objective_meur == pytest.approx(200 + 1600 + 720)
    # one more unit share of a replaces 1 Mt of c: 1200 − 500 = 700 M€
    assert r.shadow["max_share"]["a"] == pytest.approx(700)


@family("exclusive")
def test_exclusive_group_takes_the_better_option_for_one_source():
    # a (1 Mt, 500) and a2 (1.5 Mt, 900) compete for one source; b costs 2000 per share (1000 M€/Mt).
    # Mixing t of a with 1−t of a2 and topping up with b costs 900 + 100 t → a2 alone: 900 M€
    r = plan(
        reduction=1.5,
        measures=[measure("a", 1.0, 50, exclusive_group="g"), measure("a2", 1.5, 60, exclusive_group="g"),
                  measure("b", 2.0, 100)],
    )
    assert r.objective_meur == pytest.approx(900)
    assert r.measures["a2"].committed_share == pytest.approx(1)
    assert r.measures["a"].committed_share == pytest.approx(0)
    # relaxing the group by ε: take δ of a and drop δ/1.5 of a2 (same abatement); the group then holds
    # δ − δ/1.5 = δ/3 ≤ ε more, so δ = 3ε, saving (600 − 500)·3ε → 300 M€ per unit share
    assert r.shadow["exclusive"]["g"] == pytest.approx(300)
    assert "goes to a2" in r.measures["a"].reason


@family("exclusive")
def test_without_the_group_both_options_would_be_taken():
    r = plan(reduction=1.5, measures=[measure("a", 1.0, 50), measure("a2", 1.5, 60), measure("b", 2.0, 100)])
    assert r.objective_meur == pytest.approx(500 + 300)  # a in full + 1/3 of a2


@family("capex_cap")
def test_capex_share_cap_splits_the_subsidy_over_instruments():
    # gap 50 €/t × 2 Mt × 10 y = 1000 M€; V (cost weight 0.5) pays ≤ 50 % of capex 600 = 300, G the rest
    r = plan(
        reduction=2.0,
        measures=[measure("m", 2.0, 50, capex_meur=600.0, eligible="V;G")],
        instruments=[{"instrument_id": "V", "cost_weight": 0.5, "capex_share_cap": 0.5}, {"instrument_id": "G"}],
        budgets=[{"instrument_id": "V", **yearly(1e6)}, {"instrument_id": "G", **yearly(1e6)}],
    )
    assert r.measures["m"].subsidy_meur["V"] == pytest.approx(300)
    assert r.measures["m"].subsidy_meur["G"] == pytest.approx(700)
    assert r.public_cost_meur == pytest.approx(0.5 * 300 + 700)
    # one more M€ of room under V's cap shifts 1 M€ from G (weight 1) to V (weight 0.5): saves 0.5 M€
    year = r.measures["m"].commit_year
    assert r.shadow["capex_cap"][("m", "V", year)] == pytest.approx(0.5)


@family("capex_cap")
def test_capex_cap_alone_cannot_fund_a_measure():
    r = plan(
        reduction=1.0,
        measures=[measure("m", 2.0, 50, capex_meur=600.0, eligible="V"), measure("b", 1.0, 90)],
        instruments=[{"instrument_id": "V", "capex_share_cap": 0.5}, {"instrument_id": "G"}],
        budgets=[{"instrument_id": "V", **yearly(1e6)}, {"instrument_id": "G", **yearly(1e6)}],
    )
    # V pays at most 300 of m's 1000 M€ gap and the state never pays less than the gap: m is out
    assert r.measures["m"].committed_share == pytest.approx(0)
    assert r.objective_meur == pytest.approx(900)
    assert "caps" in r.measures["m"].reason


@family("eur_per_t_cap")
def test_eur_per_t_cap_limits_an_instrument():
    # gap 50 €/t → 500 M€ for 1 Mt × 10 y; S pays ≤ 30 €/t → 300 M€ at weight 0.8; G pays 200
    r = plan(
        reduction=1.0,
        measures=[measure("m", 1.0, 50, eligible="S;G")],
        instruments=[{"instrument_id": "S", "cost_weight": 0.8, "eur_per_t_cap": 30.0}, {"instrument_id": "G"}],
        budgets=[{"instrument_id": "S", **yearly(1e6)}, {"instrument_id": "G", **yearly(1e6)}],
    )
    assert r.measures["m"].subsidy_meur["S"] == pytest.approx(300)
    assert r.measures["m"].subsidy_meur["G"] == pytest.approx(200)
    assert r.public_cost_meur == pytest.approx(0.8 * 300 + 200)
    assert r.measures["m"].eur_per_t == pytest.approx(50)
    # one more M€ of room under S's cap shifts 1 M€ from G to S: saves 1 − 0.8 = 0.2 M€
    year = r.measures["m"].commit_year
    assert r.shadow["eur_per_t_cap"][("m", "S", year)] == pytest.approx(0.2)


@family("lumpy")
def test_lumpy_project_is_all_or_nothing():
    # L: 2 Mt at 50 €/t (1000 M€ in full), b: 1 Mt at 80 €/t (800 M€). For 1 Mt the LP would take
    # half of L (500 M€); all-or-nothing, b is cheaper than the whole of L.
    kw = dict(reduction=1.0, measures=[measure("L", 2.0, 50, lumpy="yes"), measure("b", 1.0, 80)])
    r = plan(**kw)
    assert r.objective_meur == pytest.approx(800)
    assert r.measures["L"].committed_share == 0
    assert r.measures["b"].committed_share == pytest.approx(1)
    assert r.solver["mip"]
    relaxed = plan(reduction=1.0, measures=[measure("L", 2.0, 50), measure("b", 1.0, 80)])
    assert relaxed.objective_meur == pytest.approx(500)
    # shadow price from the LP with the binaries fixed: b is the marginal measure
    assert r.shadow["target"][2026] == pytest.approx(800)


@family("lumpy")
def test_lumpy_project_taken_whole_when_it_pays():
    r = plan(reduction=1.8, measures=[measure("L", 2.0, 50, lumpy="yes"), measure("b", 1.0, 80)])
    assert r.measures["L"].committed_share == pytest.approx(1)
    assert r.objective_meur == pytest.approx(1000)


@family("lumpy_once")
def test_lumpy_project_is_committed_once_in_its_cheapest_year():
    # L: 2 Mt at 50 €/t, CO2 price 0, 10, 20 €/t in 2024–2026: its gap of full deployment falls from
    # 50 × 2 × 10 = 1000 to 800 to 600 M€. 1.8 Mt are needed in 2026 only: L is committed once, whole, in 2026.
    r = plan(reduction=1.8, measures=[measure("L", 2.0, 50, lumpy="yes")],
             prices=[{"parameter": "co2_price_eur_per_t", 2024: 0.0, 2025: 10.0, 2026: 20.0}])
    assert r.objective_meur == pytest.approx(600)
    assert r.measures["L"].new == pytest.approx({2024: 0, 2025: 0, 2026: 1})
    assert r.measures["L"].commit_year == 2026


@family("funding")
def test_negative_cost_measure_is_taken_for_free():
    # n saves money (−20 €/t) and is eligible for nothing: it needs no subsidy, so it is funded at 0
    r = plan(reduction=1.0, measures=[measure("n", 1.0, -20, eligible=""), measure("b", 2.0, 80)])
    assert r.measures["n"].committed_share == pytest.approx(1)
    assert r.objective_meur == pytest.approx(0)
    assert r.measures["n"].subsidy_meur == {}


@family("funding")
def test_co2_price_closes_the_gap():
    # p = 30 €/t: a's gap 20 €/t → 200 M€; b's 50 €/t → 1000 M€
    r = plan(prices=[{"parameter": "co2_price_eur_per_t", **yearly(30.0)}])
    assert r.objective_meur == pytest.approx(200 + 1000)
    assert r.measures["b"].eur_per_t == pytest.approx(50)


@family("funding")
def test_measure_eligible_for_nothing_is_not_funded_and_says_so():
    r = plan(reduction=2.0, measures=[measure("a", 1.0, 50, eligible=""), measure("b", 2.0, 80)])
    assert r.measures["a"].committed_share == 0
    assert "eligible for no instrument" in r.measures["a"].reason


def test_lead_time_rules_a_measure_out():
    # committed in 2024 at the earliest, 3 years of lead time: operates 2027, after 2026
    r = plan(reduction=2.0, measures=[measure("a", 1.0, 10, lead_time_years=3), measure("b", 2.0, 80)])
    assert r.measures["a"].committed_share == 0
    assert "lead time too long" in r.measures["a"].reason
    assert r.objective_meur == pytest.approx(1600)


def test_lead_time_delays_what_counts_for_a_milestone():
    # a (lead time 2) committed in 2024 operates 2026: it cannot help the 2025 milestone
    r = plan(reduction=1.0, targets=[{"year": 2025, "reduction_mt": 1.0}],
             measures=[measure("a", 1.0, 10, lead_time_years=2), measure("b", 1.0, 80)])
    assert r.measures["b"].operating_share[2025] == pytest.approx(1)
    assert r.objective_meur == pytest.approx(800)


def test_every_constraint_family_has_a_test_of_its_own():
    marked = set()
    for path in Path(__file__).parent.glob("test_*.py"):
        marked |= set(re.findall(r'@family\("(\w+)"\)', path.read_text()))
    missing = {f.name for f in FAMILIES} - marked
    assert not missing, f"constraint families without a test: {sorted(missing)}"


def test_invalid_input_lists_every_problem():
    t = tables(measures=[measure("a", -1.0, 50), measure("a", 1.0, "x")])
    with pytest.raises(InputError) as err:
        to_input(t)
    text = str(err.value)
    assert "abatement_mt" in text and "duplicate id 'a'" in text


# ---------------------------------------------------------------- properties

gaps = st.lists(
    st.tuples(st.floats(0.1, 3.0), st.integers(1, 300)),  # (abatement Mt, cost €/t)
    min_size=1, max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(gaps, st.floats(0.0, 1.0))
def test_unconstrained_optimum_is_the_merit_order(ms, ambition):
    """Without limits, the optimum funds measures in order of rising € per t: greedy is exact."""
    total = sum(a for a, _ in ms)
    target = ambition * total
    r = plan(reduction=target, measures=[measure(f"m{k}", a, c) for k, (a, c) in enumerate(ms)])
    need, cost = target, 0.0
    for a, c in sorted(ms, key=lambda x: x[1]):
        take = min(a, need)
        cost += take * c * 10
        need -= take
    assert r.status == "target_met"
    assert r.objective_meur == pytest.approx(cost, rel=1e-6, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(gaps, st.floats(100.0, 5000.0), st.floats(1.1, 3.0))
def test_more_budget_never_costs_more(ms, budget, factor):
    """Relaxing a budget can only lower (or keep) the optimal objective."""
    kw = dict(reduction=sum(a for a, _ in ms), measures=[measure(f"m{k}", a, c) for k, (a, c) in enumerate(ms)])
    tight = plan(budgets=[{"instrument_id": "G", **yearly(budget)}], **kw)
    loose = plan(budgets=[{"instrument_id": "G", **yearly(budget * factor)}], **kw)
    assert loose.objective_meur <= tight.objective_meur + 1e-6


def test_max_abatement_spends_the_budget_on_the_most_tonnes():
    # budget 1000 M€ in one year: a (500 M€/Mt) in full = 1 Mt, then 500 M€ of b (800 M€/Mt) = 0.625 Mt;
    # c (1200 M€/Mt) is never worth it. No target: the most abatement within the budget.
    r = plan(years=[2024], reduction=3.0, objective="max-abatement", budgets=[{"instrument_id": "G", 2024: 1000.0}])
    assert r.abatement_mt[2024] == pytest.approx(1.625)
    assert r.public_cost_meur == pytest.approx(1000)
    assert r.shortfall_mt[2024] == pytest.approx(3 - 1.625)
    assert r.status == "target_not_met"
    # one more M€ buys 1/800 Mt/yr: the budget's shadow price is in Mt/yr per M€ in this mode
    assert r.shadow["budget"][("G", 2024)] == pytest.approx(1 / 800, rel=1e-4)


@family("resource")
def test_a_limit_that_binds_alongside_another_is_worth_nothing_alone():
    # a needs 100 MW in two grids with 50 MW each: both bind at half of a. Relaxing one alone
    # lets no more of a through, so each shadow price is 0, though the LP's duals could put
    # the whole 300 M€/Mt × 0.01 on either row (a degenerate optimum).
    grids = [{"resource_id": g, "kind": "stock", "unit": "MW", **yearly(50.0)} for g in ("g1", "g2")]
    r = plan(reduction=2.0, measures=[measure("a", 1.0, 50), measure("b", 2.0, 80)], resources=grids,
             usage=[{"measure_id": "a", "resource_id": g, "amount": 100.0} for g in ("g1", "g2")])
    assert r.measures["a"].committed_share == pytest.approx(0.5)
    assert r.shadow["resource"][("g1", 2026)] == 0
    assert r.shadow["resource"][("g2", 2026)] == 0
    # with one grid only, that one is worth (800 − 500) M€/Mt × 0.01 Mt per MW
    one = plan(reduction=2.0, measures=[measure("a", 1.0, 50), measure("b", 2.0, 80)], resources=grids[:1],
               usage=[{"measure_id": "a", "resource_id": "g1", "amount": 100.0}])
    assert one.shadow["resource"][("g1", 2026)] == pytest.approx(3.0)

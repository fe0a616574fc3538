"""Decisions already taken and cash (docs/model.md sections 12–13), computed by hand.

Gap of full deployment = (c − p) · A · D M€. Cash of a commitment s made in y:
profile π: s · π_{t−y}; operating: s · min(g, max(0, c − p_t)) / (g · D) for
t = y + L … y + L + D − 1, with g = c − p_y. Past decisions (year < start_year)
pay the same way with g = subsidy / (share · A · D) and are sunk.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from builders import measure, tables, yearly
from optimiser.input.data import InputError
from optimiser.input.tables import to_input
from optimiser.model import cash as cashmodel
from optimiser.model.cash import project, schedule
from optimiser.pipeline import solve_input
from optimiser.report.jsondoc import plan_json

family = pytest.mark.family


def plan(**kw):
    return solve_input(to_input(tables(**kw)))


def one_year(payout, **kw):
    """a: 1 Mt, c = 100 €/t, D = 2 years; the 2024 price 60 €/t, the outlook 80 €/t in 2025; target 1 Mt in 2024."""
    return dict(years=[2024], reduction=1.0, measures=[measure("a", 1.0, 100, support=2, eligible="S")],
                instruments=[{"instrument_id": "S", "payout": payout}],
                budgets=[{"instrument_id": "S", 2024: 1e6}],
                prices=[{"parameter": "co2_price_eur_per_t", 2024: 60.0, 2025: 80.0}], **kw)


def test_an_operating_instrument_pays_less_than_it_committed_when_the_price_rises():
    r = plan(**one_year("operating"))
    # committed in 2024: g = 100 − 60 = 40 €/t, s = 40 × 1 Mt × 2 y = 80 M€
    assert r.cash.commitments["S"] == {2024: pytest.approx(80), 2025: 0}
    # 2024: 80 × min(40, 100 − 60) / (40 × 2) = 40; 2025: 80 × min(40, 100 − 80) / 80 = 20
    assert r.cash.cash["S"] == {2024: pytest.approx(40), 2025: pytest.approx(20)}
    # the rising price leaves 80 − 60 = 20 M€ unpaid: released (vrijval)
    assert r.cash.released == {"S": pytest.approx(20)}
    data = plan_json(r)
    assert data["commitments_meur"] == {"S": {"2024": pytest.approx(80), "2025": 0}}
    assert data["cash_meur"] == {"S": {"2024": pytest.approx(40), "2025": pytest.approx(20)}}
    assert data["released_meur"] == {"S": pytest.approx(20)}


def test_a_missing_later_year_takes_the_last_price_given():
    # the outlook stops at 2025 (80 €/t): with D = 4 the years 2026 and 2027 take 80 too.
    # s = 40 × 1 × 4 = 160; each year pays 160 × min(40, 100 − p_t) / (40 × 4): 2024 40, 2025–2027 20 each
    t = one_year("operating")
    t["measures"] = [measure("a", 1.0, 100, support=4, eligible="S")]
    r = plan(**t)
    assert r.cash.cash["S"] == pytest.approx({2024: 40, 2025: 20, 2026: 20, 2027: 20})
    assert r.cash.released["S"] == pytest.approx(160 - 100)


def test_a_profile_instrument_pays_its_shares():
    r = plan(**one_year("0.2;0.5;0.3"))
    # 80 M€ committed in 2024: 0.2 × 80, 0.5 × 80, 0.3 × 80 in 2024, 2025, 2026; nothing released
    assert r.cash.cash["S"] == pytest.approx({2024: 16, 2025: 40, 2026: 24})
    assert r.cash.commitments["S"][2024] == pytest.approx(80)
    assert r.cash.released["S"] == pytest.approx(0)
    assert r.cash.peak() == (2025, pytest.approx(40))


def test_a_lead_time_delays_operating_payments():
    # L = 1: the plant runs from 2025; with p = 60 in every year 80 × 40/(40·2) = 40 in 2025 and 2026
    t = one_year("operating", targets=None)
    t.update(years=[2024, 2025], reduction=1.0, budgets=[{"instrument_id": "S", **yearly(1e6, [2024, 2025])}],
             prices=[{"parameter": "co2_price_eur_per_t", 2024: 60.0, 2025: 60.0}],
             measures=[measure("a", 1.0, 100, support=2, eligible="S", lead_time_years=1)])
    r = plan(**t)
    assert r.measures["a"].new[2024] == pytest.approx(1)
    assert r.cash.cash["S"] == pytest.approx({2024: 0, 2025: 40, 2026: 40})


def two_instruments(limits):
    """m: 1 Mt at 50 €/t for 2 years, p = 0: gap 100 M€ in 2024. G (weight 1) pays it all in 2024;
    T (weight 1.2) pays it all the year after ("0;1"). Target 1 Mt in 2024."""
    return dict(years=[2024], reduction=1.0, measures=[measure("m", 1.0, 50, support=2, eligible="G;T")],
                instruments=[{"instrument_id": "G", "payout": "1"},
                             {"instrument_id": "T", "cost_weight": 1.2, "payout": "0;1"}],
                budgets=[{"instrument_id": "G", 2024: 1e6}, {"instrument_id": "T", 2024: 1e6}],
                prices=[{"parameter": "co2_price_eur_per_t", 2024: 0.0}], cash_limits=limits)


@family("cash")
def test_a_binding_cash_limit_and_its_shadow_price():
    r = plan(**two_instruments([{"instrument_id": "*", 2024: 60.0}]))
    # all of m in 2024: s_G + s_T = 100; G's cash in 2024 is s_G ≤ 60 → s_G = 60, s_T = 40;
    # public cost 60 + 1.2 × 40 = 108
    assert r.measures["m"].subsidy_meur == pytest.approx({"G": 60, "T": 40})
    assert r.public_cost_meur == pytest.approx(108)
    # one more M€ of cash room in 2024 moves 1 M€ from T to G: saves 1.2 − 1 = 0.2 M€
    assert r.shadow["cash"] == {("*", 2024): pytest.approx(0.2)}
    assert r.cash.cash["G"][2024] == pytest.approx(60) and r.cash.cash["T"][2025] == pytest.approx(40)
    assert plan_json(r)["shadow_prices"]["cash"] == {"*": {"2024": pytest.approx(0.2)}}
    # without the limit G pays all: 100 M€
    free = plan(**two_instruments(None))
    assert free.public_cost_meur == pytest.approx(100) and free.shadow["cash"] == {}


@family("cash")
def test_a_cash_limit_on_one_instrument_only_counts_its_own_cash():
    # the same, with the limit on G alone: G pays ≤ 60 in 2024; T's 2025 cash is not limited
    r = plan(**two_instruments([{"instrument_id": "G", 2024: 60.0, 2025: 0.0}]))
    assert r.public_cost_meur == pytest.approx(108)
    assert r.shadow["cash"] == {("G", 2024): pytest.approx(0.2), ("G", 2025): 0}


@family("cash")
def test_an_elastic_run_relaxes_a_cash_limit():
    # no cash at all in 2025 and 60 in 2024: only 60 of the 100 M€ gap can be paid → 0.4 Mt short.
    limits = [{"instrument_id": "*", 2024: 60.0, 2025: 0.0}]
    r = plan(**two_instruments(limits))
    assert r.shortfall_mt[2024] == pytest.approx(0.4)
    # elastic (least total relative relaxation first): 40 M€ more in 2024 is 40/60 = 0.667 of that limit; 40 M€ in
    # 2025, whose limit is 0 (counted per unit), is 40: the 2024 limit gives, and then G pays the whole 100 M€
    e = plan(**two_instruments(limits), elastic="yes")
    assert e.status == "target_met"
    assert e.relaxations == [{"kind": "cash", "id": "*", "year": "2024", "amount": pytest.approx(40),
                              "limit": pytest.approx(60), "relative": pytest.approx(40 / 60)}]
    assert e.relaxation_total == pytest.approx(40 / 60)
    assert e.public_cost_meur == pytest.approx(100)


@family("cash")
def test_a_strict_run_names_the_cash_limit_in_its_conflict():
    from optimiser.model.optimum import TargetInfeasible

    with pytest.raises(TargetInfeasible) as err:
        plan(**two_instruments([{"instrument_id": "*", 2024: 60.0, 2025: 0.0}]), strict="yes")
    assert {"cash"} <= {item["kind"] for item in err.value.iis}


@family("committed")
def test_a_past_commitment_meets_the_target_at_zero_cost():
    # a (1 Mt, 50 €/t, D = 10, L = 1) was committed in full in 2022 with 200 M€ from S (operating): it runs from
    # 2023 and meets the 1 Mt target; b is not needed. Its money is sunk: the plan costs nothing.
    r = plan(reduction=1.0, measures=[measure("a", 1.0, 50, eligible="S", lead_time_years=1),
                                      measure("b", 2.0, 80, eligible="S")],
             instruments=[{"instrument_id": "S", "payout": "operating"}],
             budgets=[{"instrument_id": "S", **yearly(1e6)}],
             prices=[{"parameter": "co2_price_eur_per_t", **yearly(40.0)}],
             committed=[{"measure_id": "a", "year": 2022, "share": 1.0, "instrument_id": "S", "subsidy_meur": 200}])
    assert r.status == "target_met"
    assert r.public_cost_meur == pytest.approx(0) and r.objective_meur == pytest.approx(0)
    assert r.abatement_mt[2026] == pytest.approx(1.0)
    assert r.measures["a"].past_share == 1 and r.measures["a"].committed_share == 0
    # decided before start_year, nothing new: not "funded" by this plan (issue 21)
    assert r.measures["a"].status == "decided before start_year" and r.measures["b"].status == "not funded"
    assert r.shadow["target"][2026] == 0
    assert sum(r.spend_meur.values()) == 0  # in no budget
    # cash: g = 200 / (1 × 1 Mt × 10 y) = 20 €/t; from 2023 (2022 + L) for 10 years, each pays
    # 200 × min(20, 50 − 40) / (20 × 10) = 10 M€ (the price before 2024 is the 2024 price: 40); 100 released
    assert r.cash.commitments["S"][2022] == pytest.approx(200)
    assert r.cash.cash["S"] == pytest.approx({y: (10.0 if 2023 <= y <= 2032 else 0.0) for y in range(2022, 2033)})
    assert r.cash.released["S"] == pytest.approx(100)
    assert plan_json(r)["measures"]["a"]["past_share"] == 1


def past_share_of_a(grid_mw: float):
    """40 % of a (1 Mt, 500 M€ per share, 100 MW of grid per share) was committed in 2023 (L = 0: it runs from
    2023); b (2 Mt, 1600 M€ per share) needs no grid; the target is 1.5 Mt."""
    return plan(reduction=1.5, measures=[measure("a", 1.0, 50), measure("b", 2.0, 80)],
                resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", **yearly(grid_mw)}],
                usage=[{"measure_id": "a", "resource_id": "grid", "amount": 100.0}],
                committed=[{"measure_id": "a", "year": 2023, "share": 0.4, "instrument_id": "G", "subsidy_meur": 0}])


@family("committed")
def test_a_past_commitment_leaves_the_rest_of_the_measure():
    r = past_share_of_a(150.0)
    # 0.4 Mt from the past; what is left of a (0.6 share: 0.6 Mt, 300 M€) and 0.5 Mt of b (0.25 × 1600 = 400 M€)
    assert r.measures["a"].committed_share == pytest.approx(0.6)
    assert r.public_cost_meur == pytest.approx(300 + 400)
    # x_a ≤ 1 − 0.4 binds: one more unit share of a replaces 1 Mt of b at 800 − 500 = 300 M€
    assert r.shadow["max_share"]["a"] == pytest.approx(300)
    # the grid carries the past 40 MW and the new 60 MW
    assert r.resource_use[("grid", 2026)] == pytest.approx(100)
    assert r.shadow["resource"][("grid", 2026)] == 0


@family("committed")
def test_a_past_commitment_uses_its_resources():
    r = past_share_of_a(80.0)
    # the past 40 MW leave 40 MW: 0.4 share of a (200 M€), the last 0.7 Mt from b (0.35 × 1600 = 560 M€)
    assert r.measures["a"].committed_share == pytest.approx(0.4)
    assert r.public_cost_meur == pytest.approx(200 + 560)
    # one more MW: 0.01 share of a, 0.01 Mt replacing b at 800 − 500 M€/Mt: 3 M€ per MW
    assert r.shadow["resource"][("grid", 2026)] == pytest.approx(3)


@family("committed")
def test_a_forced_commitment_is_paid_and_priced():
    # target 1.5 Mt; unforced: all of a (500 M€) and a quarter of b (0.5 Mt, 400 M€) = 900 M€.
    # b forced at half a share in 2024: 0.5 × 1600 = 800 M€ for 1 Mt, then half of a (250 M€): 1050 M€.
    r = plan(reduction=1.5, committed=[{"measure_id": "b", "year": 2024, "share": 0.5}])
    assert r.public_cost_meur == pytest.approx(1050)
    assert r.measures["b"].new[2024] == pytest.approx(0.5)
    assert r.measures["b"].subsidy_by_year == {("G", 2024): pytest.approx(800)}  # paid like any commitment
    assert r.spend_meur[("G", 2024)] >= 800 - 1e-6  # and budgeted
    # one unit share less forced: 2 Mt less of b (1600 M€) replaced by 2 Mt of a (1000 M€): 600 M€ per share
    assert r.shadow["committed"] == {("b", 2024): pytest.approx(600)}
    assert r.shadow["target"][2026] == pytest.approx(500)
    assert plan_json(r)["shadow_prices"]["committed"] == {"b": {"2024": pytest.approx(600)}}
    assert plan(reduction=1.5).public_cost_meur == pytest.approx(900)


@family("committed")
def test_a_forced_commitment_too_late_to_operate_is_still_paid():
    # c (2 Mt, 120 €/t, lead time 3) forced at half a share in 2024 operates from 2027, after 2026: it costs
    # 0.5 × 2400 = 1200 M€ and abates nothing by 2026; a and b meet the 3 Mt (2100 M€)
    r = plan(measures=[measure("a", 1.0, 50), measure("b", 2.0, 80), measure("c", 2.0, 120, lead_time_years=3)],
             committed=[{"measure_id": "c", "year": 2024, "share": 0.5}])
    assert r.public_cost_meur == pytest.approx(1200 + 2100)
    assert r.measures["c"].abatement_mt == 0


def test_a_forced_commitment_without_money_is_refused_clearly():
    # G has no budget in 2024: the forced decision in 2024 cannot be paid
    t = tables(budgets=[{"instrument_id": "G", 2024: 0.0, 2025: 1e6, 2026: 1e6}],
               committed=[{"measure_id": "b", "year": 2024, "share": 0.5}])
    problems = cashmodel.problems(to_input(t))
    assert len(problems) == 1
    p = problems[0]
    assert (p.sheet, p.row, p.column) == ("committed", 2, "year") and "cannot be paid" in p.message


def test_past_cash_above_a_limit_is_refused_clearly():
    # 200 M€ paid all in 2023 ("1") … and a 50/50 profile pays 100 in 2024 against a limit of 80
    t = tables(instruments=[{"instrument_id": "G", "payout": "0.5;0.5"}],
               committed=[{"measure_id": "a", "year": 2023, "share": 1.0, "instrument_id": "G", "subsidy_meur": 200}],
               cash_limits=[{"instrument_id": "*", 2024: 80.0}])
    problems = cashmodel.problems(to_input(t))
    assert [(p.sheet, p.row, p.column) for p in problems] == [("cash_limits", 2, "2024")]
    assert "alone pay 100 M€ in 2024" in problems[0].message


@pytest.mark.parametrize("row, column, fragment", [
    ({"measure_id": "zz", "year": 2023, "share": 1.0}, "measure_id", "unknown measure 'zz'"),
    ({"measure_id": "a", "year": 2027, "share": 1.0}, "year", "after target_year 2026"),
    ({"measure_id": "a", "year": 2023, "share": 1.5}, "share", "found 1.5, expected a share in (0, 1]"),
    ({"measure_id": "a", "year": 2023, "share": 60}, "share", "a share is a fraction: write 0.6 for 60 %"),
    ({"measure_id": "a", "year": 2023, "share": -0.5}, "share", "found -0.5, expected a share in (0, 1]"),
    ({"measure_id": "a", "year": 2023, "share": 1.0, "instrument_id": "T", "subsidy_meur": 5}, "instrument_id",
     "not eligible for instrument 'T'"),
    ({"measure_id": "a", "year": 2023, "share": 1.0, "subsidy_meur": 5}, "instrument_id",
     "without an instrument"),
    ({"measure_id": "a", "year": 2023, "share": 1.0, "instrument_id": "G"}, "subsidy_meur", "without subsidy_meur"),
    ({"measure_id": "a", "year": 2024, "share": 1.0, "subsidy_meur": -1}, "subsidy_meur", "expected a number ≥ 0"),
])
def test_a_bad_committed_row_names_sheet_row_and_column(row, column, fragment):
    t = tables(instruments=[{"instrument_id": "G"}, {"instrument_id": "T"}],
               budgets=[{"instrument_id": "G", **yearly(1e6)}, {"instrument_id": "T", **yearly(1e6)}],
               committed=[dict(row)])
    with pytest.raises(InputError) as err:
        to_input(t)
    (p,) = err.value.problems
    assert (p.sheet, p.row, p.column) == ("committed", 2, column)
    assert fragment in p.message, p.message


def test_shares_add_up_over_the_rows_of_a_measure():
    t = tables(committed=[{"measure_id": "a", "year": 2022, "share": 0.7},
                          {"measure_id": "a", "year": 2024, "share": 0.5}])
    with pytest.raises(InputError) as err:
        to_input(t)
    (p,) = err.value.problems
    assert (p.row, p.column) == (3, "share") and "what is left of max_share 1 of 'a': 0.3" in p.message


@pytest.mark.parametrize("payout, fragment", [
    ("0.5;0.4", "sum to 0.9"), ("half", "expected 'operating' or the shares"), ("-0.5;1.5", "negative")])
def test_a_bad_payout_is_refused(payout, fragment):
    with pytest.raises(InputError) as err:
        to_input(tables(instruments=[{"instrument_id": "G", "payout": payout}]))
    (p,) = err.value.problems
    assert (p.sheet, p.row, p.column) == ("instruments", 2, "payout") and fragment in p.message


def test_prices_may_run_past_the_target_year_but_must_cover_it():
    inp = to_input(tables(prices=[{"parameter": "co2_price_eur_per_t", **yearly(10.0), 2030: 99.0}]))
    assert inp.price_at(2029) == 10.0 and inp.price_at(2030) == 99.0 and inp.price_at(2040) == 99.0
    assert inp.price_at(2020) == 10.0  # before start_year: the start_year price
    with pytest.raises(InputError):
        to_input(tables(prices=[{"parameter": "co2_price_eur_per_t", 2024: 1.0, 2026: 1.0, 2030: 1.0}]))


# ---------------------------------------------------------------- properties

payouts = st.one_of(
    st.just("operating"),
    st.lists(st.integers(0, 5), min_size=1, max_size=6).filter(lambda xs: sum(xs) > 0).map(
        lambda xs: ";".join(format(x / sum(xs), ".17g") for x in xs)),
)


@settings(max_examples=60, deadline=None)
@given(payout=payouts, cost=st.floats(-20, 400), support=st.floats(0.5, 16), lead=st.integers(0, 4),
       prices=st.lists(st.floats(0, 300), min_size=3, max_size=12), year=st.sampled_from([2024, 2025, 2026]),
       subsidy=st.floats(0.001, 5000))
def test_cash_never_exceeds_the_commitment_and_the_rest_is_released(payout, cost, support, lead, prices, year,
                                                                     subsidy):
    t = tables(measures=[measure("a", 1.0, cost, support=support, lead_time_years=lead)],
               instruments=[{"instrument_id": "G", "payout": payout}],
               prices=[{"parameter": "co2_price_eur_per_t", **{2024 + k: p for k, p in enumerate(prices)}}])
    inp = to_input(t)
    shares = schedule(inp, "a", inp.instruments["G"], year, max(0.0, cost - inp.price_at(year)))
    assert all(f >= 0 for f in shares.values())
    assert sum(shares.values()) <= 1 + 1e-12  # cash per commitment never exceeds the commitment
    if payout != "operating":
        assert sum(shares.values()) == pytest.approx(1)
    proj = project(inp, {("a", "G", year): subsidy} if cost > inp.price_at(year) else {})
    for i in inp.instruments:
        committed, paid = sum(proj.commitments[i].values()), sum(proj.cash[i].values())
        assert paid <= committed * (1 + 1e-12) + 1e-12
        assert paid + proj.released[i] == pytest.approx(committed, rel=1e-12, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(0.1, 2.0), st.integers(1, 300), st.integers(0, 2), payouts),
                min_size=1, max_size=5), st.floats(0.1, 1.0), st.lists(st.floats(0, 250), min_size=3, max_size=8))
def test_a_solved_plan_pays_out_at_most_what_it_commits(ms, ambition, prices):
    measures = [measure(f"m{k}", a, c, lead_time_years=lead, eligible=f"I{k}") for k, (a, c, lead, _) in enumerate(ms)]
    r = plan(reduction=ambition * sum(a for a, *_ in ms), measures=measures,
             instruments=[{"instrument_id": f"I{k}", "payout": p} for k, (*_, p) in enumerate(ms)],
             budgets=[{"instrument_id": f"I{k}", **yearly(1e6)} for k in range(len(ms))],
             prices=[{"parameter": "co2_price_eur_per_t", **{2024 + k: p for k, p in enumerate(prices)}}])
    for i in r.input.instruments:
        committed = sum(r.cash.commitments[i].values())
        assert committed == pytest.approx(sum(r.spend_meur[(i, y)] for y in r.input.years), abs=1e-6)
        assert sum(r.cash.cash[i].values()) <= committed + 1e-6
        assert sum(r.cash.cash[i].values()) + r.cash.released[i] == pytest.approx(committed, abs=1e-6)


# ---------------------------------------------------------------- sweeps, the rules, the terminal, compare

def test_a_sweep_varies_a_cash_limit_the_workbook_does_not_have(tmp_path):
    import json

    import openpyxl

    from builders import workbook
    from optimiser.pipeline import run

    src = workbook(tmp_path / "in.xlsx", tables(**two_instruments(None)), years=[2024])
    out = tmp_path / "sweep.xlsx"
    outcome = run("sweep", workbook=src, vary=[("set", "cash_limits:*:2024=60,80,100,120")], output=out,
                  json_path=str(tmp_path / "s.json"))
    points = json.loads((tmp_path / "s.json").read_text())
    # cash room C in 2024: G pays min(C, 100), T the rest at 1.2: 100 + 0.2 × (100 − C) while C < 100
    assert [p["public_cost_meur"] for p in points] == pytest.approx([108, 104, 100, 100])
    assert [p["shadow_prices"]["cash"]["*"]["2024"] for p in points] == pytest.approx([0.2, 0.2, 0, 0])
    # peak cash: max(G's 2024 cash, T's 2025 cash) = max(C, 100 − C), and 100 once C ≥ 100
    assert [pt.peak_cash_meur for pt in outcome.result.points] == pytest.approx([60, 80, 100, 100])
    assert [pt.solver_note for pt in outcome.result.points][1:] == ["warm re-solve"] * 3
    wb = openpyxl.load_workbook(out)
    ws = wb["Sweep"]
    headers = [c.value for c in ws[1]]
    col = headers.index("peak cash, all instruments (M€)") + 1
    assert [ws.cell(row=k, column=col).value for k in range(2, 6)] == pytest.approx([60, 80, 100, 100])
    charts = wb["Charts"]._charts  # the sweep's charts, on a sheet of their own
    assert len(charts) == 2 and charts[1].series[0].tx.v == "peak cash"


def test_the_rules_keep_to_a_cash_limit():
    from optimiser.analysis.simulate import simulate

    r = simulate(to_input(tables(**two_instruments([{"instrument_id": "*", 2024: 60.0}]))))
    # G runs first (first come, first served) and pays the whole gap: only 60 of its 100 M€ fit the 2024 cash
    # limit, so 0.6 of m is granted; a measure granted by G applies nowhere else, so T grants nothing
    o = r.outcomes["m"]
    assert o.granted_share == pytest.approx(0.6) and o.instrument_id == "G"
    assert "did not fit what was left of the cash limit of *" in o.reason
    assert r.cash.cash["G"][2024] == pytest.approx(60)
    assert r.shortfall_mt[2024] == pytest.approx(0.4)


def test_the_rules_start_from_the_decisions_taken():
    from optimiser.analysis.simulate import DECIDED, simulate

    t = tables(reduction=3.0, committed=[{"measure_id": "a", "year": 2023, "share": 1.0, "instrument_id": "G",
                                          "subsidy_meur": 0},
                                         {"measure_id": "c", "year": 2025, "share": 0.5}])
    r = simulate(to_input(t))
    assert r.outcomes["a"].outcome == DECIDED and r.measures["a"].status == "decided before start_year"
    assert r.abatement_mt[2026] >= 1.0  # a operates from 2023
    forced = [g for g in r.outcomes["c"].grants if g.stage == "forced"]
    assert len(forced) == 1 and forced[0].year == 2025 and forced[0].share == pytest.approx(0.5)
    # the fcfs round of 2024 grants what is left beside the forced share (0.5), the forced 0.5 comes in 2025
    assert r.outcomes["c"].granted_share == pytest.approx(1.0)
    assert "50% of it a forced decision in 2025 (sheet committed)" in r.outcomes["c"].reason
    assert sum(g.subsidy_meur.get("G", 0) for g in forced) == pytest.approx(0.5 * 2400)


def test_the_terminal_says_the_peak_and_what_is_released():
    from optimiser.report.terminal import plan_lines

    lines = plan_lines(plan(**one_year("operating")))
    # commitments 80 M€; cash 40 (2024) and 20 (2025): the peak is 2024 and 20 M€ is released
    assert "Cash peaks in 2024 at 40 M€; 20 M€ of the 80 M€ committed is expected to be released (vrijval)." in lines


@family("committed")
def test_an_elastic_run_measures_relaxations_against_the_limit_the_workbook_gives():
    # 40 % of a committed in 2023 uses 40 MW of the 50 MW grid; only a and b (both on the grid, 100 MW per
    # share each) can abate: 0.4 Mt past + 0.6 of a + all of b = 3 Mt needs 40 + 60 + 100 = 200 MW, so the
    # grid must give 150 MW. Relative to the 50 MW limit that is 3 (not 150 / 10 MW left after the past).
    r = plan(reduction=3.0, elastic="yes", measures=[measure("a", 1.0, 50), measure("b", 2.0, 80)],
             resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", **yearly(50.0)}],
             usage=[{"measure_id": "a", "resource_id": "grid", "amount": 100.0},
                    {"measure_id": "b", "resource_id": "grid", "amount": 100.0}],
             committed=[{"measure_id": "a", "year": 2023, "share": 0.4, "instrument_id": "G", "subsidy_meur": 0}])
    assert r.status == "target_met"
    grid = [x for x in r.relaxations if x["kind"] == "resource" and x["year"] == "2026"]
    assert grid == [{"kind": "resource", "id": "grid", "year": "2026", "amount": pytest.approx(150),
                     "limit": pytest.approx(50), "relative": pytest.approx(3)}]

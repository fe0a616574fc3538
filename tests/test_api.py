"""The Python API: optimiser.plan / sweep / simulate / compare, their DataFrames and their errors.

The small workbook (as in test_cli): measures a (1 Mt/yr at 50 €/t, cluster north, needs 100 MW of a 50 MW
grid), b (2 Mt/yr at 80 €/t, south) and c (2 Mt/yr at 120 €/t, lumpy); CO2 price 0, 10 support years, so a
full share of a costs 50 × 1 × 10 = 500 M€, of b 800 × 2 = 1,600 M€, of c 2,400 M€. Target 2.5 Mt/yr in 2026.
"""

from __future__ import annotations

import json

import pytest

import optimiser
from builders import grid_case, run, tables, workbook


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    t = grid_case(
        scenarios=[{"scenario": "cheap-b", "sheet": "measures", "id": "b", "column": "cost_eur_per_t", "op": "set",
                    "value": 40, "note": "b gets cheaper"}],
    )
    return workbook(tmp_path_factory.mktemp("api") / "in.xlsx", t)


@pytest.fixture(scope="module")
def base(small):
    return optimiser.plan(small)


def test_plan_scalars_and_frames_hold_the_hand_computed_optimum(base):
    # half of a (the grid: 50 of the 100 MW it needs) = 0.5 Mt for 250 M€, then all of b: 2 Mt for 1,600 M€
    p = base
    assert isinstance(p, optimiser.Plan)
    assert p.status == "target_met" and p.target_met
    assert p.objective_meur == pytest.approx(1850.0)
    assert p.public_cost_meur == pytest.approx(1850.0)
    assert p.abatement_mt == pytest.approx(2.5) and p.shortfall_mt == pytest.approx(0.0)

    m = p.measures
    assert m.index.name == "measure_id" and list(m.index) == ["a", "b", "c"]
    assert m.loc["a", "committed_share"] == pytest.approx(0.5)
    assert m.loc["b", "committed_share"] == pytest.approx(1.0)
    assert m.loc["c", "committed_share"] == pytest.approx(0.0)
    assert m.loc["a", "subsidy_meur"] == pytest.approx(250.0)
    assert m.loc["b", "paid_eur_per_t"] == pytest.approx(80.0)  # 1,600 M€ / (2 Mt × 10 years)
    assert list(m["status"]) == ["partly funded", "funded", "not funded"]
    assert m.attrs["units"]["abatement_mt"] == "Mt CO2-eq/yr"

    inst = p.instruments
    assert inst.loc["G", "subsidy_meur"] == pytest.approx(1850.0)
    assert inst.loc["G", "measures_funded"] == 2
    years = p.instrument_years
    assert list(years.index.names) == ["instrument_id", "year"]
    assert years["subsidy_meur"].sum() == pytest.approx(1850.0)

    res = p.resources.loc[("grid_north", 2026)]
    assert res["use"] == pytest.approx(50.0) and res["capacity"] == pytest.approx(50.0)  # 100 MW × 0.5
    assert res["unit"] == "MW" and res["used_share"] == pytest.approx(1.0)

    assert p.measure_years.xs(2026, level="year")["abatement_mt"].sum() == pytest.approx(2.5)
    assert p.subsidies["subsidy_meur"].sum() == pytest.approx(1850.0)

    tg = p.targets.loc[2026]
    assert tg["required_mt"] == pytest.approx(2.5) and bool(tg["met"])
    # one Mt/yr less required: 0.5 share less of b, 800 M€ saved
    assert tg["target_shadow_eur_per_t"] == pytest.approx(800.0)


def test_shadow_prices_and_binding_limits_come_from_the_registry(base):
    from optimiser.model.families import reported

    sp = base.shadow_prices
    assert list(sp.index.names) == ["family", "id", "year"]
    # every reported family of the registry with rows or limits appears, and only those
    assert set(sp.index.get_level_values("family")) <= {f.name for f in reported()}
    # one more MW: 0.01 share more of a (0.01 Mt at 500 M€/Mt) replaces 0.01 Mt of b (800 M€/Mt)
    assert sp.loc[("resource", "grid_north", 2026), "shadow_price"] == pytest.approx((800 - 500) / 100)
    assert sp.loc[("resource", "grid_north", 2026), "unit"] == "M€ per MW"
    assert sp.loc[("budget", "G", 2025), "shadow_price"] == pytest.approx(0.0)
    assert not sp.loc[("budget", "G", 2025), "binding"]

    b = base.binding
    assert list(b["shadow_price"]) == sorted(b["shadow_price"], reverse=True)
    assert set(b["kind"]) == {"policy"}
    assert set(b.index) == {("target", "", 2026), ("resource", "grid_north", 2026)}
    # the same sentence as the terminal and the Summary: three significant digits, the objective's verb
    assert b.loc[("resource", "grid_north", 2026), "meaning"] == "one more MW of grid north in 2026 saves 3.00 M€"
    assert (b["shadow_price"] > 0).all()


def test_binding_sentences_follow_the_objective_and_the_language(small):
    # maximising abatement, relaxing a limit adds abatement: 1 MW more of the grid lets 0.01 more of a in (1 Mt/yr)
    most = optimiser.plan(small, objective="max-abatement")
    assert most.binding.loc[("resource", "grid_north", 2026), "meaning"] == \
        "one more MW of grid north in 2026 adds 0.01000 Mt CO2-eq/yr of abatement"
    assert not most.binding["meaning"].str.contains("saves").any()
    dutch = optimiser.plan(small, objective="max-abatement", lang="nl")
    assert dutch.binding.loc[("resource", "grid_north", 2026), "meaning"] == \
        "één MW meer grid north in 2026 levert 0,01000 Mt CO2-eq/jr reductie op"


def test_binding_lists_policy_limits_before_single_measure_limits():
    b = optimiser.plan().binding
    kinds = list(b["kind"])
    assert kinds == sorted(kinds, key=lambda k: k != "policy") and "measure" in kinds
    policy = b[b["kind"] == "policy"]["shadow_price"]
    assert list(policy) == sorted(policy, reverse=True)
    assert list(policy.index.get_level_values("family")) == ["target", "resource", "resource"]


def test_dutch_labels_come_from_the_registry(small):
    p = optimiser.plan(small, lang="nl")
    row = p.shadow_prices.loc[("resource", "grid_north", 2026)]
    assert row["label"] == "capaciteit"
    assert p.shadow_prices.loc[("target", "", 2026), "unit"] == "M€ per Mt/jr, d.w.z. € per ton jaarlijkse reductie"
    assert "bespaart" in p.binding.loc[("resource", "grid_north", 2026), "meaning"]


def test_overrides_as_dicts_give_what_the_command_line_gives(small, tmp_path):
    # b at 40 €/t: all of b (800 M€) first, then 0.5 Mt of a (250 M€)
    cheap = optimiser.plan(small, set={"measures:b:cost_eur_per_t": 40})
    assert cheap.objective_meur == pytest.approx(1050.0)
    assert optimiser.plan(small, scenario="cheap-b").objective_meur == pytest.approx(1050.0)
    assert cheap.overrides == ["--set measures:b:cost_eur_per_t=40"]
    cli = run("plan", small, "-o", tmp_path / "c.xlsx", "--set", "measures:b:cost_eur_per_t=40", "--json", "-",
              check_code=0)
    assert json.loads(cli.stdout) == json.loads(cheap.to_json())

    # a setting as a keyword: 10 Mt/yr cannot be reached (0.5 + 2 + 2 at most), the shortfall is the rest
    short = optimiser.plan(small, target_reduction_mt=10)
    assert short.status == "target_not_met"
    assert short.shortfall_mt == pytest.approx(10 - 0.5 - 2 - 2)

    # scale: the grid ×2 lets all of a in (1 Mt, 500 M€), then 1.5 Mt of b (1,200 M€)
    wide = optimiser.plan(small, scale={"resources:grid_north:*": 2})
    assert wide.objective_meur == pytest.approx(500 + 1200)
    # add: a 30 €/t dearer (80 €/t, as b): 0.5 Mt of a at 800 M€/Mt + 2 Mt of b
    dear = optimiser.plan(small, add={"measures:a:cost_eur_per_t": 30}, overrides=[("set", "settings:mip_gap=0")])
    assert dear.objective_meur == pytest.approx(0.5 * 800 + 1600)
    assert dear.overrides == ["--add measures:a:cost_eur_per_t=30", "--set settings:mip_gap=0"]
    # yes/no settings from Python booleans
    assert optimiser.plan(small, strict=True).target_met


def test_shift_is_passed_through_as_the_shift_override(small):
    from optimiser.input import scenario

    if "shift" not in scenario.OPS:
        pytest.skip("the 'shift' override operation is not in optimiser/input/scenario.py yet")
    from optimiser.input.read import read_workbook

    # the API's shift= gives the input that the shift override itself gives
    p = optimiser.plan(small, shift={"resources:grid_north:*": 1})
    expected, _ = scenario.resolve(read_workbook(small).input, None, [("shift", "resources:grid_north:*=1")])
    assert p.input.resources["grid_north"].capacity == expected.resources["grid_north"].capacity
    assert any(o.startswith("--shift resources:grid_north:*=1") for o in p.overrides)


def test_bad_input_raises_input_error_with_the_problems_the_cli_prints(tmp_path):
    t = tables()
    t["measures"][1]["cost_eur_per_t"] = "cheap"
    bad = workbook(tmp_path / "bad.xlsx", t)
    with pytest.raises(optimiser.InputError) as info:
        optimiser.plan(bad)
    problem = info.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("measures", 3, "cost_eur_per_t")
    cli = run("plan", bad, "-o", tmp_path / "p.xlsx", check_code=2)
    assert [f"error: {p}" for p in info.value.problems] == cli.stderr.strip().splitlines()
    assert not (tmp_path / "p.xlsx").exists()

    with pytest.raises(optimiser.InputError, match="no row of sheet 'measures' has an id matching 'zzz'"):
        optimiser.plan(set={"measures:zzz:cost_eur_per_t": 1})
    with pytest.raises(optimiser.InputError, match="unknown setting 'no_such_setting'"):
        optimiser.plan(no_such_setting=1)
    with pytest.raises(optimiser.InputError, match="lang='fr': expected one of en, nl"):
        optimiser.plan(lang="fr")
    with pytest.raises(optimiser.InputError, match="set=: expected a dict"):
        optimiser.plan(set=["prices:co2_price_eur_per_t:*=130"])


def test_alternatives_are_plans_within_the_slack(small):
    p = optimiser.plan(small, alternatives=2, slack=0.10)
    assert p.alternatives and all(isinstance(a, optimiser.Plan) for a in p.alternatives)
    assert all(a.public_cost_meur <= p.public_cost_meur * 1.10 + 1e-6 for a in p.alternatives)
    assert optimiser.plan(small).alternatives == []


def test_strict_and_unreachable_raises_target_infeasible(small):
    with pytest.raises(optimiser.TargetInfeasible) as info:
        optimiser.plan(small, strict=True, target_reduction_mt=10)
    assert info.value.iis  # the conflicting limits, as the CLI lists them


def test_outputs_excel_json_and_refusing_to_overwrite(base, tmp_path):
    out = base.to_excel(tmp_path / "plan.xlsx")
    again = optimiser.plan(out)  # a plan workbook re-runs to the same plan
    assert again.objective_meur == pytest.approx(base.objective_meur)
    with pytest.raises(optimiser.InputError, match="file exists; pass force=True"):
        base.to_excel(out)
    base.to_excel(out, force=True)
    with pytest.raises(optimiser.InputError, match="an IAMC file is .csv or .xlsx"):
        base.to_iamc(tmp_path / "plan.txt")
    assert not (tmp_path / "plan.txt").exists()
    doc = json.loads(base.to_json(tmp_path / "plan.json"))
    assert doc == json.loads((tmp_path / "plan.json").read_text())
    assert doc == base.to_dict()
    assert doc["measures"]["a"]["committed_share"] == pytest.approx(0.5)


def test_compare_plans_and_plan_workbooks(base, small, tmp_path):
    cheap = optimiser.plan(small, scenario="cheap-b")
    c = optimiser.compare(base, cheap)
    assert not c.same
    d = c.differences.set_index(["section", "item"])
    assert d.loc[("plan", "public cost"), "a"] == pytest.approx(1850.0)
    assert d.loc[("plan", "public cost"), "b"] == pytest.approx(1050.0)
    assert d.loc[("plan", "public cost"), "change"] == pytest.approx(-800.0)
    assert c.measures.loc["b", "public_cost_meur_b"] == pytest.approx(800.0)
    # the same comparison from the two plan workbooks
    a_path, b_path = base.to_excel(tmp_path / "a.xlsx"), cheap.to_excel(tmp_path / "b.xlsx")
    from_files = optimiser.compare(a_path, b_path).differences.set_index(["section", "item"])
    assert from_files.loc[("plan", "public cost"), "change"] == pytest.approx(-800.0)
    assert optimiser.compare(base, a_path).same
    assert "differences" in repr(c) and "<table" in c._repr_html_()
    with pytest.raises(optimiser.InputError, match="not a plan workbook|no result sheet"):
        optimiser.compare(base, small)


def test_sweep_gives_the_price_of_ambition_curve(small, tmp_path):
    s = optimiser.sweep(small, vary={"settings:target_reduction_mt": [1, 2, 2.5]})
    pts = s.points
    # 1 Mt: 0.5 of a (250) + 0.5 Mt of b (400); 2 Mt: 250 + 1.5 × 800; 2.5 Mt: 250 + 1,600
    assert list(pts["public_cost_meur"]) == pytest.approx([650.0, 1450.0, 1850.0])
    assert list(pts["settings:target_reduction_mt"]) == [1, 2, 2.5]
    assert list(pts["target_shadow_eur_per_t"]) == pytest.approx([800.0, 800.0, 800.0])  # b is the marginal one
    assert s.spend.loc[(2, "G"), "subsidy_meur"] == pytest.approx(1450.0)
    assert s.shadow_prices.loc[(3, "resource", "grid_north", 2026), "shadow_price"] == pytest.approx(3.0)
    assert [p.objective_meur for p in s.plans] == pytest.approx([650.0, 1450.0, 1850.0])
    cli = run("sweep", small, "--vary", "settings:target_reduction_mt=1,2,2.5", "-o", tmp_path / "s.xlsx",
              "--json", "-", check_code=0)
    assert [p["public_cost_meur"] for p in json.loads(cli.stdout)] == \
        pytest.approx([p["public_cost_meur"] for p in s.to_dict()])
    assert s.to_excel(tmp_path / "s2.xlsx").exists()
    # factors and a START:STOP:STEP range, as on the command line
    g = optimiser.sweep(small, vary_scale={"resources:grid_north:*": "1:2:0.5"})
    # grid ×1.5: 0.75 of a (375) + 1.75 Mt of b (1,400); ×2: all of a (500) + 1.5 Mt of b (1,200)
    assert list(g.points["public_cost_meur"]) == pytest.approx([1850.0, 1775.0, 1700.0])
    lean = optimiser.sweep(small, vary={"settings:target_reduction_mt": range(1, 3)}, keep_plans=False)
    with pytest.raises(optimiser.InputError, match="keep_plans=True"):
        lean.to_iamc()
    with pytest.raises(optimiser.InputError, match="nothing to vary"):
        optimiser.sweep(small)


def test_simulate_returns_the_rules_plan(small):
    r = optimiser.simulate(small)
    assert r.kind == "rules"
    assert set(r.rule_outcomes.index) == {"a", "b", "c"}
    assert "rules" in r.to_dict()
    assert r.rule_outcomes.loc["b", "outcome"] == "realised"
    with pytest.raises(AttributeError):
        optimiser.plan(small).rule_outcomes


def test_repr_and_html_render(base):
    assert repr(base).startswith("<Plan 'test': target met; 2.500 Mt CO2-eq/yr in 2026, public cost 1,850.0 M€")
    html = base._repr_html_()
    assert "Plan test" in html and "1,850.0" in html
    assert str(base).splitlines()[0].startswith("Every target is met: 2.50 Mt CO2-eq/yr in 2026")


def test_cash_frame_holds_the_contract_keys_of_the_plan_json(base):
    """The cash frame, the instruments' money released and the IAMC cash rows hold the plan JSON's numbers
    (MODEL.md §13): all of them are the same result fields."""
    from optimiser.report import iamc

    doc = base.to_dict()
    df = base.cash
    assert set(df.columns) == {"commitments_meur", "cash_meur"}
    for key in ("commitments_meur", "cash_meur"):
        for i, by_year in doc[key].items():
            for y, v in by_year.items():
                assert df.loc[(i, int(y)), key] == pytest.approx(v or 0.0)
    assert len(df) == len({(i, y) for k in ("commitments_meur", "cash_meur") for i, ys in doc[k].items()
                           for y in ys})
    assert base.instruments["released_meur"].to_dict() == pytest.approx(doc["released_meur"])
    rows = {(s.variable, s.region): s for s in iamc.plan_series(base.result)}
    for i, by_year in doc["cash_meur"].items():
        assert rows[(f"Policy Cost|Cash|{i}", "Netherlands")].values == \
            pytest.approx({int(y): v for y, v in by_year.items()})
    assert rows[("Policy Cost|Cash", "Netherlands")].unit == "million EUR/yr"


# ---------------------------------------------------------------- futures, rules-gap, check and template from Python

def test_futures_from_python_gives_the_command_lines_answer(tmp_path):
    """The futures case of tests/test_futures.py: a's cost drawn from 40 … 60 €/t, met iff ≤ 50 €/t, so exactly
    10 of 20 Latin-hypercube futures meet the target, whatever the seed or the number of workers."""
    import pandas as pd

    from test_futures import one_cost_case

    src = workbook(tmp_path / "f.xlsx", one_cost_case())
    f = optimiser.futures(src, samples=20, seed=4, jobs=1)
    assert isinstance(f, optimiser.Futures) and f.mode == "wait_and_see"
    assert f.p_target_met == 0.5 and f.p_target_met_ci == pytest.approx((0.299294, 0.700706), abs=1e-5)
    frame = f.futures
    assert len(frame) == 20 and frame.index.name == "number" and list(frame.index) == list(range(1, 21))
    assert {"draw.cost of a", "status", "public_cost_meur", "abatement_mt.2026",
            "shortfall_mt.2026", "target_met"} <= set(frame.columns)
    assert "objective_meur" not in frame  # the penalty-laden objective is no figure of a future
    # one row per future, named as the JSON's keys: the frame is the JSON's futures, flattened
    doc = f.to_dict()
    flat = pd.json_normalize(doc["futures"], sep=".").set_index("number")
    pd.testing.assert_frame_equal(frame, flat[frame.columns])
    # as the JSON has them: the draws, then the headline fields a futures run shows, in the registry's order
    assert list(frame.columns) == ["draw.cost of a", "status", "target_met", "public_cost_meur",
                                   "abatement_mt.2026", "shortfall_mt.2026", "idle_mt"]
    assert (frame["target_met"] == (frame["draw.cost of a"] <= 50)).all()
    assert frame["target_met"].sum() == 10
    # a is funded in every future: all of it at ≤ 50 €/t, else what 500 M€ buys (500 / (10 c) ≥ 0.83 of it)
    assert f.funded_share.loc["a"] == pytest.approx(1.0) and f.funded_share.index.name == "measure_id"
    # the same numbers as the command line's JSON
    cli = run("futures", src, "--samples", "20", "--seed", "4", "--jobs", "2", "--json", "-", "-o",
              tmp_path / "f-out.xlsx", check_code=0)
    assert json.loads(cli.stdout)["futures"] == doc["futures"]
    assert f.to_excel(tmp_path / "again.xlsx").exists() and json.loads(f.to_json()) == doc
    assert "P(target met) 50.0 % (95 % interval 29.9–70.1 %)" in repr(f)
    assert str(f).splitlines()[0] == f.summary()[0] and "50.0 %" in str(f)
    with pytest.raises(optimiser.InputError, match="samples=0: expected a whole number ≥ 1"):
        optimiser.futures(src, samples=0)


def test_rules_gap_check_and_template_from_python(small, tmp_path):
    g = optimiser.rules_gap(small)
    assert isinstance(g.optimum, optimiser.Plan) and g.rules.kind == "rules"
    assert g.optimum.public_cost_meur == pytest.approx(1850.0)
    assert list(g.sides.index) == ["rules", "optimum", "optimum_at_rules_abatement", "optimum_at_rules_spending"]
    assert g.sides.loc["optimum", "public_cost_meur"] == pytest.approx(1850.0)
    cli = run("rules-gap", small, "-o", tmp_path / "g.xlsx", "--json", "-", check_code=0)
    assert json.loads(cli.stdout)["rules_vs_optimum"] == g.to_dict()["rules_vs_optimum"]
    c = optimiser.check(small, scenario="cheap-b")
    assert c.overrides == ["--set measures:b:cost_eur_per_t=40"] and c.input.settings.scenario_name == "cheap-b"
    assert c.tables["measures"].set_index("measure_id").loc["b", "cost_eur_per_t"] == 40
    with pytest.raises(optimiser.InputError, match="no row of sheet 'measures'"):
        optimiser.check(small, set={"measures:zzz:cost_eur_per_t": 1})
    path = optimiser.template(tmp_path / "t.xlsx")
    assert path == tmp_path / "t.xlsx" and path.exists()
    with pytest.raises(optimiser.InputError, match="file exists; pass force=True"):
        optimiser.template(path)


def test_the_readmes_futures_call_runs_and_shows_what_it_says(tmp_path, monkeypatch):
    """README.md's Python futures block, run as written on the default workbook: the numbers in its comment are
    the run's."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "optimiser.futures(" in b)
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(block, names)
    f = names["f"]
    shown = re.search(r"f\.p_target_met, f\.p_target_met_ci\s+# ([\d.]+), \(([\d.]+), ([\d.]+)\)", block)
    assert shown, "the README shows P(target met) and its interval in a comment"
    p, lo, hi = (float(x) for x in shown.groups())
    assert (round(f.p_target_met, 3), round(f.p_target_met_ci[0], 3), round(f.p_target_met_ci[1], 3)) == (p, lo, hi)

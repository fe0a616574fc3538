"""The result-field registry is the one place an output figure is declared.

Two toy fields registered here reach every output with no other change — as tests/test_registry.py does for
a constraint family: a field per target year (the abatement potential the plan leaves unfunded, with an IAMC
variable) and a field per measure (the share of it left to fund). Then the clean-ups the registry makes
possible: every JSON variant has every key, one headline record, one status mapping, one "taken up".

The toy case by hand (the merit order of tests/builders.py, support 10 years): a (1 Mt, 50 €/t), b (2 Mt,
80 €/t), c (2 Mt, 120 €/t), all deployable in full: 5 Mt of potential. A 3 Mt target funds all of a and b
(2,100 M€) and leaves c: 5 − 3 = 2 Mt of potential unfunded, c's whole share left. At 2 Mt: all of a and half
of b (1,300 M€), 3 Mt left; b has half of its share left.
"""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

import optimiser
from builders import measure, tables, workbook
from optimiser.cli import main
from optimiser.model import fields as F
from optimiser.model.fields import Field, Headline, Iamc

TARGET = "settings:target_reduction_mt"

LEFT = Field("potential_left_mt", F.TARGETS, "abatement potential left unfunded {year} (Mt CO2-eq/yr)",
             "Mt CO2-eq/yr",
             lambda r, y: sum(m.abatement_mt * m.max_share for m in r.input.measures.values()) - r.abatement_mt[y],
             F.MT, headline=True, iamc=Iamc("Emissions|CO2|Industry|Abatement Potential Left", "Mt CO2-equiv/yr"))
SHARE_LEFT = Field("share_left", F.MEASURES, "share left to fund (%)", "share of full deployment (0–1)",
                   lambda r, m: r.input.measures[m].max_share - r.measures[m].committed_share, F.SHARE)


@pytest.fixture
def toys():
    F.register(LEFT)
    F.register(SHARE_LEFT)
    yield LEFT, SHARE_LEFT
    F.unregister(SHARE_LEFT)
    F.unregister(LEFT)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    t = tables(measures=[measure("a", 1.0, 50), measure("b", 2.0, 80), measure("c", 2.0, 120)])
    return workbook(tmp_path_factory.mktemp("fields") / "in.xlsx", t)


def _rows(ws):
    return [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]


def _table(ws, first_header: str, wanted: str) -> dict:
    """The rows of the table on ``ws`` whose header row starts with ``first_header``, as {first cell: row}."""
    rows = _rows(ws)
    k = next(i for i, r in enumerate(rows) if r[0] == first_header and wanted in r)
    head = rows[k]
    return {r[0]: dict(zip(head, r)) for r in rows[k + 1:] if r[0] is not None}


def test_a_declared_field_reaches_the_plan_workbook_json_dataframes_and_iamc(toys, small, tmp_path):
    out, js, iamc = tmp_path / "plan.xlsx", tmp_path / "plan.json", tmp_path / "plan.csv"
    assert main(["plan", str(small), "-o", str(out), "--json", str(js), "--iamc", str(iamc)]) == 0
    wb = openpyxl.load_workbook(out)
    # the Summary's targets table: one row per target year, the label without the year
    targets = _table(wb["Summary"], "target year", "abatement potential left unfunded (Mt CO2-eq/yr)")
    assert targets[2026]["abatement potential left unfunded (Mt CO2-eq/yr)"] == pytest.approx(2.0)
    # the Measure plan: a column in its place, numbers in the field's format
    plan = _table(wb["Measure plan"], "measure id", "share left to fund (%)")
    assert [plan[m]["share left to fund (%)"] for m in "abc"] == pytest.approx([0.0, 0.0, 1.0])
    head = [c.value for c in wb["Measure plan"][1]]
    assert wb["Measure plan"].cell(row=4, column=head.index("share left to fund (%)") + 1).number_format == "0.0%"
    # the JSON: a key of its own (per target year) and a key of each measure
    doc = json.loads(js.read_text())
    assert doc["potential_left_mt"] == {"2026": pytest.approx(2.0)}
    assert doc["measures"]["c"]["share_left"] == pytest.approx(1.0)
    # the IAMC file: its variable, in the Netherlands, in the target year
    with open(iamc, newline="") as f:
        rows = {(r["region"], r["variable"]): r for r in csv.DictReader(f)}
    left = rows[("Netherlands", "Emissions|CO2|Industry|Abatement Potential Left")]
    assert left["unit"] == "Mt CO2-equiv/yr" and float(left["2026"]) == pytest.approx(2.0)
    # the API: a headline scalar (its value in the target year), the targets and measures frames
    p = optimiser.plan(small)
    assert p.potential_left_mt == pytest.approx(2.0) and p.headline.potential_left_mt == {2026: pytest.approx(2.0)}
    assert p.targets.loc[2026, "potential_left_mt"] == pytest.approx(2.0)
    assert p.targets.attrs["units"]["potential_left_mt"] == "Mt CO2-eq/yr"
    assert list(p.measures["share_left"]) == pytest.approx([0.0, 0.0, 1.0])
    assert p.to_iamc().query("variable == 'Emissions|CO2|Industry|Abatement Potential Left'")[2026].item() \
        == pytest.approx(2.0)


def test_a_declared_field_reaches_a_sweep_its_json_the_terminal_and_the_points_frame(toys, small, tmp_path,
                                                                                     capsys, monkeypatch):
    out, js = tmp_path / "sweep.xlsx", tmp_path / "sweep.json"
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["sweep", str(small), "--vary", f"{TARGET}=2,3", "-o", str(out), "--json", str(js)]) == 0
    stdout = capsys.readouterr().out
    header = "abatement potential left unfunded 2026 (Mt CO2-eq/yr)"
    ws = openpyxl.load_workbook(out)["Sweep"]
    head = [c.value for c in ws[1]]
    assert [ws.cell(row=r, column=head.index(header) + 1).value for r in (2, 3)] == pytest.approx([3.0, 2.0])
    points = json.loads(js.read_text())
    assert [p["potential_left_mt"]["2026"] for p in points] == pytest.approx([3.0, 2.0])
    assert [p["measures"]["b"]["share_left"] for p in points] == pytest.approx([0.5, 0.0])
    assert header in stdout and "3.000" in stdout  # the terminal's table, in the field's format
    s = optimiser.sweep(small, vary={TARGET: [2, 3]})
    assert list(s.points["potential_left_mt"]) == pytest.approx([3.0, 2.0])
    assert [p.potential_left_mt for p in s.run.points] == [{2026: pytest.approx(3.0)}, {2026: pytest.approx(2.0)}]


def test_a_declared_field_reaches_the_futures_json_and_workbook(toys, tmp_path):
    """Each future's record holds it (wait and see: each future planned on its own, jobs=1 so the toy field
    registered here is the worker's too). The cost of a is uniform in 40–60 €/t against a budget of 500 M€
    for 1 Mt: a future meets the target, and leaves no potential unfunded, iff c ≤ 50."""
    from optimiser.pipeline import run

    t = tables(measures=[measure("a", 1.0, 50)], budgets=[{"instrument_id": "G", 2024: 500.0, 2025: 0.0, 2026: 0.0}],
               reduction=1.0)
    t["uncertainty"] = [{"name": "cost of a", "sheet": "measures", "id": "a", "column": "cost_eur_per_t", "op": "set",
                         "distribution": "uniform", "low": 40, "high": 60}]
    src = workbook(tmp_path / "in.xlsx", t)
    out, js = tmp_path / "futures.xlsx", tmp_path / "futures.json"
    outcome = run("futures", workbook=src, samples=6, seed=1, jobs=1, output=out, json_path=str(js))
    futures = json.loads(js.read_text())["futures"]
    for f, r in zip(futures, outcome.result.results):
        cost = f["draw"]["cost of a"]
        assert f["potential_left_mt"]["2026"] == pytest.approx(0.0 if cost <= 50 else 1 - 50 / cost)
        assert r.potential_left_mt == {2026: pytest.approx(f["potential_left_mt"]["2026"])}
    ws = openpyxl.load_workbook(out)["Futures"]
    head = [c.value for c in ws[1]]
    column = head.index("abatement potential left unfunded 2026 (Mt CO2-eq/yr)") + 1
    assert [ws.cell(row=k + 2, column=column).value for k in range(6)] == \
        pytest.approx([f["potential_left_mt"]["2026"] for f in futures])


def test_an_unregistered_field_is_gone_again(toys, small):
    F.unregister(SHARE_LEFT)
    F.unregister(LEFT)
    try:
        p = optimiser.plan(small)
        assert "potential_left_mt" not in p.to_dict() and "share_left" not in p.to_dict()["measures"]["a"]
        assert "potential_left_mt" not in p.targets
    finally:
        F.register(LEFT)
        F.register(SHARE_LEFT)


def test_a_field_is_declared_once():
    with pytest.raises(ValueError, match="exists"):
        F.register(Field("public_cost_meur", F.PLAN, "public cost (M€)", "M€", lambda r: 0.0))
    with pytest.raises(ValueError, match="JSON key"):
        F.register(Field("cost_again", F.PLAN, "cost (M€)", "M€", lambda r: 0.0, json="public_cost_meur"))
    assert F.field("public_cost_meur") in F.FIELDS


# ---------------------------------------------------------------- what the registry cleans up

def test_every_json_variant_has_every_key(small, tmp_path):
    """A plan, a strict run without a plan and a failed sweep point write the same keys (and only their own
    extras): all from the declarations."""
    from optimiser.report.jsondoc import empty_json, failed_json, infeasible_json, plan_json

    p = optimiser.plan(small)
    keys = set(plan_json(p.result))
    assert {"shortfall_penalty_eur_per_t", "relaxations", "warnings", "commitments_meur", "cash_meur"} <= keys
    assert set(infeasible_json([])) == keys | {"iis"}
    point = optimiser.sweep(small, vary={TARGET: [2]}).run.points[0]
    point.headline = Headline.without_plan(p.input)
    failed = failed_json(point)
    assert set(failed) == keys | {"point", "message"}
    assert failed["status"] == "failed" and failed["abatement_mt"] == {"2026": None}
    assert failed["shadow_prices"] == empty_json()["shadow_prices"] and failed["measures"] == {}


def test_a_plan_a_sweep_point_and_a_future_share_one_headline_record(small):
    p = optimiser.plan(small, target_reduction_mt=2)
    point = optimiser.sweep(small, vary={TARGET: [2]}).run.points[0]
    assert point.headline.values.keys() >= p.headline.values.keys() - {"objective_slope"}
    for name in ("status", "public_cost_meur", "objective_meur", "abatement_mt", "shortfall_mt", "subsidy_meur"):
        assert point.headline.get(name) == pytest.approx(p.headline.get(name)) if name != "status" else \
            point.headline.get(name) == p.headline.get(name)
    assert p.public_cost_meur == pytest.approx(1300.0) == point.public_cost_meur
    from optimiser.analysis.futures import FutureResult

    future = FutureResult.of(1, p.result)
    assert future.headline == p.headline and future.target_met and future.committed == pytest.approx({"a": 1.0, "b": 0.5})
    with pytest.raises(KeyError):
        Headline({"not_a_field": 1})


def test_one_status_mapping_and_one_taken_up(small):
    from optimiser.model.results import TOL

    status = F.field("status")
    assert status.shown("target_met") == "target met" and status.shown("failed") == "failed"
    p = optimiser.plan(small, target_reduction_mt=2)
    assert {m for m, mr in p.result.measures.items() if mr.taken_up} == {"a", "b"}
    assert p.headline.measures_taken_up == 2
    assert all(mr.taken_up == (mr.committed_share > TOL) for mr in p.result.measures.values())
    assert p.result.instrument_spend_meur("G") == pytest.approx(1300.0) == p.headline.subsidy_meur["G"]

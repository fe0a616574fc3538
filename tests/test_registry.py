"""The constraint-family registry is the one place a family is described.

A toy family registered here — at most 1.5 unit shares committed in cluster
'north' — is built, solved, probed and reported by every output without any
other change: the JSON, the plan workbook's binding limits, a sweep and the
terminal. And the manifest maps every input column to the field it fills.

The toy case by hand (merit order of tests/builders.py, target 3 Mt, D = 10 y):
a (1 Mt, 50 €/t: 500 M€ per share) and b (2 Mt, 80 €/t: 1600 M€ per share) are
in 'north', c (2 Mt, 120 €/t: 2400 M€ per share) in 'south'. The cap counts
shares, not tonnes, so b (2 Mt a share) goes first: all of b, half of a and a
quarter of c give 2 + 0.5 + 0.5 = 3 Mt for 1600 + 250 + 600 = 2450 M€. c is the
marginal measure: λ = 1200 € per t of annual abatement. a is fractional, so
500 = λ · 1 − μ: the cap is worth μ = 700 M€ per share — one more share of room
lets a's tonnes (500 M€/Mt) replace c's (1200 M€/Mt).
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict

import openpyxl
import pytest

from builders import measure, tables, workbook
from optimiser.cli import main
from optimiser.input.data import Instrument, Measure, Resource, ScenarioRow, Settings
from optimiser.input.manifest import SETTINGS_KEYS, SHEETS
from optimiser.input.tables import to_input, to_tables
from optimiser.model import families
from optimiser.model.families import Family
from optimiser.model.index import Rows
from optimiser.pipeline import run, solve_input

TARGET = "settings:target_reduction_mt"


def cluster_cap(idx, inp) -> Rows:
    """cluster_cap — at most 1.5 unit shares committed in cluster 'north': Σ_{m ∈ north} x_{m,T} ≤ 1.5."""
    rows = Rows("<=")
    members = defaultdict(list)
    for m in idx.max_share_keys:
        members[inp.measures[m].cluster].append(m)
    if members["north"]:
        rows.add("north", [(1.0, "d", (m, y)) for m in members["north"] for y in idx.d_years[m]], 1.5)
    return rows


# a family's texts are message ids of the catalogue; a toy family's are not in it, so they read in English
TOY = Family("cluster_cap", cluster_cap, "cluster cap", "at most so many unit shares committed in a cluster",
             unit="share", probed=True, split=lambda key: (key, None), join=lambda ident, year: ident,
             words="the {item} cluster cap")


@pytest.fixture
def toy():
    families.register(TOY)
    yield TOY
    families.unregister(TOY.name)


def toy_tables(**kw):
    return tables(measures=[measure("a", 1.0, 50), measure("b", 2.0, 80), measure("c", 2.0, 120, cluster="south")],
                  **kw)


def test_a_registered_family_is_built_solved_and_priced(toy):
    r = solve_input(to_input(toy_tables()))
    assert r.objective_meur == pytest.approx(1600 + 250 + 600)
    assert [r.measures[m].committed_share for m in "abc"] == pytest.approx([0.5, 1, 0.25])
    assert r.shadow["target"][2026] == pytest.approx(1200)
    assert r.shadow["cluster_cap"] == {"north": pytest.approx(700)}
    assert ("cluster_cap", "north", pytest.approx(700)) in r.binding()


def test_its_shadow_price_reaches_the_json_and_the_plan_workbook(toy, tmp_path):
    src = workbook(tmp_path / "in.xlsx", toy_tables())
    out = tmp_path / "plan.xlsx"
    outcome = run("plan", workbook=src, output=out, json_path=str(tmp_path / "plan.json"))
    data = json.loads((tmp_path / "plan.json").read_text())
    assert data["shadow_prices"]["cluster_cap"] == {"north": pytest.approx(700)}
    assert outcome.exit_code == 0
    rows = list(openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True))
    head = next(r for r in rows if r and r[0] == "limit" and "what it means" in r)
    row = dict(zip(head, next(r for r in rows if r and r[1] == "cluster cap")))
    assert row["limit"] == "the north cluster cap" and row["shadow price (unit in next column)"] == pytest.approx(700)
    assert row["shadow price unit"] == "M€ per share"
    assert "one more share of the north cluster cap saves 700 M€" in row["what it means"]
    about = [r for r in openpyxl.load_workbook(out)["About"].iter_rows(values_only=True) if r and r[0] == "cluster_cap"]
    assert about and about[0][1] == "cluster cap"


def test_its_shadow_price_reaches_a_sweep(toy, tmp_path):
    src = workbook(tmp_path / "in.xlsx", toy_tables())
    out = tmp_path / "sweep.xlsx"
    outcome = run("sweep", workbook=src, vary=[("set", f"{TARGET}=2,3")], output=out, json_path=str(tmp_path / "s.json"))
    points = json.loads((tmp_path / "s.json").read_text())
    # at 2 Mt all of a and half of b (1300 M€) fill the cap, but one more share of room saves nothing
    # (b stays the marginal measure); at 3 Mt it is worth 700 M€ per share
    assert [p["shadow_prices"]["cluster_cap"].get("north", 0) for p in points] == [0, pytest.approx(700)]
    assert [p["public_cost_meur"] for p in points] == pytest.approx([1300, 2450])
    assert outcome.result.points[1].shadow[("cluster_cap", "north")] == pytest.approx(700)
    wb = openpyxl.load_workbook(out)
    headers = [c.value for c in wb["Sweep"][1]]
    col = headers.index("shadow price cluster_cap north (M€ per share)")
    assert wb["Sweep"].cell(row=3, column=col + 1).value == pytest.approx(700)
    assert ("cluster_cap", "north") in {(r[3], r[4]) for r in wb["Binding limits"].iter_rows(min_row=2, values_only=True)}


def test_its_shadow_price_reaches_the_terminal(toy, tmp_path, capsys):
    src = workbook(tmp_path / "in.xlsx", toy_tables())
    assert main(["plan", str(src), "-o", str(tmp_path / "p.xlsx")]) == 0
    assert "one more share of the north cluster cap saves 700 M€" in capsys.readouterr().out


def test_an_unregistered_family_is_gone_again(toy):
    families.unregister(TOY.name)
    try:
        r = solve_input(to_input(toy_tables()))
        assert "cluster_cap" not in r.shadow and r.objective_meur == pytest.approx(500 + 1600)
    finally:
        families.register(TOY)


def test_every_family_is_described_in_both_languages_and_docs():
    from pathlib import Path

    from optimiser.lang import in_language

    doc = (Path(__file__).resolve().parent.parent / "docs" / "model.md").read_text()
    for f in families.FAMILIES:
        assert f.rows.__doc__ and f.rows.__doc__.startswith(f.name), f.name  # the formula beside the code
        assert f.label and f.meaning, f.name
        # translated by the catalogue (tests/test_lang.py checks every text of the code is in it)
        assert in_language(f.label, "nl") != f.label and in_language(f.meaning, "nl") != f.meaning, f.name
        assert f"`{f.name}`" in doc, f"{f.name} is not in docs/model.md"


def test_every_manifest_column_names_a_field_of_its_record():
    records = {"settings": Settings}
    for spec in SHEETS:
        if spec.record is None:
            continue
        fields = {f.name for f in dataclasses.fields(spec.record)}
        for col in spec.fields:
            assert col.fills in fields, f"{spec.name}.{col.name} → {col.fills}"
        if spec.year_field:
            assert spec.year_field in fields
    assert set(SETTINGS_KEYS) <= {f.name for f in dataclasses.fields(records["settings"])}


def test_tables_round_trip_through_the_typed_input():
    inp = to_input(tables(measures=[measure("a", 1.0, 50, lumpy="yes", max_share=0.5, lead_time_years=1),
                                    measure("b", 2.0, 80, eligible="G;T")],
                          instruments=[{"instrument_id": "G", "name": "grant", "eur_per_t_cap": 90},
                                       {"instrument_id": "T", "kind": "tax", "cost_weight": 0.25}],
                          budgets=[{"instrument_id": "G", 2024: 10, 2025: 20, 2026: 30},
                                   {"instrument_id": "T", 2024: 1, 2025: 2, 2026: 3}],
                          resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", 2024: 5, 2025: 6,
                                      2026: 7}],
                          usage=[{"measure_id": "a", "resource_id": "grid", "amount": 3.0}],
                          scenarios=[{"scenario": "s", "sheet": "budgets", "id": "G", "column": "*", "op": "scale",
                                      "value": 2}]))
    again = to_input(to_tables(inp))
    assert again == inp
    assert isinstance(again.measures["a"], Measure) and again.measures["a"].lumpy is True
    assert again.instruments["T"] == Instrument("T", kind="tax", cost_weight=0.25, row=3)
    assert again.resources["grid"] == Resource("grid", "stock", {2024: 5, 2025: 6, 2026: 7}, unit="MW", row=2)
    assert again.scenarios == (ScenarioRow("s", "budgets", "G", "*", "scale", 2, row=2),)

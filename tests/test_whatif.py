"""Common what-ifs in one option: --shift (a year series k years later), output names that say what was
changed, and --json - that writes no workbook unless -o asks for one."""

from __future__ import annotations

import json

import pytest

from builders import run, tables, workbook
from optimiser.input.data import InputError
from optimiser.input.scenario import OPS, apply_overrides, override_tag, parse_override, shifted
from optimiser.input.tables import to_input

GRID = {"resource_id": "grid_zeeland", "name": "Grid capacity, Zeeland", "kind": "stock", "unit": "MW",
        2024: 100.0, 2025: 150.0, 2026: 550.0}


def _inp(**kw):
    return to_input(tables(resources=[dict(GRID)], usage=[{"measure_id": "a", "resource_id": "grid_zeeland",
                                                           "amount": 10.0}], **kw))


def test_shift_is_an_override_op_like_set_scale_and_add():
    assert "shift" in OPS
    o = parse_override("shift", "resources:grid_zeeland:*=2")
    assert (o.op, o.value) == ("shift", 2) and o.spec() == "--shift resources:grid_zeeland:*=2"


def test_shift_moves_a_year_series_later_and_fills_the_start_with_the_first_year():
    # value in year t becomes the value of year t − k; before start_year, the start_year value
    inp = apply_overrides(_inp(), [parse_override("shift", "resources:grid_zeeland:*=1")])
    assert dict(inp.resources["grid_zeeland"].capacity) == {2024: 100.0, 2025: 100.0, 2026: 150.0}
    inp = apply_overrides(_inp(), [parse_override("shift", "resources:grid_zeeland:*=2")])
    assert dict(inp.resources["grid_zeeland"].capacity) == {2024: 100.0, 2025: 100.0, 2026: 100.0}


def test_shift_of_some_years_reads_the_whole_series_and_writes_only_those():
    inp = apply_overrides(_inp(), [parse_override("shift", "resources:grid_zeeland:2026=1")])
    assert dict(inp.resources["grid_zeeland"].capacity) == {2024: 100.0, 2025: 150.0, 2026: 150.0}


def test_shift_earlier_takes_the_last_year_beyond_the_horizon():
    inp = apply_overrides(_inp(), [parse_override("shift", "resources:grid_zeeland:*=-1")])
    assert dict(inp.resources["grid_zeeland"].capacity) == {2024: 150.0, 2025: 550.0, 2026: 550.0}


def test_shifted_is_the_one_rule():
    assert shifted({2024: 1, 2025: 2, 2026: 3, 2027: 4}, 2) == {2024: 1, 2025: 1, 2026: 1, 2027: 2}


def test_shift_of_something_that_is_not_a_year_series_is_an_error():
    with pytest.raises(InputError) as exc:
        apply_overrides(_inp(), [parse_override("shift", "measures:a:lead_time_years=2")])
    assert "shift moves a year series" in str(exc.value) and "lead_time_years" in str(exc.value)
    with pytest.raises(InputError) as exc:
        apply_overrides(_inp(), [parse_override("shift", "resources:grid_zeeland:*=1.5")])
    assert "whole number of years" in str(exc.value)


def test_shift_in_a_scenario_sheet_row(tmp_path):
    t = tables(resources=[dict(GRID)], scenarios=[{"scenario": "zeeland-late", "sheet": "resources",
                                                   "id": "grid_zeeland", "column": "*", "op": "shift", "value": 2,
                                                   "note": "Zeeland's grid slips two years"}])
    src = workbook(tmp_path / "in.xlsx", t)
    proc = run("plan", src, "--scenario", "zeeland-late", "-o", tmp_path / "p.xlsx", check_code=0)
    assert "--shift resources:grid_zeeland:*=2" in proc.stdout


def test_output_names_carry_the_scenario_and_the_overrides(tmp_path):
    src = workbook(tmp_path / "in.xlsx", tables())
    run("plan", src, "--set", "prices:co2_price_eur_per_t:*=130", "--scale", "budgets:G:*=1.2", cwd=tmp_path,
        check_code=0)
    (name,) = [p.name for p in (tmp_path / "outputs").iterdir()]
    assert name.startswith("plan-test-co2-130-G-x1.2-"), name


def test_override_tags_are_short_and_safe():
    assert override_tag([("set", "prices:co2_price_eur_per_t:*=130")]) == "co2-130"
    assert override_tag([("set", "settings:target_reduction_mt=25")]) == "target-reduction-25"
    assert override_tag([("scale", "resources:grid_*:*=0.8")]) == "grid-x0.8"
    assert override_tag([("shift", "resources:grid_zeeland:*=2")]) == "grid-zeeland-shift2"
    assert override_tag([("add", "measures:tata_*:lead_time_years=2")]) == "tata-lead-time-plus2"
    assert override_tag([("scale", "budgets:SDE++:*=1.2")]) == "SDE-x1.2"
    assert override_tag([("set", "settings:objective=max-abatement"), ("set", "settings:elastic=yes")]) == \
        "max-abatement-elastic"
    many = override_tag([("set", f"measures:m{k}:max_share=0.5") for k in range(12)])
    assert len(many) <= 60 and many.endswith("more")
    assert override_tag([]) == ""


def test_json_to_stdout_without_o_writes_no_workbook(tmp_path):
    src = workbook(tmp_path / "in.xlsx", tables())
    proc = run("plan", src, "--json", "-", cwd=tmp_path, check_code=0)
    assert json.loads(proc.stdout)["status"] == "target_met"
    assert not (tmp_path / "outputs").exists()
    assert "written to" not in proc.stderr
    proc = run("sweep", src, "--vary", "settings:target_reduction_mt=1,2", "--json", "-", cwd=tmp_path,
               check_code=0)
    assert len(json.loads(proc.stdout)) == 2 and not (tmp_path / "outputs").exists()

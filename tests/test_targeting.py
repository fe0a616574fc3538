"""Override targeting has one home (optimiser.input.targeting): the same SHEET:ID:COLUMN means the same cells
whether it comes from the command line (--set/--scale/--add/--shift), a row of sheet 'scenarios' or a row of
sheet 'uncertainty', and a target that names nothing is refused with the same words by all three.

Each case is applied through the three routes to one small input; the inputs they give must be equal, and
equal to the cells changed by hand below (so a route that changed nothing, or too much, fails).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from builders import measure, tables, yearly
from optimiser.input.data import InputError
from optimiser.input.scenario import apply_overrides, parse_override, resolve
from optimiser.input.tables import to_input
from optimiser.input.targeting import TargetError, select
from optimiser.input.uncertainty import draw_futures

YEARS = [2024, 2025, 2026]


def base_tables() -> dict:
    """Measures a, b, c (a and b eligible for G and T), two grids used by all three, a forced decision of a in
    2025 and a past one of b in 2023, cash limits for * and G, a CO2 price outlook to 2028."""
    t = tables(
        measures=[measure("a", 1.0, 50, eligible="G;T", max_share=0.9), measure("b", 2.0, 80, eligible="G;T"),
                  measure("c", 2.0, 120)],
        instruments=[{"instrument_id": "G", "name": "grant"}, {"instrument_id": "T", "name": "tender"}],
        budgets=[{"instrument_id": "G", **yearly(1e6)}, {"instrument_id": "T", 2024: 10.0, 2025: 20.0, 2026: 30.0}],
        resources=[{"resource_id": "grid_north", "kind": "stock", **yearly(100.0)},
                   {"resource_id": "grid_south", "kind": "stock", 2024: 50.0, 2025: 60.0, 2026: 70.0}],
        usage=[{"measure_id": "a", "resource_id": "grid_north", "amount": 10.0},
               {"measure_id": "b", "resource_id": "grid_south", "amount": 20.0},
               {"measure_id": "c", "resource_id": "grid_south", "amount": 5.0}],
        prices=[{"parameter": "co2_price_eur_per_t", 2024: 80.0, 2025: 90.0, 2026: 100.0, 2027: 110.0, 2028: 120.0}],
        committed=[{"measure_id": "a", "year": 2025, "share": 0.4},
                   {"measure_id": "b", "year": 2023, "share": 0.5, "instrument_id": "G", "subsidy_meur": 10.0}],
        cash_limits=[{"instrument_id": "*", 2025: 500.0, 2026: 600.0}, {"instrument_id": "G", 2025: 400.0}],
        targets=[{"year": 2025, "reduction_mt": 1.0}],
    )
    return t


#: (op, SHEET:ID:COLUMN, value, what the cells must be afterwards: a function of the input)
CASES = [
    ("scale", "committed:a/2025:share", 2.0, lambda i: _committed(i, "a", 2025) == 0.8),
    ("scale", "committed:*/20*:share", 0.5, lambda i: (_committed(i, "a", 2025), _committed(i, "b", 2023)) == (0.2, 0.25)),
    ("add", "committed:b/2023:subsidy_meur", 5.0, lambda i: next(c for c in i.committed if c.measure_id == "b").subsidy_meur == 15.0),
    ("scale", "usage:a/grid_north:amount", 3.0, lambda i: dict(i.usage) == {("a", "grid_north"): 30.0, ("b", "grid_south"): 20.0, ("c", "grid_south"): 5.0}),
    ("scale", "usage:*/grid_south:amount", 2.0, lambda i: dict(i.usage) == {("a", "grid_north"): 10.0, ("b", "grid_south"): 40.0, ("c", "grid_south"): 10.0}),
    ("scale", "measures:[ab]:cost_eur_per_t", 1.5, lambda i: [m.cost_eur_per_t for m in i.measures.values()] == [75.0, 120.0, 120.0]),
    ("add", "measures:*:lead_time_years", 1.0, lambda i: [m.lead_time_years for m in i.measures.values()] == [1, 1, 1]),
    ("scale", "budgets:T:202[56]", 0.5, lambda i: dict(i.budgets["T"]) == {2024: 10.0, 2025: 10.0, 2026: 15.0}),
    ("scale", "resources:grid_*:*", 0.5, lambda i: (dict(i.resources["grid_north"].capacity), dict(i.resources["grid_south"].capacity)) == ({2024: 50.0, 2025: 50.0, 2026: 50.0}, {2024: 25.0, 2025: 30.0, 2026: 35.0})),
    ("shift", "resources:grid_south:20*", 1, lambda i: dict(i.resources["grid_south"].capacity) == {2024: 50.0, 2025: 50.0, 2026: 60.0}),
    ("scale", "prices:co2_price_eur_per_t:*", 0.5, lambda i: dict(i.prices["co2_price_eur_per_t"]) == {2024: 40.0, 2025: 45.0, 2026: 50.0, 2027: 55.0, 2028: 60.0}),
    ("set", "prices:co2_price_eur_per_t:2030", 150.0, lambda i: i.prices["co2_price_eur_per_t"][2030] == 150.0),
    ("set", "cash_limits:*:2024", 300.0, lambda i: (dict(i.cash_limits["*"].limits), dict(i.cash_limits["G"].limits)) == ({2024: 300.0, 2025: 500.0, 2026: 600.0}, {2025: 400.0})),
    ("scale", "cash_limits:?*:2025", 2.0, lambda i: (i.cash_limits["*"].limits[2025], i.cash_limits["G"].limits[2025]) == (1000.0, 800.0)),
    ("set", "cash_limits:T:2026", 5.0, lambda i: dict(i.cash_limits["T"].limits) == {2026: 5.0}),
    ("set", "targets:2025:reduction_mt", 2.0, lambda i: i.targets[2025] == 2.0),
    ("scale", "settings:target_reduction_mt:value", 0.5, lambda i: i.settings.target_reduction_mt == 1.5 and i.targets[2026] == 1.5),
    ("add", "instruments:*:cost_weight", 0.5, lambda i: [x.cost_weight for x in i.instruments.values()] == [1.5, 1.5]),
]


def _holds(expected, inp) -> bool:
    try:
        return bool(expected(inp))
    except KeyError:  # the year or row the case adds is not there
        return False


def _committed(inp, m, year):
    return next(c.share for c in inp.committed if c.measure_id == m and c.year == year)


def _cli(op, target, value):
    sheet, ident, column = target.split(":")
    text = f"settings:{ident}={value}" if sheet == "settings" else f"{target}={value}"
    return resolve(to_input(base_tables()), None, [(op, text)])[0]


def _scenario_row(op, target, value, row=2):
    sheet, ident, column = target.split(":")
    return {"scenario": "s", "sheet": sheet, "id": ident, "column": column, "op": op, "value": value, "_row": row}


def _scenario(op, target, value):
    t = base_tables()
    t["scenarios"] = [_scenario_row(op, target, value)]
    inp, _rows = resolve(to_input(t), "s", [])
    return replace(inp, settings=replace(inp.settings, scenario_name="test"), scenarios=())


def _uncertainty_row(op, target, value, row=2):
    sheet, ident, column = target.split(":")
    return {"name": "x", "sheet": sheet, "id": ident, "column": column, "op": op, "distribution": "choice",
            "values": str(value), "_row": row}


def _uncertainty(op, target, value):
    t = base_tables()
    t["uncertainty"] = [_uncertainty_row(op, target, value)]
    inp = to_input(t)
    [future] = draw_futures(inp.uncertainty, 1, seed=1)
    return replace(apply_overrides(inp, list(future.overrides)), uncertainty=())


def _model_fields(inp):
    return {k: getattr(inp, k) for k in ("settings", "measures", "instruments", "budgets", "resources", "usage",
                                         "prices", "targets", "committed", "cash_limits")}


@pytest.mark.parametrize("op, target, value, expected", CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_the_same_target_changes_the_same_cells_through_every_route(op, target, value, expected):
    base = to_input(base_tables())
    cli, scenario, future = _cli(op, target, value), _scenario(op, target, value), _uncertainty(op, target, value)
    assert expected(cli), "the command line changed other cells than the target names"
    assert not _holds(expected, base), "the case changes nothing: it cannot tell the routes apart"
    assert _model_fields(scenario) == _model_fields(cli)
    assert _model_fields(future) == _model_fields(cli)


#: (op, target, value, the part of the target that is wrong, words of the one message all routes give)
REFUSED = [
    ("scale", "committed:a/2099:share", 2.0, "id", "no row of sheet 'committed' has an id matching 'a/2099'"),
    ("scale", "usage:a/grid_nort:amount", 2.0, "id", "did you mean 'a/grid_north'?"),
    ("scale", "measures:a:name", 2.0, "column", "can be changed with scale ('name' is not a number)"),
    ("scale", "measures:a:costs_eur_per_t", 2.0, "column", "did you mean 'cost_eur_per_t'?"),
    ("shift", "measures:a:lead_time_years", 1, "op", "sheet 'measures' has no year columns (use set or add)"),
    ("shift", "resources:grid_north:kind", 1, "column", "column 'kind' is not a year column"),
    ("scale", "mesures:a:cost_eur_per_t", 2.0, "sheet", "unknown sheet 'mesures', expected one of settings, "
                                                        "measures"),
    ("scale", "settings:target_reduction:value", 2.0, "id", "unknown setting 'target_reduction': did you mean "
                                                            "'target_reduction_mt'?"),
    ("scale", "settings:solver:value", 2.0, "op", "setting 'solver' is not a number: scale cannot change it"),
    ("scale", "cash_limits:T:2025", 2.0, "id", "no row of sheet 'cash_limits' has an id matching 'T'"),
]


@pytest.mark.parametrize("op, target, value, part, words", REFUSED, ids=[f"{c[0]} {c[1]}" for c in REFUSED])
def test_a_target_that_names_nothing_is_refused_alike_by_every_route(op, target, value, part, words):
    sheet, ident, column = target.split(":")
    with pytest.raises(TargetError) as exc:
        select(base_tables(), sheet, ident, column, op)
    assert exc.value.part == part and words in exc.value.message
    with pytest.raises(InputError) as cli:
        _cli(op, target, value)
    [p] = cli.value.problems
    assert p.message.endswith(f": {exc.value.message}")
    with pytest.raises(InputError) as scenario:
        _scenario(op, target, value)
    [p] = scenario.value.problems
    assert (p.sheet, p.row) == ("scenarios", 2)
    if part == "sheet":  # a sheet name is a reference (Column.refers), checked when the workbook is read
        assert (p.column, p.message) == ("sheet", exc.value.message)
    else:  # the rest when the scenario is applied, named by its row
        assert p.message.endswith(f": {exc.value.message}")
    with pytest.raises(InputError) as uncertain:
        _uncertainty(op, target, value)
    [p] = uncertain.value.problems
    assert (p.sheet, p.row, p.column) == ("uncertainty", 2, "column" if part == "column" else part)
    assert p.message == exc.value.message


def test_an_exact_id_names_its_row_only_and_a_pattern_every_row_it_matches():
    t = base_tables()
    [(row, cols)] = select(t, "cash_limits", "*", "2025", "scale").cells
    assert row["instrument_id"] == "*" and cols == [2025]
    assert [r["instrument_id"] for r, _c in select(t, "cash_limits", "?*", "2025", "scale").cells] == ["*", "G"]
    assert [r["measure_id"] for r, _c in select(t, "committed", "*/20*", "share", "scale").cells] == ["a", "b"]


def test_a_set_of_one_year_adds_the_year_or_the_row_where_the_sheet_allows_it():
    t = base_tables()
    chosen = select(t, "cash_limits", "T", "2026", "set")
    assert chosen.new_rows == [{"_row": None, "instrument_id": "T"}] and chosen.cells[0][1] == [2026]
    assert select(t, "prices", "co2_price_eur_per_t", "2031", "set").cells[0][1] == [2031]  # the outlook
    with pytest.raises(TargetError, match="no column of sheet 'budgets' matching '2031'"):
        select(t, "budgets", "G", "2031", "set")  # budgets have exactly the horizon's years
    with pytest.raises(TargetError, match="has an id matching 'T\\*'"):
        select(t, "cash_limits", "T*", "2026", "set")  # a pattern adds no row
    assert t == base_tables()  # selecting changes nothing

"""Unknown ids are found by one check that follows every reference column of the manifest (Column.refers).

Every reference column is tried with an id its sheet lacks; the one problem names sheet, row and column and
says which sheet lacks the id, with the id meant when one is close. A reference column added to the manifest
without a case here fails :func:`test_every_reference_column_is_tried`.
"""

from __future__ import annotations

import pytest

from builders import measure, tables, yearly
from optimiser.input.data import InputError
from optimiser.input.manifest import SHEET_NAMES, SHEETS, Column, Sheet
from optimiser.input.tables import check_references, to_input

#: (sheet, column) → a table set whose row 2 of that sheet names the id 'SDE+' in that column (the instrument
#: is 'SDE++', the measure 'steel', the resource 'grid', the fence 'north', the sheet 'measures').
def _case(sheet: str, column: str) -> dict:
    t = tables(measures=[measure("steel", 1.0, 50, eligible="SDE++")], instruments=[{"instrument_id": "SDE++"}],
               budgets=[{"instrument_id": "SDE++", **yearly(1e6)}],
               resources=[{"resource_id": "grid", "kind": "stock", **yearly(100.0)}])
    row = {
        "measures": {**measure("m2", 1.0, 60, eligible="SDE++")},
        "budgets": {"instrument_id": "SDE++", **yearly(1.0)},
        "fences": {"fence_id": "north", "instrument_id": "SDE++", **yearly(0.0)},
        "usage": {"measure_id": "steel", "resource_id": "grid", "amount": 1.0},
        "committed": {"measure_id": "steel", "year": 2023, "share": 1.0, "instrument_id": "SDE++",
                      "subsidy_meur": 1.0},
        "cash_limits": {"instrument_id": "*", 2025: 100.0},
        "scenarios": {"scenario": "s", "sheet": "measures", "id": "steel", "column": "abatement_mt", "op": "scale",
                      "value": 0.5},
        "uncertainty": {"name": "x", "sheet": "measures", "id": "steel", "column": "abatement_mt", "op": "scale",
                        "distribution": "uniform", "low": 0.5, "high": 1.0},
    }[sheet]
    row[column] = ("SDE+",) if column == "eligible_instruments" else "SDE+"
    rows = t.setdefault(sheet, [])
    if sheet == "budgets":
        rows.clear()
    rows.insert(0, row)
    for n, r in enumerate(rows, start=2):
        r["_row"] = n
    if sheet == "budgets":  # the instrument's own budget row follows the unknown one
        rows.append({"instrument_id": "SDE++", **yearly(1e6), "_row": 3})
    return t


REFERENCES = [(s.name, c.name) for s in SHEETS for c in s.columns if c.refers]


def test_every_reference_column_is_tried():
    tried = {(sheet, column) for sheet, column, *_rest in CASES}
    assert tried == set(REFERENCES)


CASES = [
    ("measures", "eligible_instruments", "unknown instrument 'SDE+' (not in sheet 'instruments')"),
    ("measures", "fence", "unknown fence 'SDE+' (not in sheet 'fences')"),
    ("budgets", "instrument_id", "budget row for unknown instrument 'SDE+'"),
    ("fences", "instrument_id", "unknown instrument 'SDE+' (not in sheet 'instruments')"),
    ("usage", "measure_id", "unknown measure 'SDE+' (not in sheet 'measures')"),
    ("usage", "resource_id", "unknown resource 'SDE+' (not in sheet 'resources')"),
    ("committed", "measure_id", "unknown measure 'SDE+' (not in sheet 'measures')"),
    ("committed", "instrument_id", "unknown instrument 'SDE+' (not in sheet 'instruments')"),
    ("cash_limits", "instrument_id", "unknown instrument 'SDE+' (not in sheet 'instruments'; * limits all instruments "
                                     "together)"),
    ("scenarios", "sheet", "unknown sheet 'SDE+', expected one of settings, measures"),
    ("uncertainty", "sheet", "unknown sheet 'SDE+', expected one of settings, measures"),
]


@pytest.mark.parametrize("sheet, column, words", CASES, ids=[f"{s}.{c}" for s, c, _w in CASES])
def test_an_unknown_id_is_refused_naming_sheet_row_and_column(sheet, column, words):
    with pytest.raises(InputError) as exc:
        to_input(_case(sheet, column))
    [p] = exc.value.problems
    assert (p.sheet, p.row, p.column) == (sheet, 2, column)
    assert p.message.startswith(words), p.message
    if SHEET_BY_REFERENCE[(sheet, column)] == "instruments":
        assert p.message.endswith("(did you mean 'SDE++'?)"), p.message  # the id meant


SHEET_BY_REFERENCE = {(s.name, c.name): c.refers for s in SHEETS for c in s.columns if c.refers}


def test_ids_separated_by_commas_are_told_to_use_semicolons():
    t = tables(instruments=[{"instrument_id": "G"}, {"instrument_id": "T"}],
               budgets=[{"instrument_id": "G", **yearly(1e6)}, {"instrument_id": "T", **yearly(1e6)}],
               measures=[measure("a", 1.0, 50, eligible="G, T")])
    with pytest.raises(InputError) as exc:
        to_input(t)
    [p] = exc.value.problems
    assert p.message == "unknown instrument 'G, T' (not in sheet 'instruments'); separate ids with ';', not ',': write 'G;T'"


def test_the_star_of_cash_limits_and_a_blank_optional_reference_are_no_unknown_ids():
    t = tables(cash_limits=[{"instrument_id": "*", 2025: 100.0}],
               committed=[{"measure_id": "a", "year": 2023, "share": 1.0}])  # instrument_id blank
    inp = to_input(t)
    assert set(inp.cash_limits) == {"*"} and inp.committed[0].instrument_id == ""


def test_a_reference_to_a_missing_required_sheet_is_reported_once_as_the_missing_sheet(tmp_path):
    import openpyxl

    from builders import workbook
    from optimiser.input.read import read_workbook

    path = workbook(tmp_path / "in.xlsx", tables())
    wb = openpyxl.load_workbook(path)
    del wb["instruments"]
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_workbook(path)
    assert [(p.sheet, p.message) for p in exc.value.problems] == [("instruments", "required sheet is missing")]


def test_a_reference_column_declared_anywhere_is_checked_by_the_one_rule():
    """A toy sheet with a reference column: no code but its declaration makes its unknown ids refused."""
    toy = Sheet("toy", "a toy sheet", (Column("toy_id", "str", True), Column("m", "str", refers="measures"),
                                       Column("s", "str", refers=SHEET_NAMES)))
    from optimiser.input.tables import _Collector

    out = _Collector()
    ctx = {"ids": {"measures": {"steel"}}}
    assert check_references(toy, {"_row": 5, "toy_id": "x", "m": "steel", "s": "measures"}, ctx, out)
    assert not check_references(toy, {"_row": 6, "toy_id": "y", "m": "stel", "s": "mesures"}, ctx, out)
    assert [(p.sheet, p.row, p.column) for p in out.problems] == [("toy", 6, "m"), ("toy", 6, "s")]
    assert out.problems[0].message == "unknown measure 'stel' (not in sheet 'measures') (did you mean 'steel'?)"
    assert "(did you mean 'measures'?)" in out.problems[1].message

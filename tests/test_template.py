"""The blank template (policymix template): made from the manifest, checked blank, planned once filled in.

The filled-in case by hand: one grant G, measures a (1 Mt/yr at 50 €/t) and b (2 Mt/yr at 80 €/t), 10
support years, no CO2 price, a 2 Mt/yr target in 2026: all of a and half of b, 50·1·10 + 80·1·10 =
1 300 M€. The template's example rows (first cell '#…') stay in the workbook and are ignored.
"""

from __future__ import annotations

import openpyxl
import pytest

from builders import run
from optimiser.input.manifest import COMMENT, SETTINGS_KEYS, SHEETS, TEMPLATE_SHEETS


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    d = tmp_path_factory.mktemp("template")
    proc = run("template", d / "blank.xlsx", check_code=0)
    assert "Template written to" in proc.stdout
    return d / "blank.xlsx"


def _validations(ws) -> list[tuple[str, str, str, str | None]]:
    """(cells, type, formula1, error text) of every data validation of a sheet."""
    return [(str(dv.sqref), dv.type, dv.formula1, dv.error) for dv in ws.data_validations.dataValidation]


def _rule(ws, column: str):
    col = next(c.column_letter for c in ws[1] if c.value == column)
    found = [v for v in _validations(ws) if v[0].split(":")[0] == f"{col}2"]
    assert found, (ws.title, column)
    return found[0]


def test_every_sheet_and_column_of_the_manifest_with_its_description_and_unit(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == list(TEMPLATE_SHEETS) + [s.name for s in SHEETS]
    for spec in SHEETS:
        ws = wb[spec.name]
        header = [c.value for c in ws[1]]
        names = [h for h in header if isinstance(h, str)]
        assert set(names) == {c.name for c in spec.columns}, spec.name
        if spec.year_columns:
            assert set(range(2024, 2031)) <= {h for h in header if isinstance(h, int)}, spec.name
        for cell in ws[1]:
            assert cell.comment is not None, (spec.name, cell.value)
            col = spec.column(cell.value) if isinstance(cell.value, str) else None
            text = cell.comment.text
            if col is not None:
                assert col.description in text, (spec.name, col.name)
                if col.unit and col.unit != "ids":
                    assert f"Unit: {col.unit}." in text, (spec.name, col.name)
                assert ("Required" in text) == col.required, (spec.name, col.name)
            else:
                assert spec.year_description in text and spec.year_unit in text, spec.name


def test_two_example_rows_per_sheet_marked_as_comments(template):
    wb = openpyxl.load_workbook(template)
    for spec in SHEETS:
        ws = wb[spec.name]
        first = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
        examples = [v for v in first if isinstance(v, str) and v.startswith(COMMENT)]
        assert len(examples) == 2, (spec.name, first)
        assert first[:2] == examples, spec.name  # right under the header
        assert ws.cell(row=2, column=1).font.i, spec.name  # shown as examples: grey italic
    settings = [r[0] for r in wb["settings"].iter_rows(min_row=4, values_only=True)]
    assert settings == list(SETTINGS_KEYS)  # every setting, its value to fill in
    assert all(r[1] is None for r in wb["settings"].iter_rows(min_row=4, values_only=True))


def test_drop_down_lists_for_ids_choices_and_yes_no(template):
    wb = openpyxl.load_workbook(template)
    cells, kind, source, _ = _rule(wb["measures"], "eligible_instruments")
    assert kind == "list" and source == "'instruments'!$A$2:$A$1001"
    assert _rule(wb["measures"], "fence")[2] == "'fences'!$A$2:$A$1001"
    assert _rule(wb["usage"], "measure_id")[2] == "'measures'!$A$2:$A$1001"
    assert _rule(wb["usage"], "resource_id")[2] == "'resources'!$A$2:$A$1001"
    assert _rule(wb["budgets"], "instrument_id")[2] == "'instruments'!$A$2:$A$1001"
    assert _rule(wb["committed"], "measure_id")[2] == "'measures'!$A$2:$A$1001"
    assert _rule(wb["measures"], "lumpy")[1:3] == ("list", '"yes,no"')
    assert _rule(wb["resources"], "kind")[1:3] == ("list", '"stock,flow"')
    assert _rule(wb["scenarios"], "op")[1:3] == ("list", '"set,scale,add,shift"')
    assert "measures" in _rule(wb["scenarios"], "sheet")[2]
    assert "sde_round" in _rule(wb["instruments"], "allocation")[2]
    # a share refuses 80 and says why; a number refuses text
    cells, kind, low, error = _rule(wb["measures"], "max_share")
    assert kind == "decimal" and "0.8 for 80 %" in error
    assert _rule(wb["measures"], "abatement_mt")[1] == "decimal"
    settings = wb["settings"]
    row = {settings.cell(row=r, column=1).value: r for r in range(2, settings.max_row + 1)}
    rules = {v[0]: v for v in _validations(settings)}
    assert rules[f"B{row['objective']}"][2] == '"min-cost,max-abatement"'
    assert rules[f"B{row['elastic']}"][2] == '"yes,no"'


def test_the_comments_give_the_hints_for_typical_mistakes(template):
    wb = openpyxl.load_workbook(template)
    notes = {c.value: c.comment.text for c in wb["measures"][1] if isinstance(c.value, str)}
    assert "';', not ','" in notes["eligible_instruments"] and "SDE++;NIKI" in notes["eligible_instruments"]
    assert "decimal point" in notes["abatement_mt"] and "'1,5'" in notes["abatement_mt"]
    assert "0.8 for 80 %" in notes["max_share"]
    assert "yes or no" in notes["lumpy"]
    instructions = " ".join(str(c.value) for row in wb[TEMPLATE_SHEETS[0]].iter_rows() for c in row if c.value)
    for hint in ("';', not ','", "decimal point", "0.8 for 80 %", "policymix check", "starts with #"):
        assert hint in instructions, hint


def test_check_on_the_blank_template_lists_what_is_still_missing(template):
    proc = run("check", template, check_code=2)
    lines = proc.stderr.strip().splitlines()
    assert all(line.startswith("error: ") for line in lines), proc.stderr
    assert "Traceback" not in proc.stderr and "note:" not in proc.stderr  # the Instructions sheet is no input
    text = "\n".join(lines)
    for key in ("start_year", "target_year", "target_reduction_mt"):
        assert "sheet 'settings', row " in text and f"setting '{key}' is blank, expected a value" in text
    assert "sheet 'measures', row 2, column 'measure_id': the sheet has no rows" in text
    assert "sheet 'instruments', row 2, column 'instrument_id': the sheet has no rows" in text
    assert "sheet 'prices', column 'parameter': required row 'co2_price_eur_per_t' is missing" in text
    assert len(lines) == 6, text


def _fill(src, dst) -> None:
    """Fill the blank template in as a user would: below the examples, which stay."""
    wb = openpyxl.load_workbook(src)
    s = wb["settings"]
    for r in range(2, s.max_row + 1):
        key = s.cell(row=r, column=1).value
        value = {"scenario_name": "filled", "start_year": 2024, "target_year": 2026, "target_reduction_mt": 2.0}
        if key in value:
            s.cell(row=r, column=2).value = value[key]

    def add(sheet: str, values: dict) -> None:
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        r = ws.max_row + 1
        for k, v in values.items():
            ws.cell(row=r, column=header.index(k) + 1).value = v

    add("instruments", {"instrument_id": "G", "name": "grant"})
    add("budgets", {"instrument_id": "G", 2024: 1000, 2025: 1000, 2026: 1000})
    add("prices", {"parameter": "co2_price_eur_per_t", 2024: 0, 2025: 0, 2026: 0})
    for mid, abatement, cost in (("a", 1.0, 50), ("b", 2.0, 80)):
        add("measures", {"measure_id": mid, "abatement_mt": abatement, "cost_eur_per_t": cost, "support_years": 10,
                         "eligible_instruments": "G"})
    wb.save(dst)


def test_a_filled_template_plans(template, tmp_path):
    filled = tmp_path / "filled.xlsx"
    _fill(template, filled)
    proc = run("check", filled, check_code=0)
    assert "2 measures, 1 instruments" in proc.stdout
    proc = run("plan", filled, "-o", tmp_path / "plan.xlsx", "--json", tmp_path / "plan.json", check_code=0)
    assert "at a public cost of 1,300 M€" in proc.stdout  # 50·1·10 + 80·1·10
    import json

    doc = json.loads((tmp_path / "plan.json").read_text())
    assert doc["measures"]["a"]["committed_share"] == pytest.approx(1.0)
    assert doc["measures"]["b"]["committed_share"] == pytest.approx(0.5)
    assert not any(m.startswith(COMMENT) for m in doc["measures"])  # the examples were skipped


def test_the_template_is_not_overwritten_without_force(template):
    before = template.read_bytes()
    proc = run("template", template, check_code=2)
    assert "file exists; pass --force" in proc.stderr
    assert template.read_bytes() == before


def test_a_row_whose_first_cell_starts_with_a_hash_is_a_comment_in_any_workbook(tmp_path):
    from builders import measure, tables, workbook
    from optimiser.input.read import read_workbook

    t = tables(measures=[measure("a", 1.0, 50), measure("#b", 2.0, 80), measure("c", 2.0, 120)],
               usage=[{"measure_id": "#b", "resource_id": "nothing", "amount": 1.0}])  # skipped, so no error
    t["settings"].append({"key": " # reviewed by the budget team", "value": "yes"})
    wb = read_workbook(workbook(tmp_path / "in.xlsx", t))
    assert list(wb.input.measures) == ["a", "c"] and not wb.input.usage
    assert not wb.notes  # a comment is not an unknown setting

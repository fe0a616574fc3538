"""A misspelt column, sheet or setting is an error naming what was meant, never a silent change of the plan.

Renaming ``lead_time_years`` to ``lead_time`` used to pass ``check`` with a note while the plan took every
lead time as 0. A header close to a known column that the sheet lacks (same letters but for case, spaces,
underscores; the known name without its unit suffix; or a small edit distance) is now an error that names
the column meant; any other unknown column stays a note. The same holds for setting keys and sheet names.
Dutch spreadsheet habits get a hint: ``SDE++, NIKI`` for ``SDE++;NIKI``, a decimal comma ``1,5`` and a
percentage ``80`` where a share is expected.
"""

from __future__ import annotations

import openpyxl
import pytest

from builders import measure, run, tables, workbook
from optimiser.cli import main


def _book(tmp_path, **kw):
    t = tables(measures=[measure("a", 1.0, 50, lead_time_years=1), measure("b", 2.0, 80, eligible="G;T")],
               instruments=[{"instrument_id": "G", "name": "grant"}, {"instrument_id": "T", "name": "tax"}],
               budgets=[{"instrument_id": "G", 2024: 1e6, 2025: 1e6, 2026: 1e6},
                        {"instrument_id": "T", 2024: 1e6, 2025: 1e6, 2026: 1e6}], **kw)
    return workbook(tmp_path / "in.xlsx", t)


def _edit(path, sheet, fn):
    wb = openpyxl.load_workbook(path)
    fn(wb[sheet] if sheet else wb)
    wb.save(path)
    return path


def _rename_header(path, sheet, old, new):
    def fn(ws):
        for cell in ws[1]:
            if cell.value == old:
                cell.value = new
                return
        raise AssertionError(f"no header {old}")
    return _edit(path, sheet, fn)


def _set(path, sheet, row_id, column, value):
    def fn(ws):
        headers = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == row_id:
                row[headers.index(column)].value = value
                return
        raise AssertionError(row_id)
    return _edit(path, sheet, fn)


def _check(path, capsys):
    code = main(["check", str(path)])
    err = capsys.readouterr().err
    return code, [l for l in err.splitlines() if l.startswith("error: ")], [l for l in err.splitlines()
                                                                           if l.startswith("note: ")]


@pytest.mark.parametrize("typed", ["lead_time", "Lead Time Years", "lead_time_yaers", "leadtimeyears"])
def test_a_column_close_to_a_known_one_is_an_error_naming_it(tmp_path, capsys, typed):
    src = _rename_header(_book(tmp_path), "measures", "lead_time_years", typed)
    code, errors, _ = _check(src, capsys)
    assert code == 2
    assert len(errors) == 1, errors
    assert f"column '{typed.strip().lower()}'" in errors[0] and "did you mean 'lead_time_years'" in errors[0]
    assert "sheet 'measures'" in errors[0] and "row 1" in errors[0]


def test_the_misspelt_column_no_longer_changes_the_plan_silently(tmp_path):
    src = _rename_header(_book(tmp_path), "measures", "lead_time_years", "lead_time")
    proc = run("plan", src, "-o", tmp_path / "p.xlsx", check_code=2)
    assert "did you mean 'lead_time_years'" in proc.stderr
    assert not (tmp_path / "p.xlsx").exists()


def test_a_misspelt_required_column_is_one_error_naming_the_column_meant(tmp_path, capsys):
    src = _rename_header(_book(tmp_path), "measures", "abatement_mt", "abatment_mt")
    code, errors, _ = _check(src, capsys)
    assert code == 2
    assert len(errors) == 1, errors  # not also "required column is missing" and a blank cell per row
    assert "did you mean 'abatement_mt'" in errors[0]


def test_an_unknown_column_far_from_any_known_one_stays_a_note(tmp_path, capsys):
    src = _edit(_book(tmp_path), "measures", lambda ws: ws.cell(row=1, column=ws.max_column + 1, value="remarks"))
    code, errors, notes = _check(src, capsys)
    assert code == 0 and not errors
    assert any("column 'remarks' is not an input column: ignored" in n for n in notes)


def test_a_present_known_column_is_not_what_an_unknown_one_means(tmp_path, capsys):
    # 'names' is close to 'name', but 'name' is there: an extra column, a note
    src = _edit(_book(tmp_path), "measures", lambda ws: ws.cell(row=1, column=ws.max_column + 1, value="names"))
    code, errors, notes = _check(src, capsys)
    assert code == 0 and not errors and any("'names'" in n for n in notes)


def test_a_misspelt_setting_key_is_an_error_naming_the_key_meant(tmp_path, capsys):
    src = _book(tmp_path, shortfall_penalty=5000)  # meant: shortfall_penalty_eur_per_t
    code, errors, _ = _check(src, capsys)
    assert code == 2 and len(errors) == 1, errors
    assert "did you mean 'shortfall_penalty_eur_per_t'" in errors[0] and "sheet 'settings'" in errors[0]


def test_an_unknown_setting_far_from_any_is_a_note(tmp_path, capsys):
    src = _book(tmp_path, prepared_by="Anna")
    code, errors, notes = _check(src, capsys)
    assert code == 0 and not errors
    assert any("setting 'prepared_by' is not a setting" in n for n in notes)


def test_a_missing_required_sheet_names_the_sheet_that_is_close(tmp_path, capsys):
    src = _edit(_book(tmp_path), None, lambda wb: setattr(wb["measures"], "title", "Measure"))
    code, errors, _ = _check(src, capsys)
    assert code == 2
    line = next(e for e in errors if "sheet 'measures'" in e)
    assert "required sheet is missing" in line and "sheet 'measure'" in line and "rename" in line


def test_ids_separated_by_commas_get_the_semicolon_hint(tmp_path, capsys):
    src = _set(_book(tmp_path), "measures", "b", "eligible_instruments", "G, T")
    code, errors, _ = _check(src, capsys)
    assert code == 2 and len(errors) == 1, errors
    assert "unknown instrument 'G, T'" in errors[0] and "separate ids with ';'" in errors[0] and "G;T" in errors[0]


def test_a_decimal_comma_gets_the_point_hint(tmp_path, capsys):
    src = _set(_book(tmp_path), "measures", "a", "abatement_mt", "1,5")
    code, errors, _ = _check(src, capsys)
    assert code == 2 and len(errors) == 1, errors
    assert "found '1,5'" in errors[0] and "1.5" in errors[0] and "decimal point" in errors[0]


def test_a_percentage_where_a_share_is_expected_gets_the_share_hint(tmp_path, capsys):
    src = _set(_book(tmp_path), "measures", "a", "max_share", 80)
    code, errors, _ = _check(src, capsys)
    assert code == 2 and len(errors) == 1, errors
    assert "found 80" in errors[0] and "0.8" in errors[0]


def test_a_decimal_comma_in_an_override_gets_the_hint_too(tmp_path, capsys):
    src = _book(tmp_path)
    code = main(["check", str(src), "--set", "measures:a:abatement_mt=1,5"])
    err = capsys.readouterr().err
    assert code == 2 and "1.5" in err and "decimal point" in err

"""policymix compare: two plan workbooks read back from their result sheets, and what changed.

The two known plans are the merit-order case (tests/builders.py) at a target
of 2.5 Mt — a in full, 0.75 of b: 500 + 1.5 × 800 = 1700 M€, marginal measure
b (800 €/t), a's maximum share worth 800 − 500 = 300 M€ — and at 4 Mt — a and
b in full, half of c: 500 + 1600 + 1200 = 3300 M€, marginal measure c
(1200 €/t), a's maximum share worth 700 M€ and b's (1200 − 800) × 2 = 800 M€.
"""

from __future__ import annotations


import pytest

from builders import run, tables, workbook
from optimiser.analysis.compare import compare_plans, plan_view
from optimiser.input.data import InputError
from optimiser.input.planfile import read_plan_results

TARGET = "settings:target_reduction_mt"


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plans")
    src = workbook(tmp / "in.xlsx", tables())
    a, b = tmp / "a.xlsx", tmp / "b.xlsx"
    run("plan", src, "--set", f"{TARGET}=2.5", "-o", a, check_code=0)
    run("plan", src, "--set", f"{TARGET}=4", "-o", b, check_code=0)
    return src, a, b


def test_a_plan_read_back_holds_its_results(plans):
    _, a, _ = plans
    p = plan_view(read_plan_results(a))
    assert p["status"] == "target_met" and p["scenario"] == "test"
    assert p["public_cost_meur"] == pytest.approx(1700)
    assert p["targets"][2026] == pytest.approx({"required_mt": 2.5, "abatement_mt": 2.5, "shortfall_mt": 0.0,
                                                "shadow_eur_per_t": 800})
    assert p["instruments"]["G"]["spend_meur"] == pytest.approx(1700)
    assert p["measures"]["b"]["committed_share"] == pytest.approx(0.75)
    assert p["measures"]["b"]["subsidy_meur"] == pytest.approx({"G": 1200})
    assert p["shadow_prices"][("max_share", "a", None)] == pytest.approx(300)
    assert p["shadow_prices"][("budget", "G", 2025)] == 0
    assert p["input_file"] == "in.xlsx" and len(p["input_sha256"]) == 64
    assert p["overrides"] == [f"--set {TARGET}=2.5"]


def test_a_plan_compared_with_itself_has_no_difference(plans):
    _, a, _ = plans
    assert compare_plans(read_plan_results(a), read_plan_results(a)).same
    proc = run("compare", a, a, check_code=0)
    assert "No differences" in proc.stdout


def test_two_known_plans_differ_in_exactly_the_known_ways(plans):
    _, a, b = plans
    cmp = compare_plans(read_plan_results(a), read_plan_results(b))
    found = {(d.section, d.item): (d.a, d.b, d.note) for d in cmp.differences}
    expected = {
        ("input", "overrides"): (f"--set {TARGET}=2.5", f"--set {TARGET}=4", ""),
        ("plan", "public cost"): (1700, 3300, ""),
        ("plan", "objective (shortfall penalty included)"): (1700, 3300, ""),
        ("targets", "required reduction 2026"): (2.5, 4, ""),
        ("targets", "abatement 2026"): (2.5, 4, ""),
        ("instrument spend", "G"): (1700, 3300, ""),
        ("measures", "b"): (0.75, 1, "committed share changed"),
        ("measures", "c"): (0, 0.5, "funded only in B"),
        # every commitment pays out in its year (payout 1) and the price is the same every year, so any split of
        # the commitments over 2024–2026 costs the same: the canonical plan's lowest cash peak spreads them
        # evenly, a third a year — 1700 / 3 and 3300 / 3 M€
        ("cash", "cash paid out 2024"): (1700 / 3, 1100, ""),
        ("cash", "cash paid out 2025"): (1700 / 3, 1100, ""),
        ("cash", "cash paid out 2026"): (1700 / 3, 1100, ""),
        ("cash", "peak cash"): (1700 / 3, 1100, ""),
        ("cash", "cash paid out G"): (1700, 3300, ""),
        ("shadow prices", "target 2026"): (800, 1200, ""),
        ("shadow prices", "max_share a"): (300, 700, ""),
        ("shadow prices", "max_share b"): (0, 800, ""),
    }
    assert set(found) == set(expected)
    for key, (va, vb, note) in expected.items():
        got_a, got_b, got_note = found[key]
        if isinstance(va, str):
            assert (got_a, got_b) == (va, vb), key
        else:
            assert (got_a, got_b) == (pytest.approx(va, abs=1e-6), pytest.approx(vb, abs=1e-6)), key
        assert got_note == note, key
    assert next(d for d in cmp.differences if d.item == "public cost").change == pytest.approx(1600)


def test_compare_writes_a_comparison_workbook_and_guards_its_output(plans, tmp_path):
    _, a, b = plans
    out = tmp_path / "cmp.xlsx"
    proc = run("compare", a, b, "-o", out, check_code=0)
    assert "16 differences" in proc.stdout and "funded only in B" in proc.stdout
    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Comparison", "Measures", "About"]
    rows = list(wb["Comparison"].iter_rows(min_row=5, values_only=True))
    assert len(rows) == 16
    assert ("plan", "public cost", "M€", 1700, 3300, 1600, None) in {
        (r[0], r[1], r[2], round(r[3], 6), round(r[4], 6), round(r[5], 6), r[6]) for r in rows if r[1] == "public cost"}
    before = out.read_bytes()
    proc = run("compare", a, b, "-o", out, check_code=2)
    assert "--force" in proc.stderr and out.read_bytes() == before
    original = a.read_bytes()
    proc = run("compare", a, b, "-o", a, "--force", check_code=2)
    assert f"-o {a}: that is plan workbook A" in proc.stderr and a.read_bytes() == original


def test_compare_refuses_a_file_that_is_not_a_plan(plans, tmp_path):
    src, a, _ = plans
    proc = run("compare", a, src, "-o", tmp_path / "x.xlsx", check_code=2)
    assert "is not a plan workbook" in proc.stderr and "'Summary'" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "x.xlsx").exists()
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    proc = run("compare", text, a, check_code=2)
    assert "not an .xlsx workbook" in proc.stderr
    with pytest.raises(InputError, match="is not a plan workbook"):
        read_plan_results(src)


def test_compare_reads_the_stored_result_not_the_headers(plans, tmp_path):
    """Renamed (or translated) headers and labels do not change what compare reads."""
    import openpyxl

    _, a, b = plans
    edited = tmp_path / "a-edited.xlsx"
    wb = openpyxl.load_workbook(a)
    for ws in (wb["Summary"], wb["Measure plan"], wb["Instrument use"]):
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = cell.value.upper() + " (renamed)"
    wb.save(edited)
    assert compare_plans(read_plan_results(edited), read_plan_results(b)).differences == \
        compare_plans(read_plan_results(a), read_plan_results(b)).differences


def test_a_plan_without_a_stored_result_is_refused_with_a_way_out(plans, tmp_path):
    import openpyxl

    _, a, _ = plans
    old = tmp_path / "old-plan.xlsx"
    wb = openpyxl.load_workbook(a)
    del wb["policymix result"]
    wb.save(old)
    proc = run("compare", old, a, check_code=2)
    assert "without a stored result" in proc.stderr and "policymix plan old-plan.xlsx" in proc.stderr
    assert "Traceback" not in proc.stderr

"""Planning to a confidence level and the delay register as a user runs them: the command line, the JSON of
docs/model.md section 17 key by key, the workbooks, the Python API's DataFrames, Dutch.

The hand cases are those of tests/test_confidence.py and tests/test_delays.py. grid_slip_case: A (1 Mt/yr, 50 M€)
runs only where the grid comes in 2026 — exactly 7 of 10 Latin-hypercube futures (a choice with weights 7;3),
70 of 100 fresh ones —, B (1 Mt/yr, 100 M€) needs no grid; target 1 Mt. Up to p = 0.7 the cheapest plan is A,
above it B; with a 2 Mt target no plan meets more than the 7 futures with a grid (A + B, 150 M€).
"""

from __future__ import annotations

import json

import openpyxl
import pytest

import optimiser
from builders import workbook
from optimiser.cli import main
from optimiser.pipeline import run
from test_confidence import grid_slip_case
from test_delays import SEVEN, grid_case

#: The keys of docs/model.md section 17 a confidence run's JSON has, and those of each point of its curve.
CONFIDENCE_KEYS = {"confidence", "attainable", "max_attainable", "p_target_met", "p_target_met_ci",
                   "p_target_met_validation", "p_target_met_validation_ci", "validation_samples",
                   "expected_public_cost_meur", "expected_shortfall_mt", "here_and_now", "futures"}
CURVE_KEYS = ["confidence", "attainable", "expected_public_cost_meur", "p_target_met", "p_target_met_validation"]
DELAY_KEYS = ["item", "years", "abatement_lost_mt", "extra_public_cost_meur", "shortfall_mt"]


@pytest.fixture(scope="module")
def slip(tmp_path_factory):
    return workbook(tmp_path_factory.mktemp("slip") / "slip.xlsx", grid_slip_case())


@pytest.fixture(scope="module")
def slip_two(tmp_path_factory):
    """The same case with a 2 Mt target: at most 7 of 10 futures can be met by one plan."""
    return workbook(tmp_path_factory.mktemp("slip2") / "slip2.xlsx", grid_slip_case(reduction=2.0))


def futures_cli(args, tmp_path, capsys):
    js = tmp_path / "f.json"
    code = main(["futures", *map(str, args), "--samples", "10", "--seed", "4", "--jobs", "1", "-o",
                 str(tmp_path / "f.xlsx"), "--json", str(js)])
    out = capsys.readouterr()
    return code, json.loads(js.read_text()), out.out, out.err


# ---------------------------------------------------------------- futures --confidence

def test_one_level_gives_the_cheapest_plan_that_sure_with_its_check_on_fresh_futures(slip, tmp_path, capsys):
    code, doc, out, _err = futures_cli([slip, "--confidence", "0.5", "--validate", "100"], tmp_path, capsys)
    assert code == 0
    assert doc["mode"] == "confidence" and CONFIDENCE_KEYS <= set(doc)
    assert doc["confidence"] == 0.5 and doc["attainable"] is True and doc["max_attainable"] == 1.0
    assert doc["here_and_now"] == {"A": {"2024": 1.0}}  # the grid-dependent measure, 50 M€
    assert doc["expected_public_cost_meur"] == pytest.approx(50.0)
    assert doc["expected_shortfall_mt"] == {"2026": pytest.approx(0.3)}  # 1 Mt short in 3 of 10 futures
    assert doc["p_target_met"] == pytest.approx(0.7) and len(doc["p_target_met_ci"]) == 2
    assert doc["validation_samples"] == 100 and doc["p_target_met_validation"] == pytest.approx(0.7)
    lo, hi = doc["p_target_met_validation_ci"]
    assert lo < 0.7 < hi
    assert "curve" not in doc  # one level: no curve
    assert doc["reasons"] is None
    # the answer first, in the budget team's words
    assert "To be 50 % sure of every target (met in at least 5 of 10 futures; one plan for every future), the plan " \
           "of least expected public cost costs 50 M€" in out
    assert "Judged on 100 fresh futures (out of sample): 70.0 %" in out
    assert out.index("To be 50 % sure") < out.index("P(target met) =")
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    assert wb.sheetnames[:3] == ["Summary", "Confidence", "Futures"]
    commit = _rows(wb["Confidence"])
    assert any(r[0] == "A" and r[2] == 2024 and r[3] == pytest.approx(1.0) for r in commit)


def test_a_range_gives_the_curve_and_the_highest_level_attainable(slip, tmp_path, capsys):
    code, doc, out, _err = futures_cli([slip, "--confidence", "0.5:1:0.1", "--validate", "0"], tmp_path, capsys)
    assert code == 0  # every level of the range is attainable
    assert [list(p) for p in doc["curve"]] == [CURVE_KEYS] * 6
    assert [p["confidence"] for p in doc["curve"]] == pytest.approx([0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    assert [p["expected_public_cost_meur"] for p in doc["curve"]] == pytest.approx([50, 50, 50, 100, 100, 100])
    assert [p["p_target_met"] for p in doc["curve"]] == pytest.approx([0.7] * 3 + [1.0] * 3)
    assert all(p["attainable"] for p in doc["curve"]) and doc["highest_attainable"] == 1.0
    # --validate 0: no fresh futures, the keys still there
    assert doc["validation_samples"] == 0 and doc["p_target_met_validation"] is None
    assert all(p["p_target_met_validation"] is None for p in doc["curve"])
    # the answer is the highest level attainable: B, 100 M€, every future met
    assert doc["confidence"] == 1.0 and doc["here_and_now"] == {"B": {"2024": 1.0}}
    assert "the highest level of the range attainable is 100 %" in out
    assert "The cost of confidence (10 futures)" in out  # the curve as a table
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["Confidence"]
    assert len(ws._charts) == 1  # public cost against the confidence, the attainable maximum marked
    head = next(r for r in _rows(ws) if r[0] == "confidence asked (share of futures)"
                and all(isinstance(v, str) for v in r if v is not None))
    assert "expected public cost (M€, mean over the futures)" in head and "P(target met) in fresh futures (out of " \
        "sample)" in head


def test_an_unattainable_level_exits_3_with_the_plan_meeting_the_most_futures_and_why(slip_two, tmp_path, capsys):
    code, doc, out, _err = futures_cli([slip_two, "--confidence", "0.9", "--validate", "100"], tmp_path, capsys)
    assert code == 3
    assert doc["attainable"] is False and doc["max_attainable"] == pytest.approx(0.7)
    assert doc["here_and_now"] == {"A": {"2024": 1.0}, "B": {"2024": 1.0}}
    assert doc["expected_public_cost_meur"] == pytest.approx(150.0)
    why = doc["reasons"]
    assert why["missed"] == 3 and why["alone"] == 3
    assert why["limits"][0] == {"family": "resource", "id": "grid", "year": "2026", "futures": 3,
                                "words": why["limits"][0]["words"]}
    assert why["inputs"][0]["name"] == "grid 2026" and why["inputs"][0]["mean_missed"] == 0.0
    assert "No plan is 90 % sure of every target: one plan meets every target in at most 7 of the 10 futures" in out
    assert f"The limits that hold the target back there: {why['limits'][0]['words']} (3 futures)" in out
    assert "The uncertain inputs that set the missed futures apart: grid 2026" in out
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["Confidence"]
    text = " ".join(str(v) for r in _rows(ws) for v in r if v is not None)
    assert "Why no plan is 90 % sure" in text and why["limits"][0]["words"] in text


def test_confidence_is_refused_from_its_size_before_any_future_is_drawn(slip, monkeypatch):
    from optimiser.analysis import decide
    from optimiser.input.data import InputError

    monkeypatch.setattr(decide, "available_memory", lambda: 10_000)
    with pytest.raises(InputError, match=r"confidence='0.5' with 400,000 futures: the stochastic program"):
        run("futures", workbook=slip, samples=400_000, confidence=0.5, write_workbook=False)


@pytest.mark.parametrize("args, message", [
    (["--confidence", "1.5"], "argument --confidence: expected a share p with 0 < p ≤ 1"),
    (["--confidence", "0.9:0.5:0.1"], "step > 0 (at most 200 levels), found 0.9:0.5:0.1"),
    (["--confidence", "0:1:0.0001"], "at most 200 levels"),
    (["--validate", "-1", "--confidence", "0.5"], "--validate: expected a whole number ≥ 0"),
])
def test_bad_levels_are_usage_errors(slip, capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        main(["futures", str(slip), *args])
    assert exit_.value.code == 2 and message in capsys.readouterr().err.replace("'", "").replace('"', "")


def test_validate_without_confidence_is_refused(slip, tmp_path, capsys):
    assert main(["futures", str(slip), "--validate", "50", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "--validate 50: only with --confidence" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


# ---------------------------------------------------------------- every futures run

def test_every_futures_run_has_its_sure_abatement_and_cash_bands(slip, tmp_path, capsys):
    """Wait and see on the grid case: where the grid comes A is bought (50 M€ in 2024: its lead time leaves no
    other year), else B (100 M€): 7 and 3 futures. Abatement 1 Mt in every future: sure at every level. B runs
    in 2026 whether committed in 2024, 2025 or 2026, so its canonical plan (the lowest cash peak) commits a third
    in each year. Cash of the grant in 2024: 50 in 7 futures, 33.3 in 3 — percentiles by linear interpolation:
    p10 = 33.3, p50 = 50, p90 = 50; in 2025 and 2026: 0 in 7, 33.3 in 3: p10 = p50 = 0, p90 = 33.3."""
    code, doc, out, _err = futures_cli([slip], tmp_path, capsys)
    assert code == 0 and doc["mode"] == "wait_and_see"
    assert doc["sure_abatement_mt"] == {"0.5": {"2026": 1.0}, "0.8": {"2026": 1.0}, "0.95": {"2026": 1.0}}
    third = pytest.approx(100 / 3)
    assert doc["cash_bands_meur"] == {"G": {"2024": [third, 50.0, 50.0], "2025": [0.0, 0.0, third],
                                            "2026": [0.0, 0.0, third]}}
    assert doc["expected_public_cost_meur"] == pytest.approx(0.7 * 50 + 0.3 * 100)
    assert doc["expected_shortfall_mt"] == {"2026": 0.0}
    assert "Abatement in 2026 reached in at least 50 % / 80 % / 95 % of the futures: 1.00 / 1.00 / 1.00" in out
    assert "G 50 M€ in 2024 (10th–90th percentile 33–50 M€)" in out
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    sure = _rows(wb["Sure abatement"])
    assert any(r[0] == 2026 and list(r[1:5]) == pytest.approx([1.0, 1.0, 1.0, 1.0]) for r in sure)
    assert len(wb["Sure abatement"]._charts) == 1 and len(wb["Cash bands"]._charts) == 1
    bands = {(r[0], r[1]): r[2] for r in _rows(wb["Cash bands"]) if r[0] == "G"}
    assert bands == {("G", "10th percentile"): third, ("G", "median"): 50.0, ("G", "90th percentile"): 50.0}


def test_decide_by_speaks_of_expected_public_cost_and_shortfall_never_of_the_penalty_as_a_cost(tmp_path, capsys):
    """The hand case of tests/test_confidence.py (B only from 2026): commit A now; expected public cost
    0.7 · 50 + 0.3 · 150 = 80 M€, no shortfall."""
    src = workbook(tmp_path / "in.xlsx", grid_slip_case(b_earliest=2026))
    code, doc, out, _err = futures_cli([src, "--decide-by", "2024"], tmp_path, capsys)
    assert code == 0
    assert doc["expected_public_cost_meur"] == pytest.approx(80.0) and doc["expected_shortfall_mt"] == {"2026": 0.0}
    assert {"expected_cost_meur", "vss_meur", "eev_public_cost_meur", "eev_shortfall_mt"} <= set(doc)
    assert "Expected public cost 80 M€ (mean over the futures" in out and "expected shortfall none" in out
    assert "Commit now (by 2024, the same in every future; later commitments adapt to each future): A 100% in 2024" \
        in out
    assert "penalty included" not in out and "Expected cost" not in out
    summary = " ".join(str(v) for r in _rows(openpyxl.load_workbook(tmp_path / "f.xlsx")["Summary"]) for v in r if v)
    assert "shortfall penalty included" not in summary and "(M€; not a cost)" in summary


# ---------------------------------------------------------------- the API

def test_the_api_gives_the_answer_and_dataframes_equal_to_the_json(slip):
    import pandas as pd

    f = optimiser.futures(slip, samples=10, seed=4, jobs=1, confidence="0.5:1:0.1", validate=100)
    doc = f.to_dict()
    assert f.mode == "confidence" and f.attainable and f.confidence == 1.0 and f.max_attainable == 1.0
    assert f.highest_attainable == 1.0 and f.expected_public_cost_meur == pytest.approx(100.0)
    assert f.expected_shortfall_mt == {2026: pytest.approx(0.0)}
    assert f.p_target_met_validation == pytest.approx(1.0)
    pd.testing.assert_frame_equal(f.curve, pd.DataFrame(doc["curve"]).set_index("confidence"))
    assert list(f.curve.columns) == CURVE_KEYS[1:]
    for (level, year), row in f.sure_abatement.iterrows():
        assert row["sure_abatement_mt"] == doc["sure_abatement_mt"][str(level)][str(year)]
    for (i, year), row in f.cash_bands.iterrows():
        assert list(row) == doc["cash_bands_meur"][i][str(year)]
    assert {(m, y): v for (m, y), v in f.here_and_now["share"].items()} == {("B", 2024): 1.0}
    assert f.reasons_limits.empty and "confidence" in repr(f)
    plain = optimiser.futures(slip, samples=10, seed=4, jobs=1)
    with pytest.raises(AttributeError, match="only a confidence run"):
        plain.curve
    assert plain.expected_public_cost_meur == pytest.approx(65.0)


# ---------------------------------------------------------------- policymix delays

@pytest.fixture(scope="module")
def grid_book(tmp_path_factory):
    return workbook(tmp_path_factory.mktemp("grid") / "grid.xlsx", grid_case(), SEVEN)


def test_delays_a_year_costs_nothing_and_two_the_whole_measure(grid_book, tmp_path, capsys):
    """The hand case of tests/test_delays.py: the grid one year late still runs a in 2030; two years late the plan
    fixed loses its whole 1 Mt/yr, and re-planned b replaces it for 1 500 M€ more; the lumpy c costs nothing."""
    js = tmp_path / "d.json"
    assert main(["delays", str(grid_book), "--years", "1,2", "-o", str(tmp_path / "d.xlsx"), "--json", str(js)]) == 0
    out = capsys.readouterr().out
    doc = json.loads(js.read_text())
    assert doc["years"] == [1, 2]
    assert all(list(d) == DELAY_KEYS for d in doc["delays"])
    got = {(d["item"], d["years"]): d for d in doc["delays"]}
    assert set(got) == {("grid", 1), ("grid", 2), ("c", 1), ("c", 2)}
    assert got[("grid", 1)] == {"item": "grid", "years": 1, "abatement_lost_mt": 0.0, "extra_public_cost_meur": 0.0,
                                "shortfall_mt": 0.0}
    assert got[("grid", 2)]["abatement_lost_mt"] == pytest.approx(1.0)
    assert got[("grid", 2)]["extra_public_cost_meur"] == pytest.approx(1500.0)
    assert doc["replanned_without_delay"]["public_cost_meur"] == pytest.approx(500.0)
    assert "GRID, 2 year(s) late" not in out  # a resource without a name is called by its id
    assert "grid, 2 year(s) late: the plan fixed loses 1.00 Mt CO2-eq/yr; re-planned, the public cost changes by " \
           "+1,500 M€" in out
    wb = openpyxl.load_workbook(tmp_path / "d.xlsx")
    assert wb.sheetnames[:3] == ["Summary", "Delays", "About"] and "measures" in wb.sheetnames
    assert len(wb["Delays"]._charts) == 2  # Mt and M€ per year of delay per item
    d = optimiser.delays(grid_book, years=[1, 2])
    frame = d.delays
    assert list(frame.columns) == DELAY_KEYS[2:] and frame.index.names == ["item", "years"]
    for entry in doc["delays"]:
        assert list(frame.loc[(entry["item"], entry["years"])]) == pytest.approx(
            [entry[k] for k in DELAY_KEYS[2:]])
    assert d.plan_cost_meur == pytest.approx(500.0) and d.years == [1, 2]


def test_delays_with_a_plan_fixed_and_bad_years(grid_book, tmp_path, capsys):
    plan = run("plan", workbook=grid_book, output=tmp_path / "plan.xlsx", futures=0).plan_path
    assert main(["delays", "--plan", str(plan), "--years", "2", "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["plan_fixed"]["file"] == "plan.xlsx"
    assert {(d["item"], d["years"]): d["abatement_lost_mt"] for d in doc["delays"]}[("grid", 2)] == pytest.approx(1.0)
    with pytest.raises(SystemExit):
        main(["delays", str(grid_book), "--years", "0"])
    assert "--years: expected whole numbers of years from 1 to 50" in capsys.readouterr().err.replace("'", "")


# ---------------------------------------------------------------- in Dutch

def test_a_confidence_run_and_the_delays_in_dutch(slip_two, grid_book, tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    import catalogue

    out = tmp_path / "nl.xlsx"
    assert main(["futures", str(slip_two), "--samples", "10", "--seed", "4", "--jobs", "1", "--confidence",
                 "0.5:0.9:0.2", "--validate", "50", "-o", str(out), "--lang", "nl"]) == 3
    wb = openpyxl.load_workbook(out)
    sheets = ["Samenvatting", "Zekerheid", "Toekomsten", "Grafieken", "Zekere reductie", "Kasbanden",
              "Maatregelaandelen", "Gevoeligheid", "Toelichting"]
    assert wb.sheetnames[:9] == sheets
    summary = " ".join(str(c.value) for row in wb["Samenvatting"].iter_rows() for c in row if c.value)
    assert "Om met 70 % zekerheid elk doel te halen" in summary  # the highest level of the range attainable
    assert "Kosten van zekerheid van 50 % tot 90 %: het hoogste haalbare niveau van de reeks is 70 %" in " ".join(
        str(c.value) for row in wb["Zekerheid"].iter_rows() for c in row if c.value)
    dutch = catalogue.translations("nl")
    english_only = {msgid for msgid, text in dutch.items() if text != msgid}
    delays = tmp_path / "d.xlsx"
    assert main(["delays", str(grid_book), "-o", str(delays), "--lang", "nl"]) == 0
    dwb = openpyxl.load_workbook(delays)
    assert dwb.sheetnames[:3] == ["Samenvatting", "Vertragingen", "Toelichting"]
    for book, names in ((wb, sheets), (dwb, dwb.sheetnames[:3])):
        for name in names:
            left = {c.value for row in book[name].iter_rows() for c in row
                    if isinstance(c.value, str) and c.value in english_only}
            assert not left, (name, left)


def _rows(ws):
    return [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]

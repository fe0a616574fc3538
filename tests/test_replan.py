"""The budget cycle: ``policymix replan PLAN.xlsx --from YEAR`` (docs/model.md section 18).

The principle of optimality: re-planning an unedited plan from any year of its horizon, and planning the
next round's workbook, gives the plan's own commitments from that year on — the same shares per measure and
year, the same subsidy per instrument and year, the same cash in every year — on both shipped workbooks and
on small cases built to break it: ties that a canonical rule counted from start_year would break one way in
the plan and another once the past is fixed (the cash peak, the last rule), lumpy projects, period budgets,
cash limits, exclusive groups, decisions of the past and forced decisions in the plan, operating and
profile payouts. Every round trip goes through the files a budget team mails: the plan workbook, the next
round's input workbook, read back.

Then what the next round's workbook holds (hand-computed), that it is clean, that an edited one plans and
compares, the API, and every refusal: one line, exit 2, nothing written.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import openpyxl
import pytest

from builders import edited, measure, stored, tables, workbook, yearly
from optimiser.cli import main
from optimiser.input.read import read_workbook
from optimiser.pipeline import default_workbook, run
from test_canonical import figures

REL, NOISE = 1e-6, 1e-6
YEARS3 = [2024, 2025, 2026]


# ---------------------------------------------------------------- round trips through the files

def plan_file(folder: Path, source, name: str = "plan.xlsx"):
    """Plan ``source`` (tables or a workbook) into ``folder/name``: (its path, its result)."""
    if isinstance(source, dict):
        source = workbook(folder / f"in-{name}", source, _years(source))
    path = folder / name
    outcome = run("plan", workbook=str(source), output=str(path), force=True)
    return path, outcome.result


def _years(t: dict) -> list[int]:
    settings = {r["key"]: r["value"] for r in t["settings"]}
    return list(range(settings["start_year"], settings["target_year"] + 1))


def next_round(plan: Path, year: int, folder: Path) -> Path:
    path = folder / f"next-{year}.xlsx"
    outcome = run("replan", plan=str(plan), from_year=year, output=str(path), force=True)
    assert outcome.exit_code == 0 and outcome.files["workbook"] == path
    return path


def replanned(plan: Path, year: int, folder: Path):
    """The plan of the next round's workbook, read back from the file replan wrote."""
    return run("plan", workbook=str(next_round(plan, year, folder)), write_workbook=False).result


def figures_from(result, year: int) -> dict[tuple, float]:
    """What a plan decides from ``year`` on, and the cash it pays in every year (of test_canonical's figures)."""
    return {k: v for k, v in figures(result).items()
            if k[0] in ("cash", "released") or (k[0] in ("share", "subsidy", "abatement") and k[-1] >= year)}


def assert_same_from(plan, again, year: int, what: str = "") -> None:
    a, b = figures_from(plan, year), figures_from(again, year)
    bad = [(k, a.get(k, 0.0), b.get(k, 0.0)) for k in sorted(set(a) | set(b), key=str)
           if abs(a.get(k, 0.0) - b.get(k, 0.0)) > REL * max(abs(a.get(k, 0.0)), abs(b.get(k, 0.0))) + NOISE]
    assert not bad, f"{what} from {year}: {len(bad)} figures differ, e.g. {bad[:6]}"
    assert again.input.settings.start_year == year


def assert_principle(folder: Path, source, what: str):
    """From every year of the horizon, the next round plans what the plan planned. Returns the plan."""
    path, plan = plan_file(folder, source)
    for year in plan.input.years:
        assert_same_from(plan, replanned(path, year, folder), year, what)
    return plan


@pytest.mark.parametrize("name", ["default", "ser-2023"])
def test_the_shipped_plans_replan_to_themselves_from_every_year(tmp_path, name):
    plan = assert_principle(tmp_path, default_workbook(name), name)
    # the plan commits something in more than one year, so later rounds do take decisions as given
    years = {y for mr in plan.measures.values() for y, v in mr.new.items() if v > 1e-6}
    assert len(years) >= 2, years


# ---------------------------------------------------------------- hand cases

def peak_case() -> dict:
    """a (1 Mt, 300 €/t, one support year, price 0: 300 M€ paid at once) can only be committed in 2024 (it
    takes 2 years to build); b (2 Mt, 100 €/t: 200 M€) from 2025, in 2025 or 2026 at the same cost and cash.
    The target (3 Mt in 2026) needs both. The plan's cash peaks in 2024 at 300 M€ whatever it does with b, so
    the peak rule leaves b to the last rule: all of it in 2025. Re-planned from 2025, a is a decision of the
    past and its 300 M€ of 2024 still the floor of the peak: b stays in 2025 (counted from 2025 alone, the
    peak would spread b 100/100 over 2025 and 2026)."""
    return tables(years=YEARS3, measures=[measure("a", 1.0, 300, support=1, lead_time_years=2),
                                          measure("b", 2.0, 100, support=1, earliest_year=2025)],
                  reduction=3.0)


def rule_case() -> dict:
    """A and B: 1 Mt each at 100 €/t for one year; the price rises from 20 to 40 €/t in 2026, so a share costs
    80 M€ in 2025 and 60 in 2026. The target (2 Mt in 2026) needs both; 2026's budget (60 M€) takes one:
    the other is committed in 2025. Which one is a tie of cost, cash and peak (80 M€ in 2025 and 60 in 2026
    either way) that only the last rule breaks — by the weights of the options' places, (1 + n/N)². From
    2024 (N = 6 places) A goes first; counted from 2025 (N = 4) the weights of the same options would put B
    first (an exchange of 80 M€ in 2025 against 60 in 2026). The places count from the first year of the
    price row, which the next round keeps."""
    return tables(years=YEARS3, measures=[measure("A", 1.0, 100, support=1), measure("B", 1.0, 100, support=1)],
                  budgets=[{"instrument_id": "G", 2024: 0.0, 2025: 1e6, 2026: 60.0}],
                  prices=[{"parameter": "co2_price_eur_per_t", 2024: 20.0, 2025: 20.0, 2026: 40.0}],
                  reduction=2.0)


def lumpy_case() -> dict:
    """Two all-or-nothing projects (L1 cheaper per tonne, L2 with a year's lead time) and a divisible measure,
    with yearly budgets that make the projects wait for each other; milestones in 2025 and 2026."""
    return tables(years=YEARS3,
                  measures=[measure("L1", 1.0, 80, lumpy="yes"), measure("L2", 1.5, 90, lumpy="yes", lead_time_years=1),
                            measure("d", 2.0, 120)],
                  budgets=[{"instrument_id": "G", 2024: 900.0, 2025: 900.0, 2026: 1400.0}],
                  targets=[{"year": 2025, "reduction_mt": 1.0}], reduction=3.5)


def period_budget_case() -> dict:
    """A cheap grant with a period budget that binds over the years and a tax deduction that costs more per
    euro; both pay the measures, the grant as far as its period budget goes."""
    return tables(years=YEARS3, measures=[measure("a", 1.0, 80, eligible="G;T"), measure("b", 1.5, 100, eligible="G;T"),
                                          measure("c", 1.0, 120, eligible="G;T", earliest_year=2025)],
                  instruments=[{"instrument_id": "G", "period_budget_meur": 1500.0},
                               {"instrument_id": "T", "cost_weight": 1.25, "payout": "0.5;0.5"}],
                  budgets=[{"instrument_id": "G", **yearly(700.0)}, {"instrument_id": "T", **yearly(1e6)}],
                  reduction=3.2)


def cash_limit_case() -> dict:
    """An operating instrument (paid per tonne while the measure runs, at a rising price) and a grant paid over
    two years, under cash limits on all instruments and on the grant alone. The rising price makes every
    commitment cheapest in 2026, but the limit of 2026 (120 M€) binds: c (a grant, 160 M€ a share in 2025)
    is committed half in 2024 and half in 2025, whose second half (40 M€) is paid in 2026."""
    return tables(years=YEARS3, measures=[measure("a", 1.0, 90, support=3, eligible="S;G"),
                                          measure("b", 1.0, 110, support=3, eligible="S;G"),
                                          measure("c", 1.0, 130, support=2, eligible="G", lead_time_years=1)],
                  instruments=[{"instrument_id": "S", "payout": "operating"}, {"instrument_id": "G", "payout": "0.5;0.5"}],
                  budgets=[{"instrument_id": "S", **yearly(1e6)}, {"instrument_id": "G", **yearly(1e6)}],
                  prices=[{"parameter": "co2_price_eur_per_t", 2024: 40.0, 2025: 50.0, 2026: 60.0, 2027: 70.0,
                           2028: 80.0}],
                  cash_limits=[{"instrument_id": "*", 2024: 250.0, 2025: 150.0, 2026: 120.0},
                               {"instrument_id": "G", 2025: 90.0}],
                  reduction=3.0)


def exclusive_case() -> dict:
    """Two ways to abate the same source (group 'kiln'), a cheaper one limited by a grid, and a measure outside
    the group; budgets make the plan commit over several years."""
    return tables(years=YEARS3,
                  measures=[measure("k_elec", 1.0, 70, exclusive_group="kiln"),
                            measure("k_h2", 1.0, 95, exclusive_group="kiln", lead_time_years=1),
                            measure("o", 1.0, 110)],
                  resources=[{"resource_id": "grid", "name": "grid", "kind": "stock", "unit": "MW",
                              2024: 30.0, 2025: 60.0, 2026: 60.0}],
                  usage=[{"measure_id": "k_elec", "resource_id": "grid", "amount": 100.0}],
                  budgets=[{"instrument_id": "G", **yearly(400.0)}], reduction=2.2)


def past_decisions_case() -> dict:
    """A plan with decisions of the past (one paid per tonne while it runs, into the horizon; one without a
    subsidy) and a forced decision in 2025 (share 0.4 of b), an operating instrument with a cash limit."""
    return tables(years=YEARS3, measures=[measure("a", 1.0, 90, eligible="S;G"), measure("b", 1.0, 100, eligible="S;G"),
                                          measure("c", 1.5, 120, eligible="G"), measure("p", 0.5, 80, eligible="S",
                                                                                       lead_time_years=2)],
                  instruments=[{"instrument_id": "S", "payout": "operating", "period_budget_meur": 900.0},
                               {"instrument_id": "G", "payout": "0.3;0.7"}],
                  budgets=[{"instrument_id": "S", **yearly(500.0)}, {"instrument_id": "G", **yearly(500.0)}],
                  prices=[{"parameter": "co2_price_eur_per_t", **yearly(50.0), 2030: 60.0}],
                  committed=[{"measure_id": "p", "year": 2022, "share": 0.6, "instrument_id": "S",
                              "subsidy_meur": 120.0, "note": "granted in 2022"},
                             {"measure_id": "a", "year": 2023, "share": 0.2, "note": "no subsidy"},
                             {"measure_id": "b", "year": 2025, "share": 0.4, "note": "maatwerk deal signed"}],
                  cash_limits=[{"instrument_id": "S", 2025: 60.0, 2026: 80.0}],
                  reduction=3.0)


def payouts_case() -> dict:
    """Operating and profile instruments for the same measures, lead times, a rising price with an outlook:
    cash depends on the year a commitment is made."""
    return tables(years=[2024, 2025, 2026, 2027],
                  measures=[measure("a", 1.0, 100, support=4, eligible="S;P", lead_time_years=1),
                            measure("b", 1.0, 100, support=4, eligible="S;P"),
                            measure("c", 0.5, 60, support=4, eligible="S;P")],
                  instruments=[{"instrument_id": "S", "payout": "operating"}, {"instrument_id": "P", "payout": "0.25;0.75"}],
                  budgets=[{"instrument_id": "S", **yearly(150.0, [2024, 2025, 2026, 2027])},
                           {"instrument_id": "P", **yearly(150.0, [2024, 2025, 2026, 2027])}],
                  prices=[{"parameter": "co2_price_eur_per_t", 2024: 40.0, 2025: 50.0, 2026: 60.0, 2027: 70.0,
                           2028: 90.0, 2031: 120.0}],
                  reduction=2.5)


CASES = {"cash peak": peak_case, "last rule": rule_case, "lumpy projects": lumpy_case,
         "period budget": period_budget_case, "cash limits": cash_limit_case, "exclusive group": exclusive_case,
         "decisions of the past and forced": past_decisions_case, "operating and profile payouts": payouts_case}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hand_case_replans_to_itself_from_every_year(tmp_path, case):
    assert_principle(tmp_path, CASES[case](), case)


@pytest.mark.parametrize("case", ["cash limits", "decisions of the past and forced", "last rule"])
def test_round_after_round_the_plan_stays_the_plan(tmp_path, case):
    # a budget cycle of three rounds: the plan of 2024, re-planned from 2025 and planned, that plan re-planned
    # from 2026 and planned — each round commits what the first plan committed in its years
    path, first = plan_file(tmp_path, CASES[case]())
    for year in (2025, 2026):
        nxt = next_round(path, year, tmp_path)
        path = tmp_path / f"plan-{year}.xlsx"
        again = run("plan", workbook=str(nxt), output=str(path)).result
        assert_same_from(first, again, year, f"{case}, round of {year}")
    assert min(again.input.co2_price) == 2024  # the prices of the years decided stay with the workbook


def test_the_peak_case_is_a_tie_the_peak_leaves_to_the_last_rule(tmp_path):
    _path, plan = plan_file(tmp_path, peak_case())
    assert plan.measures["a"].new[2024] == pytest.approx(1)
    assert plan.measures["b"].new == {2024: 0.0, 2025: pytest.approx(1), 2026: pytest.approx(0, abs=1e-9)}
    assert plan.cash.peak() == (2024, pytest.approx(300))


def test_the_rule_case_is_a_tie_the_last_rule_breaks(tmp_path):
    _path, plan = plan_file(tmp_path, rule_case())
    assert plan.public_cost_meur == pytest.approx(140)  # 80 in 2025 + 60 in 2026
    assert plan.measures["A"].new[2025] == pytest.approx(1) and plan.measures["B"].new[2026] == pytest.approx(1)


def test_the_hand_cases_commit_in_several_years(tmp_path):
    # each case moves commitments into the next round from some year (else it would test nothing)
    for case, make in CASES.items():
        _path, plan = plan_file(tmp_path, make(), f"{case}.xlsx".replace(" ", "-"))
        years = {y for mr in plan.measures.values() for y, v in mr.new.items() if v > 1e-6}
        assert len(years) >= 2 or case == "last rule", (case, years)


# ---------------------------------------------------------------- what the next round's workbook holds

def test_the_next_round_takes_the_plans_commitments_as_decided(tmp_path):
    path, plan = plan_file(tmp_path, period_budget_case())
    nxt = read_workbook(next_round(path, 2026, tmp_path)).input
    assert nxt.settings.start_year == 2026 and nxt.years == [2026]
    assert set(nxt.budgets["G"]) == {2026}
    moved = [c for c in nxt.committed if c.year < 2026]
    # one row per measure, year and instrument the plan paid, with its subsidy; shares split by the money
    expected = {(m, y, i): v for m, mr in plan.measures.items() for (i, y), v in mr.subsidy_by_year.items() if y < 2026}
    assert {(c.measure_id, c.year, c.instrument_id): c.subsidy_meur for c in moved} == pytest.approx(expected)
    for (m, y) in {(c.measure_id, c.year) for c in moved}:
        rows = [c for c in moved if (c.measure_id, c.year) == (m, y)]
        assert sum(c.share for c in rows) == pytest.approx(plan.measures[m].new[y])
        for c in rows:  # each row's gap per tonne is the plan's: subsidy / (share · A · D) = g_{m,y}
            meas = nxt.measures[m]
            assert c.subsidy_meur / (c.share * meas.abatement_mt * meas.support_years) == pytest.approx(
                meas.cost_eur_per_t - nxt.co2_price[y])
            assert c.note == f"committed in {y} by plan.xlsx"
    # the period budget less what the moved commitments used; nothing else reduced
    used = sum(v for (m, y, i), v in expected.items() if i == "G")
    assert used > 100
    assert nxt.instruments["G"].period_budget_meur == pytest.approx(1500 - used)
    assert nxt.instruments["T"].period_budget_meur is None
    assert "period budget 1,500 M€ less" in nxt.instruments["G"].source


def test_cash_limits_are_not_reduced_only_the_years_past_dropped(tmp_path):
    # the model subtracts the cash the decisions of the past pay in a year from that year's limit: reducing
    # the limit as well would count the moved commitments' cash twice
    path, plan = plan_file(tmp_path, cash_limit_case())
    assert plan.cash.total_cash(2026) == pytest.approx(120)  # the limit binds
    assert plan.shadow["cash"][("*", 2026)] > 0.1
    assert plan.measures["c"].new == {2024: pytest.approx(0.5), 2025: pytest.approx(0.5), 2026: 0.0}
    nxt = read_workbook(next_round(path, 2026, tmp_path)).input
    assert dict(nxt.cash_limits["*"].limits) == {2026: 120.0}  # as it was: not 120 − the 40 M€ c's grant pays
    assert "G" not in nxt.cash_limits  # its only year is past
    again = run("plan", workbook=str(tmp_path / "next-2026.xlsx"), write_workbook=False).result
    assert again.cash.cash["G"][2026] == pytest.approx(40)  # c's grant of 2025, now a decision of the past
    assert again.cash.total_cash(2026) == pytest.approx(120)
    assert_same_from(plan, again, 2026, "cash limits")


def test_the_plans_own_decisions_stay_and_a_forced_one_of_the_years_decided_becomes_the_plans(tmp_path):
    path, plan = plan_file(tmp_path, past_decisions_case())
    nxt = read_workbook(next_round(path, 2026, tmp_path)).input
    rows = [(c.measure_id, c.year, c.instrument_id, c.subsidy_meur, c.note) for c in nxt.committed]
    assert rows[:2] == [("p", 2022, "S", 120.0, "granted in 2022"), ("a", 2023, "", None, "no subsidy")]
    b_2025 = [c for c in nxt.committed if (c.measure_id, c.year) == ("b", 2025)]
    assert sum(c.share for c in b_2025) == pytest.approx(plan.measures["b"].new[2025])
    assert plan.measures["b"].new[2025] >= 0.4 - 1e-9
    assert all(c.note == "committed in 2025 by plan.xlsx: maatwerk deal signed" for c in b_2025)
    assert not nxt.forced_decisions


def test_from_the_first_year_the_next_round_is_the_plans_own_input(tmp_path):
    path, plan = plan_file(tmp_path, past_decisions_case())
    nxt = read_workbook(next_round(path, 2024, tmp_path)).input
    assert nxt.settings == plan.input.settings
    fields = lambda c: (c.measure_id, c.year, c.share, c.instrument_id, c.subsidy_meur, c.note)  # noqa: E731
    assert [fields(c) for c in nxt.committed] == [fields(c) for c in plan.input.committed]
    assert nxt.instruments == plan.input.instruments


def test_the_next_rounds_workbook_is_clean(tmp_path, capsys):
    path, _plan = plan_file(tmp_path, past_decisions_case())
    nxt = next_round(path, 2025, tmp_path)
    assert main(["check", str(nxt)]) == 0
    out = capsys.readouterr()
    assert out.err == "" and out.out.strip().startswith("OK:"), out
    assert "note" not in out.out


def test_the_next_round_is_said_in_the_language_asked_for(tmp_path, capsys):
    import contextvars

    path, _plan = plan_file(tmp_path, period_budget_case())
    argv = ["--lang", "nl", "replan", str(path), "--from", "2026", "-o", str(tmp_path / "next.xlsx")]
    assert contextvars.copy_context().run(main, argv) == 0  # the command line goes on in Dutch: not the tests
    out = capsys.readouterr().out
    assert "plan.xlsx opnieuw gepland vanaf 2026: start_year 2026 (in het plan 2024)." in out
    assert "Periodebudgetten min wat die verplichtingen gebruikten: G 1.500,0 →" in out
    # reading a Dutch workbook adopts its language: in a context of its own
    nxt = contextvars.copy_context().run(read_workbook, tmp_path / "next.xlsx")
    assert nxt.input.settings.language == "nl"


def test_check_is_clean_on_a_replanned_shipped_workbook(tmp_path, capsys):
    path, _plan = plan_file(tmp_path, default_workbook("ser-2023"))
    assert main(["replan", str(path), "--from", "2027", "-o", str(tmp_path / "next.xlsx")]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path / "next.xlsx")]) == 0
    out = capsys.readouterr()
    assert out.err == "" and out.out.startswith("OK: ") and "years 2027–2030" in out.out, out


# ---------------------------------------------------------------- the next round edited, planned and compared

def test_an_unedited_next_round_compares_as_the_same_programme(tmp_path):
    # between two rounds compare counts the decisions already taken: the measures' shares by the target year,
    # what each instrument commits from the plan's start year on and the cash of every year are the same; what
    # differs is the start year and the plan's own cost (what was decided in between is sunk)
    from optimiser.analysis.compare import compare_plans
    from optimiser.input.planfile import read_plan_results

    path, plan = plan_file(tmp_path, period_budget_case())
    nxt = next_round(path, 2026, tmp_path)
    assert main(["plan", str(nxt), "-o", str(tmp_path / "next-plan.xlsx")]) == 0
    cmp = compare_plans(read_plan_results(path), read_plan_results(tmp_path / "next-plan.xlsx"))
    sections = {d.section for d in cmp.differences}
    assert sections <= {"input", "plan", "shadow prices"}, cmp.differences
    items = {d.item: (d.a, d.b) for d in cmp.differences if d.section != "shadow prices"}
    assert items["start year"] == ("2024", "2026")
    own = sum(v for mr in plan.measures.values() for (i, y), v in mr.subsidy_by_year.items() if y >= 2026)
    assert items["public cost"][1] == pytest.approx(own + 0.25 * sum(  # T weighs 1.25 per euro
        v for mr in plan.measures.values() for (i, y), v in mr.subsidy_by_year.items() if y >= 2026 and i == "T"))
    assert "committed from 2024 on, decisions already taken included" not in items  # the same in both


def test_an_edited_next_round_plans_and_compare_says_what_changed(tmp_path, capsys):
    # The peak case re-planned from 2025: a (300 M€, committed in 2024) is a decision already taken, b is
    # committed in 2025 for 200 M€. The team edits what really happened: a's grant did not happen (its row
    # removed), and the CO2 price of 2026 is 50 €/t. a cannot be committed again in time (it takes two years
    # to build), so 2026 is 1 Mt short; b is cheaper in 2026 (2 Mt × (100 − 50) €/t = 100 M€) and moves there.
    from optimiser.analysis.compare import compare_plans
    from optimiser.input.planfile import read_plan_results

    path, plan = plan_file(tmp_path, peak_case())
    nxt = next_round(path, 2025, tmp_path)
    wb = openpyxl.load_workbook(nxt)
    ws = wb["committed"]
    header = [c.value for c in ws[1]]
    assert [c.value for c in ws[2]][header.index("measure_id")] == "a" and ws.max_row == 2
    ws.delete_rows(2)  # the grant that did not happen
    prices = wb["prices"]
    years = [c.value for c in prices[1]]
    prices.cell(row=2, column=years.index(2026) + 1, value=50.0)  # a new price
    wb.save(nxt)
    edited = tmp_path / "edited-plan.xlsx"
    assert main(["plan", str(nxt), "-o", str(edited)]) == 3  # the target is no longer met
    capsys.readouterr()
    cmp = compare_plans(read_plan_results(path), read_plan_results(edited))
    found = {(d.section, d.item): (d.a, d.b, d.note) for d in cmp.differences}
    assert found[("plan", "status")][:2] == ("target_met", "target_not_met")
    assert found[("targets", "shortfall 2026")][:2] == (0.0, pytest.approx(1.0))
    assert found[("measures", "a")] == (pytest.approx(1.0), 0.0, "funded only in A")
    assert ("measures", "b") not in found  # still all of it by 2026
    assert found[("instrument spend", "G")][:2] == (pytest.approx(500), pytest.approx(100))
    assert found[("cash", "cash paid out 2024")][:2] == (pytest.approx(300), 0.0)
    assert found[("cash", "cash paid out 2026")][:2] == (0.0, pytest.approx(100))
    assert main(["compare", str(path), str(edited)]) == 0
    out = capsys.readouterr().out
    assert "funded only in A" in out and "start year" in out


# ---------------------------------------------------------------- the API

def test_the_api_replans_a_plan_in_hand_or_a_plan_workbook(tmp_path):
    import optimiser

    src = workbook(tmp_path / "in.xlsx", period_budget_case(), YEARS3)
    p = optimiser.plan(src)
    path = p.to_excel(tmp_path / "plan.xlsx")
    in_hand, from_file = optimiser.replan(p, from_year=2026), optimiser.replan(path, from_year=2026)
    for r in (in_hand, from_file):
        assert r.input.settings.start_year == 2026
        assert r.from_year == 2026 and r.plan_start == 2024
    assert from_file.plan == "plan.xlsx" and in_hand.plan == "the plan of in.xlsx"
    a = {(c.measure_id, c.year, c.instrument_id): (c.share, c.subsidy_meur) for c in in_hand.input.committed}
    b = {(c.measure_id, c.year, c.instrument_id): (c.share, c.subsidy_meur) for c in from_file.input.committed}
    assert a.keys() == b.keys() and all(a[k] == pytest.approx(b[k], rel=1e-9, abs=1e-8) for k in a)
    out = in_hand.to_excel(tmp_path / "next.xlsx")
    assert read_workbook(out).input.settings.start_year == 2026
    with pytest.raises(optimiser.InputError, match="file exists; pass force=True"):
        in_hand.to_excel(tmp_path / "next.xlsx")
    with pytest.raises(optimiser.InputError, match="that is the plan workbook to re-plan"):
        from_file.to_excel(path, force=True)
    assert_same_from(p.result, optimiser.plan(out).result, 2026, "the API")
    with pytest.raises(optimiser.InputError, match="from_year=2023: expected a year of the plan's horizon 2024–2026"):
        optimiser.replan(p, from_year=2023)


# ---------------------------------------------------------------- refused: one line, exit 2, nothing written

def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "/"
            for p in sorted(folder.rglob("*"))}


def refused(capsys, folder: Path, argv: list, *words: str) -> str:
    before = snapshot(folder)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse refuses what the command line cannot parse
        code = exc.code
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith(("error: ", "policymix: error: ")), err
    for w in words:
        assert w in lines[0], f"{w!r} not in {lines[0]!r}"
    assert snapshot(folder) == before, "a file was written, removed or changed"
    return lines[0]


@pytest.fixture(scope="module")
def a_plan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replan")
    src = workbook(folder / "in.xlsx", past_decisions_case(), YEARS3)
    path, _plan = plan_file(folder, src)
    return src, path


@pytest.mark.parametrize("year, words", [
    (2023, "--from 2023: expected a year of the plan's horizon 2024–2026"),
    (2027, "--from 2027: expected a year of the plan's horizon 2024–2026"),
    ("x", "argument --from: expected a year, found 'x'"),
])
def test_a_year_outside_the_horizon_is_refused(capsys, tmp_path, a_plan, year, words):
    _src, plan = a_plan
    refused(capsys, tmp_path, ["replan", plan, "--from", year, "-o", "next.xlsx"], words)


def test_a_workbook_that_is_not_a_plan_is_refused(capsys, tmp_path, a_plan):
    src, _plan = a_plan
    refused(capsys, tmp_path, ["replan", src, "--from", 2025, "-o", "next.xlsx"],
            f"{src}: is not a plan workbook: it holds no plan stored by policymix plan", "policymix plan in.xlsx")
    refused(capsys, tmp_path, ["replan", "ser-2023", "--from", 2025, "-o", "next.xlsx"], "is not a plan workbook")
    sweep = tmp_path.parent / f"{tmp_path.name}-sweep.xlsx"
    assert main(["sweep", str(src), "--vary", "settings:target_reduction_mt=2,3", "-o", str(sweep)]) == 0
    capsys.readouterr()
    refused(capsys, tmp_path, ["replan", sweep, "--from", 2025, "-o", "next.xlsx"], "is not a plan workbook")
    futures = tmp_path.parent / f"{tmp_path.name}-futures.xlsx"
    assert main(["futures", "ser-2023", "--samples", "3", "--jobs", "1", "-o", str(futures)]) == 0
    capsys.readouterr()
    refused(capsys, tmp_path, ["replan", futures, "--from", 2025, "-o", "next.xlsx"], "is not a plan workbook")
    sim = tmp_path.parent / f"{tmp_path.name}-sim.xlsx"
    assert main(["simulate", str(src), "-o", str(sim)]) in (0, 3)
    capsys.readouterr()
    refused(capsys, tmp_path, ["replan", sim, "--from", 2025, "-o", "next.xlsx"],
            "is a simulation of the instruments' own rules")
    text = tmp_path.parent / f"{tmp_path.name}-damaged.xlsx"
    text.write_bytes(Path(_plan).read_bytes()[:5000])
    refused(capsys, tmp_path, ["replan", text, "--from", 2025, "-o", "next.xlsx"], str(text))


def test_an_edited_plan_is_refused(capsys, tmp_path, a_plan):
    _src, plan = a_plan
    outside = tmp_path.parent / f"{tmp_path.name}-edited"
    outside.mkdir()

    def more_share(d):
        m = sorted(d["commitments"])[0]
        d["commitments"][m][sorted(d["commitments"][m])[0]] = 1.7
    bad = edited(plan, outside / "share.xlsx", more_share)
    refused(capsys, tmp_path, ["replan", bad, "--from", 2025, "-o", "next.xlsx"], "expected a share in [0, 1]",
            "plan the workbook again")

    def more_money(d):
        m = sorted(d["subsidies"])[0]
        i = sorted(d["subsidies"][m])[0]
        y = sorted(d["subsidies"][m][i])[0]
        d["subsidies"][m][i][y] *= 2
    bad = edited(plan, outside / "money.xlsx", more_money)
    refused(capsys, tmp_path, ["replan", bad, "--from", 2025, "-o", "next.xlsx"], "but its input sheets give a gap of")

    def cheaper(wb):  # the plan's price edited after it was planned
        ws = wb["prices"]
        for cell in ws[2][1:]:
            if isinstance(cell.value, (int, float)):
                cell.value = cell.value + 10
    bad = edited(plan, outside / "price.xlsx", sheet_edit=cheaper)
    refused(capsys, tmp_path, ["replan", bad, "--from", 2025, "-o", "next.xlsx"], "were a cost, abatement", "and 6 more like it",
            "plan the workbook again (policymix plan price.xlsx -o NEW.xlsx)")

    def smaller_budget(wb):
        ws = wb["budgets"]
        for cell in ws[2][1:]:
            if isinstance(cell.value, (int, float)):
                cell.value = 1.0
    bad = edited(plan, outside / "budget.xlsx", sheet_edit=smaller_budget)
    refused(capsys, tmp_path, ["replan", bad, "--from", 2025, "-o", "next.xlsx"], "more than the budget of 1 M€")


def test_an_elastic_plan_is_refused(capsys, tmp_path, a_plan):
    src, _plan = a_plan
    elastic = tmp_path.parent / f"{tmp_path.name}-elastic.xlsx"
    assert main(["plan", str(src), "--elastic", "-o", str(elastic)]) in (0, 3)
    capsys.readouterr()
    refused(capsys, tmp_path, ["replan", elastic, "--from", 2025, "-o", "next.xlsx"], "was planned with --elastic")


def test_an_output_that_is_an_input_exists_or_is_not_xlsx_is_refused(capsys, tmp_path, a_plan):
    _src, plan = a_plan
    refused(capsys, tmp_path, ["replan", plan, "--from", 2025, "-o", plan],
            f"-o {plan}: that is the plan workbook to re-plan; choose another output file")
    refused(capsys, tmp_path, ["replan", plan, "--from", 2025, "-o", default_workbook()],
            "that is the shipped default workbook")
    (tmp_path / "next.xlsx").write_bytes(b"mine")
    refused(capsys, tmp_path, ["replan", plan, "--from", 2025, "-o", "next.xlsx"],
            "-o next.xlsx: file exists; pass --force to replace it")
    refused(capsys, tmp_path, ["replan", plan, "--from", 2025, "-o", "next.csv"], "-o next.csv: expected a .xlsx file")
    assert main(["replan", str(plan), "--from", "2025", "-o", str(tmp_path / "next.xlsx"), "--force"]) == 0
    assert read_workbook(tmp_path / "next.xlsx").input.settings.start_year == 2025


def test_a_plan_written_before_subsidies_were_stored_is_planned_again(capsys, tmp_path, a_plan):
    _src, plan = a_plan
    older = edited(plan, tmp_path / "older.xlsx", lambda d: d.pop("subsidies"))
    a = run("replan", plan=str(plan), from_year=2026, write_workbook=False).result
    b = run("replan", plan=str(older), from_year=2026, write_workbook=False).result
    key = lambda c: (c.measure_id, c.year, c.instrument_id)  # noqa: E731
    assert [key(c) for c in a.input.committed] == [key(c) for c in b.input.committed]
    for c, d in zip(a.input.committed, b.input.committed):
        assert c.share == pytest.approx(d.share, abs=1e-8)
        assert (c.subsidy_meur or 0) == pytest.approx(d.subsidy_meur or 0, abs=1e-6)


# ---------------------------------------------------------------- generated workbooks with ties built in

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from test_canonical import tied_workbooks  # noqa: E402


@st.composite
def cycle_workbooks(draw):
    """The canonical tests' workbooks with ties built in (equal €/t, alike and different payouts, rising and
    constant prices, a grid, binding budgets, lumpy projects), and sometimes what a budget cycle adds: a period
    budget, a cash limit, an exclusive group, a decision of the past paid into the horizon, a forced decision."""
    t = draw(tied_workbooks())
    instruments, measures = t["instruments"], t["measures"]
    if draw(st.booleans()):
        instruments[0]["period_budget_meur"] = draw(st.sampled_from([200.0, 500.0, 1e6]))
    if draw(st.booleans()):
        t["cash_limits"] = [{"instrument_id": "*", **{y: draw(st.sampled_from([80.0, 150.0, 1e5])) for y in YEARS3},
                             "_row": 2}]
    if len(measures) >= 3 and draw(st.booleans()):
        for m in measures[:2]:
            m["exclusive_group"] = "g"
    past = [m for m in measures if m.get("lumpy") != "yes"]
    committed = []
    if past and draw(st.booleans()):
        m = past[-1]
        i = m["eligible_instruments"][0]
        committed.append({"measure_id": m["measure_id"], "year": 2023, "share": 0.25, "instrument_id": i,
                          "subsidy_meur": draw(st.sampled_from([0.0, 20.0, 60.0])), "_row": 2})
    if len(past) >= 2 and draw(st.booleans()):
        committed.append({"measure_id": past[0]["measure_id"], "year": 2025, "share": 0.2,
                          "_row": len(committed) + 2})
    if committed:
        t["committed"] = committed
    return t


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cycle_workbooks(), st.sampled_from([2025, 2026]))
def test_generated_workbooks_replan_to_themselves(t, year):
    from optimiser.analysis.replan import from_result, replan
    from optimiser.input.data import InputError
    from optimiser.input.tables import to_input
    from optimiser.model.cash import problems
    from optimiser.model.optimum import optimise

    try:  # a drawn combination the contract refuses (decisions already taken that no plan can keep, …)
        inp = to_input(t)
        if problems(inp):
            return
        plan = optimise(inp).result
    except InputError:
        return
    again = optimise(replan(from_result(plan), year).input).result
    assert_same_from(plan, again, year, "generated")


# ---------------------------------------------------------------- the README's budget cycle, run as written

def test_the_readme_budget_cycle_runs_as_written(tmp_path, capsys, monkeypatch):
    import re
    import shlex

    from optimiser.input.planfile import read_plan_results

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", readme, re.S)
    commands = next(b for b in blocks if "policymix replan plan-2027.xlsx" in b)
    shown = blocks[blocks.index(commands) + 1]  # what the replan line prints, as the README shows it
    monkeypatch.chdir(tmp_path)
    said = {}
    for line in commands.strip().splitlines():
        command, _hash, comment = line.partition("#")
        argv = shlex.split(command)
        assert argv[0] == "policymix"
        capsys.readouterr()
        assert main(argv[1:]) in (0, 3), line
        said[argv[1]] = capsys.readouterr().out
        cost = re.search(r"([\d,]+\.\d) M€", comment)
        if argv[1] == "plan" and cost:  # the public cost the comment gives, as the plan stores it
            out = argv[argv.index("-o") + 1]
            stored = read_plan_results(tmp_path / out)["plan"]["public_cost_meur"]
            assert f"{stored:,.1f}" == cost.group(1), line
    lines = [l for l in said["replan"].splitlines() if not l.startswith("Next round's input workbook written")]
    assert lines == shown.strip().splitlines()

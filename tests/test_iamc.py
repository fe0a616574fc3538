"""IAMC export (--iamc, Plan.to_iamc): files pyam reads, values that agree with the plan, real units.

Small workbook as in test_api: a (1 Mt/yr, 50 €/t, cluster north, 100 MW of a 50 MW grid), b (2 Mt/yr,
80 €/t, south), c (lumpy, 120 €/t, south); CO2 price 0, 10 support years, target 2.5 Mt/yr in 2026.
Optimum: 0.5 of a (250 M€) in 2026 and all of b (1,600 M€).
"""

from __future__ import annotations

import json
import warnings

import pytest

import optimiser
from builders import grid_case, run, tables, workbook, yearly

pyam = pytest.importorskip("pyam", reason="pyam-iamc is a test extra: pip install '.[test]'")

NL = "Netherlands"


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pyam.IamDataFrame(str(path))


def _value(df, variable, region=NL, year=None):
    sel = df.filter(variable=variable, region=region, **({"year": year} if year else {}))
    assert not sel.empty, (variable, region, year)
    return sel


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return workbook(tmp_path_factory.mktemp("iamc") / "in.xlsx", grid_case())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_plan_iamc_file_loads_in_pyam_with_the_plans_values(small, tmp_path, suffix):
    out = tmp_path / f"plan{suffix}"
    proc = run("plan", small, "-o", tmp_path / "p.xlsx", "--iamc", out, "--json", tmp_path / "p.json", check_code=0)
    assert f"IAMC results written to {out}" in proc.stdout
    plan = json.loads((tmp_path / "p.json").read_text())
    df = _read(out)
    assert df.model == [f"policymix {optimiser.__version__}"]
    assert df.scenario == ["test"]
    assert set(df.region) == {NL, "north", "south"}
    assert df.year == [2024, 2025, 2026]
    # no unit is missing or a placeholder
    assert all(u and u.strip() not in ("?", "unit", "") for u in df.unit)

    abatement = "Emissions|CO2|Industry|Abatement"
    ts = df.filter(variable=abatement).timeseries()
    assert ts.loc[(slice(None), slice(None), NL, abatement, "Mt CO2-equiv/yr"), 2026].item() == \
        pytest.approx(plan["abatement_mt"]["2026"]) == pytest.approx(2.5)
    assert _value(df, abatement, "north", 2026).timeseries()[2026].item() == pytest.approx(0.5)  # half of a
    assert _value(df, abatement, "south", 2026).timeseries()[2026].item() == pytest.approx(2.0)  # all of b
    # the clusters add up to the Netherlands, the instruments to the total subsidy (pyam's own checks)
    assert df.check_aggregate_region(abatement) is None
    assert df.check_aggregate("Policy Cost|Subsidy") is None
    subsidy = df.filter(variable="Policy Cost|Subsidy|G", region=NL).timeseries()
    assert subsidy.sum(axis=1).item() == pytest.approx(plan["public_cost_meur"]) == pytest.approx(1850.0)
    assert df.filter(variable="Policy Cost|Subsidy|G").unit == ["million EUR/yr"]

    shadow = df.filter(variable="Price|Shadow|Resource|grid_north", year=2026)
    assert shadow.region == ["north"]  # the grid's users are all in cluster north
    assert shadow.unit == ["million EUR/MW"]
    assert shadow.timeseries()[2026].item() == pytest.approx(plan["shadow_prices"]["resource"]["grid_north"]["2026"])
    target = df.filter(variable="Price|Shadow|Target")
    assert target.unit == ["million EUR/(Mt CO2-equiv/yr)"]
    assert target.timeseries()[2026].item() == pytest.approx(plan["shadow_prices"]["target"]["2026"]) \
        == pytest.approx(800.0)
    assert df.filter(variable="Resource Use|grid_north", year=2026).timeseries()[2026].item() == pytest.approx(50.0)
    assert df.filter(variable="Price|Carbon").unit == ["EUR/t CO2"]


def test_the_command_record_names_the_iamc_file_types_of_the_writer():
    from optimiser import commands
    from optimiser.report import iamc

    assert commands.IAMC.suffixes == iamc.SUFFIXES


def test_every_policy_limit_of_the_registry_is_exported(small):
    from optimiser.model.families import reported

    p = optimiser.plan(small)
    frame = p.to_iamc()
    shadow = set(frame.loc[frame["variable"].str.startswith("Price|Shadow|"), "variable"])
    policy = [f for f in reported() if f.kind == "policy"]
    expected = set()
    for f in policy:
        for key in p.result.shadow.get(f.name, {}):
            ident, _ = f.split(key)
            label = " ".join(w[:1].upper() + w[1:] for w in f.label.split())
            expected.add(f"Price|Shadow|{label}" + ("" if ident is None else f"|{ident}"))
    assert shadow == expected
    # single-measure limits (caps, deployable shares) are not exported
    assert not any("Maximum Share" in v for v in shadow)


def test_default_plan_iamc_agrees_with_the_dataframes():
    p = optimiser.plan()
    df = pyam.IamDataFrame(p.to_iamc())
    T = p.target_year
    ab = df.filter(variable="Emissions|CO2|Industry|Abatement", region=NL, year=T).timeseries()[T].item()
    assert ab == pytest.approx(p.abatement_mt)
    total = df.filter(variable="Policy Cost|Subsidy", region=NL).timeseries().sum(axis=1).item()
    assert total == pytest.approx(p.instruments["subsidy_meur"].sum())
    assert df.check_aggregate_region("Emissions|CO2|Industry|Abatement") is None
    assert df.check_aggregate_region("Policy Cost|Subsidy") is None
    grid = p.shadow_prices.xs("resource", level="family")
    for (rid, year), row in grid.iterrows():
        got = df.filter(variable=f"Price|Shadow|Resource|{rid}", year=int(year)).timeseries()
        assert got[int(year)].item() == pytest.approx(row["shadow_price"])
    # clusters of the default workbook are regions; a cluster's own grid is priced in that cluster
    assert {"Rotterdam-Moerdijk", "Noordzeekanaalgebied", "Zeeland", "Chemelot"} <= set(df.region)
    nzkg = df.filter(variable="Price|Shadow|Resource|grid_noordzeekanaalgebied")
    assert nzkg.region == ["Noordzeekanaalgebied"]


def test_sweep_iamc_has_one_scenario_per_point(small, tmp_path):
    out = tmp_path / "sweep.csv"
    proc = run("sweep", small, "--vary", "settings:target_reduction_mt=1,2", "-o", tmp_path / "s.xlsx",
               "--iamc", out, "--json", "-", check_code=0)
    points = json.loads(proc.stdout[:proc.stdout.rindex("]") + 1])
    df = _read(out)
    names = ["test | settings:target_reduction_mt=1", "test | settings:target_reduction_mt=2"]
    assert df.scenario == sorted(names)
    for name, point in zip(names, points):
        subsidy = df.filter(scenario=name, variable="Policy Cost|Subsidy", region=NL).timeseries()
        assert subsidy.sum(axis=1).item() == pytest.approx(point["public_cost_meur"])
    # 1 Mt: 0.5 of a (250 M€) + 0.5 Mt of b (400 M€)
    assert df.filter(scenario=names[0], variable="Policy Cost|Subsidy", region=NL).timeseries().sum(axis=1).item() \
        == pytest.approx(650.0)


def test_bad_iamc_requests_write_nothing(small, tmp_path):
    proc = run("plan", small, "-o", tmp_path / "p.xlsx", "--iamc", tmp_path / "x.txt", check_code=2)
    assert "--iamc" in proc.stderr and ".csv or .xlsx" in proc.stderr
    assert not (tmp_path / "p.xlsx").exists()
    proc = run("plan", small, "-o", tmp_path / "p.xlsx", "--iamc", tmp_path / "p.xlsx", check_code=2)
    assert "another output of this run" in proc.stderr
    (tmp_path / "old.csv").write_text("keep")
    run("plan", small, "-o", tmp_path / "p.xlsx", "--iamc", tmp_path / "old.csv", check_code=2)
    assert (tmp_path / "old.csv").read_text() == "keep" and not (tmp_path / "p.xlsx").exists()

    t = tables(resources=[{"resource_id": "r", "name": "r", "kind": "stock", **yearly(5.0)}],
               usage=[{"measure_id": "a", "resource_id": "r", "amount": 1.0}])
    no_unit = workbook(tmp_path / "nounit.xlsx", t)
    proc = run("plan", no_unit, "-o", tmp_path / "q.xlsx", "--iamc", tmp_path / "q.csv", check_code=2)
    assert "sheet 'resources', row 2, column 'unit'" in proc.stderr
    assert not (tmp_path / "q.xlsx").exists() and not (tmp_path / "q.csv").exists()


def test_iamc_and_save_lp_are_refused_with_versus_rules(small, tmp_path):
    for option, name in (("--iamc", "x.csv"), ("--save-lp", "x.mps")):
        proc = run("plan", small, "--versus-rules", "-o", tmp_path / "r.xlsx", option, tmp_path / name, check_code=2)
        assert f"{option} is not available with --versus-rules" in proc.stderr
        assert not (tmp_path / "r.xlsx").exists() and not (tmp_path / name).exists()


def test_the_iamc_file_starts_at_start_year_on_a_workbook_with_decisions_of_the_past(tmp_path):
    """The December 2026 default plans from 2027 and carries decisions of 2021–2024 that paid cash before then:
    the IAMC file holds the plan's years (2027 on, the cash outlook after 2030 included), no history."""
    p = optimiser.plan()
    assert p.input.settings.start_year == 2027 and min(p.result.cash.cash["SDE++"]) < 2027  # history exists
    p.to_iamc(tmp_path / "d.csv")
    df = _read(tmp_path / "d.csv")
    assert min(df.year) == 2027 and max(df.year) > p.target_year
    cash = _value(df, "Policy Cost|Cash", year=2029).timeseries()[2029].item()
    assert cash == pytest.approx(sum(by_year.get(2029, 0.0) for by_year in p.result.cash.cash.values()))

"""A plan's results in the IAMC template layout, the format energy and climate models are compared in.

One row per (model, scenario, region, variable, unit) and one column per
year, as read by pyam (``pyam.IamDataFrame("plan.csv")``) and the IAMC
scenario explorers. The variables (docs/iamc.md lists them with their
units):

- ``Emissions|CO2|Industry|Abatement`` — Σ_m A_m · o_{m,y}, every year, in
  the Netherlands and in each cluster (the measures' ``cluster``); its
  siblings ``…|Abatement Required`` and ``…|Abatement Shortfall`` in the
  target years;
- ``Policy Cost|Subsidy`` and ``Policy Cost|Subsidy|<instrument>`` — subsidy
  committed in the year (verplichtingen), by region; ``Policy Cost|Public Cost``
  the same weighted by each instrument's cost weight (what the model minimises);
- ``Policy Cost|Cash`` and ``Policy Cost|Cash|<instrument>`` — cash paid in the
  year (kas), when the plan result carries the cash projection (the
  ``cash_meur`` key of the plan JSON, MODEL.md §13);
- ``Price|Carbon`` — the effective CO2 price of the input;
- ``Resource Use|<resource>`` — use of each limited resource, in its unit;
- ``Price|Shadow|<Family>|<id>`` — the shadow price of every limit of every
  policy family of the constraint-family registry (``kind="policy"``), named
  by the family's English label; a limit without a year (a period budget) is
  given in the target year. A resource limit's region is the one cluster of
  the measures that use it (else the Netherlands).

Every variable but the shadow prices is a result field's IAMC variable
(``Field.iamc``, :mod:`optimiser.model.fields`): a field per measure is summed
over the measures of each region, a field per instrument or resource gives one
variable per id (``each``) and their sum (``total``); so a new field with an
IAMC variable is exported without a change here.

Units are written out (``Mt CO2-equiv/yr``, ``million EUR/yr``,
``million EUR/MW``, …), never left blank: a resource without a unit is refused
up front (:func:`check_units`). The writer takes ``.csv`` (plain text) or
``.xlsx`` (sheet ``data``, through the spreadsheet toolkit).
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..input.data import InputError, PlanInput, Problem
from ..lang import _, language
from ..model.families import RESOURCE, objective_unit, reported
from ..model.fields import INSTRUMENT, MEASURE, RESOURCE as RESOURCE_AXIS, YEAR, CASH_YEAR, TARGET_YEAR, FIELDS, Field
from ..model.results import TOL, PlanResult
from .files import atomic_write

#: The region of national totals; clusters are regions below it.
NATIONAL = "Netherlands"
#: The IAMC template's leading columns (one column per year follows).
INDEX = ("model", "scenario", "region", "variable", "unit")
#: File types written.
SUFFIXES = (".csv", ".xlsx")



@dataclass(frozen=True)
class Series:
    """One row of the IAMC table: a variable's values by year in one region."""

    model: str
    scenario: str
    region: str
    variable: str
    unit: str
    values: dict[int, float]


def model_name() -> str:
    from .. import __version__

    return f"policymix {__version__}"


def iamc_unit(unit: str) -> str:
    """A unit of the planner in IAMC spelling: M€ → million EUR, € → EUR, CO2-eq → CO2-equiv."""
    return unit.replace("M€", "million EUR").replace("€", "EUR").replace("CO2-eq", "CO2-equiv").strip()


def _per(numerator: str, denominator: str) -> str:
    """'million EUR/MW', 'million EUR/(Mt CO2-equiv/yr)'; 'EUR/EUR' for a unit per the same unit."""
    num, den = iamc_unit(numerator), iamc_unit(denominator)
    if num == den:
        return "EUR/EUR" if "EUR" in num else "1"
    return f"{num}/({den})" if ("/" in den or " " in den) else f"{num}/{den}"


def _title(label: str) -> str:
    """A family label (its English message id) as a variable name part: 'period budget' → 'Period Budget'."""
    return " ".join(w[:1].upper() + w[1:] for w in label.split())


def _part(text) -> str:
    """An id as one level of a variable name ('|' separates levels)."""
    return str(text).replace("|", "/").strip()


def resource_regions(inp: PlanInput) -> dict[str, str]:
    """Each resource's region: the one cluster of the measures that use it, else the Netherlands."""
    clusters: dict[str, set[str]] = defaultdict(set)
    national: set[str] = set()
    for (m, r), amount in inp.usage.items():
        if amount == 0 or m not in inp.measures:
            continue
        cluster = inp.measures[m].cluster.strip()
        if cluster:
            clusters[r].add(cluster)
        else:
            national.add(r)
    return {r: (next(iter(clusters[r])) if len(clusters[r]) == 1 and r not in national else NATIONAL)
            for r in inp.resources}


def check_units(inp: PlanInput) -> list[Problem]:
    """Resources without a unit: their use and shadow price would have no real unit in the IAMC file."""
    return [Problem(_("blank: the IAMC export (--iamc) needs the unit of resource '{id}'", id=r), None, "resources",
                    res.row, "unit") for r, res in inp.resources.items() if not res.unit.strip()]


def field_series(result: PlanResult, f: Field, where: dict[str, str]) -> list[tuple[str, str, str, dict]]:
    """A field's IAMC rows: (region, variable, unit, {year: value}).

    Its values are summed by region (the Netherlands and each measure's cluster, for a field per measure; a
    resource's region for a field per resource) and by its instrument or resource (``each``: one variable per
    id; ``total``: their sum), over every year of its year axis (0 where the plan has none).
    """
    inp, spec = result.input, f.iamc
    axes = f.table.axes
    years_axis = next(a for a in axes if a in (YEAR, TARGET_YEAR, CASH_YEAR))
    years = years_axis.keys(inp, result)
    by = next((a for a in axes if a in (INSTRUMENT, RESOURCE_AXIS)), None)
    ids = by.keys(inp, result) if by is not None else [None]
    per_measure = MEASURE in axes
    if per_measure:
        regions = [NATIONAL] + sorted({m.cluster.strip() for m in inp.measures.values() if m.cluster.strip()})
    else:
        regions = sorted({where.get(i, NATIONAL) for i in ids}) if by is RESOURCE_AXIS else [NATIONAL]
    sums = {(region, i): {y: 0.0 for y in years} for region in regions for i in ids}
    undefined = set()  # years a dense field has no value for (a CO2 price not given): left out, not 0
    for key in f.table.rows(result):
        value = f.value(result, *key)
        named = dict(zip(axes, key))
        if value is None:
            undefined.add(named[years_axis])
            continue
        y, i = named[years_axis], named.get(by)
        if per_measure:
            cluster = inp.measures[named[MEASURE]].cluster.strip()
            places = [NATIONAL] + ([cluster] if cluster else [])
        else:
            places = [where.get(i, NATIONAL) if by is RESOURCE_AXIS else NATIONAL]
        for region in places:
            sums[(region, i)][y] += value
    for values in sums.values():
        for y in undefined:
            values[y] = None
    rows = []
    for region in regions:
        members = [i for i in ids if (region, i) in sums and (by is not RESOURCE_AXIS or where.get(i) == region)]
        unit_of = (lambda i: spec.unit) if spec.unit else (lambda i: iamc_unit(inp.resources[i].unit))
        if spec.total and members:
            total = {y: None if y in undefined else sum(sums[(region, i)][y] for i in members) for y in years}
            rows.append((region, spec.variable, unit_of(members[0]), total))
        if spec.each and by is not None:
            rows += [(region, f"{spec.variable}|{_part(i)}", unit_of(i), sums[(region, i)]) for i in members]
    return rows


def plan_series(result: PlanResult, scenario: str | None = None, model: str | None = None) -> list[Series]:
    """Every IAMC row of one plan (see the module docstring for the variables)."""
    inp = result.input
    model = model or model_name()
    scenario = scenario if scenario is not None else inp.settings.scenario_name
    out: list[Series] = []

    start = inp.settings.start_year

    def add(region: str, variable: str, unit: str, values: dict[int, float]) -> None:
        # the plan's years, from start_year on: cash that decisions of the past paid before it is history
        clean = {int(y): float(v) for y, v in values.items()
                 if v is not None and math.isfinite(float(v)) and int(y) >= start}
        if clean:
            out.append(Series(model, scenario, region, variable, unit, dict(sorted(clean.items()))))

    where = resource_regions(inp)
    for f in FIELDS:
        if f.iamc is not None:
            for region, variable, unit, values in field_series(result, f, where):
                add(region, variable, unit, values)

    T = inp.settings.target_year
    for f in reported():
        if f.kind != "policy":
            continue
        rows: dict[tuple[str, str, str], dict[int, float]] = defaultdict(dict)
        for key, value in result.shadow.get(f.name, {}).items():
            ident, year = f.split(key)
            variable = f"Price|Shadow|{_title(f.label)}" + ("" if ident is None else f"|{_part(ident)}")
            region = where.get(ident, NATIONAL) if f.name == RESOURCE else NATIONAL
            with language("en"):  # IAMC units are English whatever the run's language
                unit = _per(objective_unit(inp), f.unit_of(inp, key))
            rows[(region, variable, unit)][T if year is None else int(year)] = 0.0 if value < TOL else value
        for (region, variable, unit), values in rows.items():
            add(region, variable, unit, values)
    return out


def point_scenario(scenario: str, values: dict) -> str:
    """The IAMC scenario name of a sweep point: 'default | settings:target_reduction_mt=12'."""
    return scenario + " | " + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                        for k, v in values.items())


def table(series: list[Series]) -> tuple[list, list[list]]:
    """The IAMC wide table: header (the five index columns, then the years as ints) and rows."""
    years = sorted({y for s in series for y in s.values})
    header = list(INDEX) + years
    rows = [[s.model, s.scenario, s.region, s.variable, s.unit] + [s.values.get(y) for y in years] for s in series]
    return header, rows


def write_iamc(series: list[Series], path: str | os.PathLike, *, force: bool = True) -> Path:
    """Write the rows as an IAMC file (``.csv``, or ``.xlsx`` with sheet ``data``), atomically."""
    suffix = Path(path).suffix.lower()
    header, rows = table(series)
    if suffix == ".xlsx":
        from .xlsx import Col, Sheet, new_workbook, save

        wb = new_workbook(_("policymix results (IAMC format)"))
        sheet = Sheet(wb, "data")
        sheet.table([Col(str(h)) for h in header], rows, freeze=len(INDEX), autofilter=True)
        sheet.finish()
        return save(wb, path, force=force)
    if suffix != ".csv":
        raise InputError(Problem(_("{path}: an IAMC file is .csv or .xlsx, not {suffix}", path=path, suffix=suffix)
                                 if suffix else _("{path}: an IAMC file is .csv or .xlsx, not without extension",
                                                  path=path)))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else (repr(v) if isinstance(v, float) else v) for v in row])
    text = buf.getvalue()

    def fill(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)

    return atomic_write(path, fill, force=force)

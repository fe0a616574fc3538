"""Plant-level inputs for benchmarks and tests: a workbook's measures replicated and perturbed, seeded.

Budget teams and the agencies behind them work at installation level: a few
hundred ETS sites and thousands of smaller firms, each with several options,
1 000–10 000 measures. No such data set is public, so
:func:`plant_level` makes one of the same shape from a national workbook
(the shipped default): every measure is copied until there are ``measures``
of them (copy k of ``tata_dri_eaf`` is ``tata_dri_eaf~k``, in exclusive group
``tata_ironmaking~k``), and every copy is perturbed independently —

  abatement × U(0.7, 1.3), cost × U(0.85, 1.15), capex × U(0.8, 1.2),
  each resource use × U(0.8, 1.2)

— while every budget, period budget, fence, resource capacity and target is
multiplied by measures / (measures in the workbook), so the limits bind about
as tightly as in the national plan. A decision already taken (sheet
``committed``) holds for every whole copy of its measure (copy k for k + 1 ≤
measures / measures in the workbook), whose resource use is not perturbed, so
that the decisions fit the scaled capacities as they fit the workbook's. An
uncertain input on one measure (sheet ``uncertainty``) moves all its copies
(``id`` becomes ``id~*``). The same seed gives the same input.

``lumpy`` says how many copies of the workbook's lumpy measures stay lumpy
(all-or-nothing); the others become ordinary (continuous) measures. ``lumpy=0``
is a pure LP.

Used by ``bench/bench_scale.py`` (which writes these inputs as workbooks) and by
the tests (the optimum of the 1 000-measure input is pinned in
tests/test_scale.py).
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

from .data import Measure, PlanInput

#: The perturbation ranges (low, high) of the multipliers drawn per copy.
ABATEMENT = (0.7, 1.3)
COST = (0.85, 1.15)
CAPEX = (0.8, 1.2)
USAGE = (0.8, 1.2)

#: Perturbed numbers keep this many significant digits (so a workbook round trip is exact and readable).
DIGITS = 6


def _round(v: float) -> float:
    if v == 0 or not math.isfinite(v):
        return v
    return round(v, DIGITS - 1 - math.floor(math.log10(abs(v))))


def plant_level(base: PlanInput, measures: int, *, seed: int = 0, lumpy: int = 0) -> PlanInput:
    """``base`` with its measures replicated and perturbed to ``measures`` of them (see the module docstring).

    ``lumpy``: how many copies of ``base``'s lumpy measures stay lumpy (the first ones); the rest are
    ordinary measures. Raises ValueError when ``base`` has fewer lumpy copies than asked for.
    """
    if measures < 1:
        raise ValueError("measures must be at least 1")
    originals = list(base.measures.values())
    copies = math.ceil(measures / len(originals))
    rng = random.Random(seed)
    factor = measures / len(originals)
    new_measures: dict[str, Measure] = {}
    usage: dict[tuple[str, str], float] = {}
    by_measure: dict[str, list[tuple[str, float]]] = {}
    for (mid, r), a in base.usage.items():
        by_measure.setdefault(mid, []).append((r, a))
    decisions: dict[str, list] = {}
    for c in base.committed:
        decisions.setdefault(c.measure_id, []).append(c)
    committed = []
    lumpy_left = lumpy
    for k in range(copies):
        for m in originals:
            if len(new_measures) == measures:
                break
            mid = f"{m.measure_id}~{k}"
            keep_lumpy = m.lumpy and lumpy_left > 0
            lumpy_left -= keep_lumpy
            new_measures[mid] = replace(
                m, measure_id=mid, row=len(new_measures) + 2,
                abatement_mt=_round(m.abatement_mt * rng.uniform(*ABATEMENT)),
                cost_eur_per_t=_round(m.cost_eur_per_t * rng.uniform(*COST)),
                capex_meur=_round(m.capex_meur * rng.uniform(*CAPEX)),
                lumpy=keep_lumpy,
                exclusive_group=f"{m.exclusive_group}~{k}" if m.exclusive_group else "",
            )
            # decisions already taken hold for the whole copies only (k < factor), so that together they
            # use no more than the scaled capacities, as the originals do in the workbook
            taken = m.measure_id in decisions and k + 1 <= factor
            for r, a in by_measure.get(m.measure_id, []):
                f = rng.uniform(*USAGE)
                # a measure with a decision already taken uses its resources as given: what the decisions
                # of all its copies use together must fit the scaled capacities, as in the workbook
                usage[(mid, r)] = a if taken else _round(a * f)
            for c in decisions.get(m.measure_id, []) if taken else ():
                committed.append(replace(c, measure_id=mid, row=len(committed) + 2))
    if lumpy_left > 0:
        raise ValueError(f"asked for {lumpy} lumpy measures, the input makes only {lumpy - lumpy_left}")

    def scaled(series):
        return {y: _round(v * factor) for y, v in series.items()}

    instruments = {i: replace(inst, period_budget_meur=None if inst.period_budget_meur is None
                              else _round(inst.period_budget_meur * factor))
                   for i, inst in base.instruments.items()}
    resources = {r: replace(res, capacity=scaled(res.capacity)) for r, res in base.resources.items()}
    fences = {f: replace(fence, budget=scaled(fence.budget)) for f, fence in base.fences.items()}
    settings = replace(base.settings, target_reduction_mt=_round(base.settings.target_reduction_mt * factor),
                       scenario_name=f"plants-{measures}" + (f"-lumpy{lumpy}" if lumpy else ""))
    return replace(
        base, settings=settings, measures=new_measures, instruments=instruments,
        budgets={i: scaled(b) for i, b in base.budgets.items()}, resources=resources, usage=usage,
        targets={y: _round(t * factor) for y, t in base.targets.items()}, fences=fences, scenarios=(),
        committed=tuple(committed), uncertainty=tuple(_every_copy(u) for u in base.uncertainty),
        sources={k: v for k, v in base.sources.items() if k[0] not in ("measures", "usage")},
    )


def _every_copy(row):
    """An uncertain input on one measure (or its usage) made to move every copy of it: ``id`` → ``id~*``."""
    if row.sheet.strip().lower() not in ("measures", "usage") or any(ch in row.id for ch in "*?["):
        return row
    if row.sheet.strip().lower() == "usage" and "/" in row.id:
        measure, resource = row.id.split("/", 1)
        return replace(row, id=f"{measure}~*/{resource}")
    return replace(row, id=f"{row.id}~*")

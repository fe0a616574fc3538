"""Near-optimal alternatives (modelling to generate alternatives).

After the optimum, a cost ceiling is added — the objective may be at most
(1 + slack) times the optimum — and the model is solved N more times, each
time minimising the overlap with the measures funded so far:

    min Σ_m n_m · x_{m,T}     s.t. every constraint and  Σ c_j · v_j ≤ (1 + slack) · z*

where n_m counts the plans found so far (the optimum included) that fund m,
c is the objective of the optimum and z* its value. Of the plans that overlap
least, each alternative is the canonical one (docs/model.md, "Canonical
plans"): the least objective, then the least cash, the lowest cash peak and
the last rule. Measures funded in every plan are must-haves; the rest are
choices.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from ..model.build import objective
from ..model.extract import extract
from ..model.optimum import Optimum
from ..model.results import PlanResult
from ..model.solve import Solution


@dataclass
class Alternatives:
    plans: list[PlanResult]  # the alternatives (the optimum not included)
    slack: float
    counts: dict[str, int]  # measure → number of alternatives funding it
    in_optimum: dict[str, bool]

    def must_haves(self) -> list[str]:
        """Measures funded in the optimum and in every alternative."""
        n = len(self.plans)
        return [m for m, c in self.counts.items() if c == n and self.in_optimum.get(m)]


def _funded(result: PlanResult) -> set[str]:
    return {m for m, mr in result.measures.items() if mr.taken_up}


def generate(found: Optimum, n: int, slack: float) -> Alternatives:
    """N plans within ``slack`` (e.g. 0.05) of the optimum's objective, differing as much as possible."""
    built, solver, optimum = found.built, found.solver, found.result
    h = solver.highs
    inp = built.input
    costs = {(name, key): c for c, name, key in objective(built.index, inp, built.rows)}
    cols, vals = [], []
    for (name, key), c in costs.items():
        j = solver.col_of.get((name, key))
        if j is not None and c != 0:
            cols.append(j)
            vals.append(c)
    ceiling = optimum.objective_meur * (1 + slack)
    h.addRow(-highspy.kHighsInf, ceiling, len(cols), np.array(cols, dtype=np.int32), np.array(vals, dtype=float))
    d_cols = {key: j for (name, key), j in solver.col_of.items() if name == "d"}
    counts_so_far: dict[str, int] = {m: 1 for m in _funded(optimum)}
    plans: list[PlanResult] = []
    model_costs = np.zeros(solver.n_col)
    for j, c in zip(cols, vals):
        model_costs[j] = c
    # of the plans that overlap least, the canonical one: least objective, then the planner's own preferences
    solver.prefer = [model_costs]
    try:
        for _k in range(n):
            weights = np.zeros(solver.n_col)
            for (m, y), j in d_cols.items():
                weights[j] = counts_so_far.get(m, 0)
            solver.set_costs(weights)
            sol = solver.solve(phases=False)  # an elastic run's relaxation stays held
            if not sol.ok:
                break
            # report the alternative's real objective, not the overlap it minimised
            real = sum(c * sol.values.get(name, {}).get(key, 0.0) for (name, key), c in costs.items())
            sol = Solution(ok=True, status=sol.status, message="alternative", objective=real, values=sol.values,
                           shadow={}, reduced={}, mip=sol.mip, seconds=sol.seconds)
            alt = extract(built, sol)
            plans.append(alt)
            for m in _funded(alt):
                counts_so_far[m] = counts_so_far.get(m, 0) + 1
    finally:
        solver.prefer = []
        solver.set_costs(model_costs)
        h.deleteRows(1, np.array([h.getNumRow() - 1], dtype=np.int32))  # the cost ceiling: the model as it was
    counts = {m: sum(p.measures[m].taken_up for p in plans) for m in inp.measures}
    return Alternatives(plans=plans, slack=slack, counts=counts, in_optimum={m: m in _funded(optimum) for m in inp.measures})

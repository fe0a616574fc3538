"""Stages 3–5 in one call: build, solve and extract the optimal plan of one input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..input.data import PlanInput
from .build import Built, build_model
from .extract import describe_iis, extract
from .results import PlanResult
from .solve import Solution, Solver, solver_version


class SolverFailure(Exception):
    """The solver did not prove a plan optimal (exit code 4)."""

    def __init__(self, solution: Solution):
        self.solution = solution
        super().__init__(solution.message)


class TargetInfeasible(Exception):
    """Strict mode: no plan meets every target; ``iis`` names the conflicting limits (exit code 3)."""

    def __init__(self, solution: Solution, iis: list[dict]):
        self.solution = solution
        self.iis = iis
        super().__init__("no plan meets every target within the limits")


@dataclass
class Optimum:
    """The optimal plan, with the model and the live solver it came from (for alternatives and re-solves)."""

    result: PlanResult
    built: Built
    solver: Solver


def optimise(inp: PlanInput, *, time_limit_s: float | None = None,
             before_solve: Callable[[Solver], None] | None = None) -> Optimum:
    """Build, solve and extract.

    ``before_solve(solver)`` is called once the model is on the HiGHS instance, before it is solved
    (``--save-lp`` writes the model there).

    Raises :class:`TargetInfeasible` (strict mode, with the conflicting limits)
    or :class:`SolverFailure` on any other non-optimal solve.
    """
    built = build_model(inp)
    solver = Solver(built, time_limit_s=time_limit_s)
    if before_solve is not None:
        before_solve(solver)
    solution = solver.solve()
    if not solution.ok:
        if inp.settings.strict and solution.status.lower() == "infeasible":
            raise TargetInfeasible(solution, describe_iis(inp, solution.iis))
        raise SolverFailure(solution)
    result = extract(built, solution)
    result.solver.update(name=solver_version(), columns=solver.n_col, rows=solver.n_row)
    return Optimum(result, built, solver)


def solve_input(inp: PlanInput, *, time_limit_s: float | None = None) -> PlanResult:
    """The optimal plan of ``inp`` (see :func:`optimise`)."""
    return optimise(inp, time_limit_s=time_limit_s).result

"""Stages 3–5 in one call: build, solve and extract the optimal plan of one input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..lang import _
from ..input.data import InputError, PlanInput, Problem
from .build import Built, build_model
from .cash import problems as fixed_problems
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

    Raises :class:`TargetInfeasible` (strict mode, with the conflicting limits),
    :class:`InputError` when decisions already taken (sheet committed) cannot be kept,
    or :class:`SolverFailure` on any other non-optimal solve.
    """
    fixed = fixed_problems(inp)  # decisions already taken that no plan can keep (the pipeline checks it on load)
    if fixed:
        raise InputError(fixed)
    built = build_model(inp)
    solver = Solver(built, time_limit_s=time_limit_s)
    if before_solve is not None:
        before_solve(solver)
    solution = solver.solve()
    if not solution.ok:
        if inp.settings.strict and solution.status.lower() == "infeasible":
            raise TargetInfeasible(solution, describe_iis(inp, solution.iis))
        if solution.status.lower() == "infeasible" and (inp.committed or inp.cash_limits):
            raise decisions_infeasible(inp, solution)
        raise SolverFailure(solution)
    result = extract(built, solution)
    result.solver.update(name=solver_version(), columns=solver.n_col, rows=solver.n_row)
    if solution.notes:  # a canonical stage stopped short (a time limit): a least-cost plan, maybe not the one
        result.warnings.append(_("the plan costs the least, but HiGHS could not finish choosing among equally "
                                 "cheap plans ({why}); another run may show another of them (docs/model.md "
                                 "section 5d)", why="; ".join(dict.fromkeys(solution.notes))))
    return Optimum(result, built, solver)


def decisions_infeasible(inp: PlanInput, solution: Solution) -> InputError:
    """Only fixed commitments (sheet committed) make a plan with shortfall infeasible: say which and what they
    conflict with (bad input, exit code 2)."""
    found = fixed_problems(inp)
    if found:
        return InputError(found)
    limits = "; ".join(item["text"] for item in describe_iis(inp, solution.iis)) or _("(the solver could not isolate "
                                                                                      "them)")
    return InputError(Problem(_("the decisions already taken (sheet committed) cannot all be kept within the limits; "
                                "they conflict with: {limits}", limits=limits), sheet="committed"))


def solve_input(inp: PlanInput, *, time_limit_s: float | None = None) -> PlanResult:
    """The optimal plan of ``inp`` (see :func:`optimise`)."""
    return optimise(inp, time_limit_s=time_limit_s).result

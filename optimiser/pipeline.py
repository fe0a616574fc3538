"""The pipeline: read → apply scenario → build → solve → extract → write, in one short function.

The CLI is a thin shell over :func:`run_plan`; tests and scripts call it too.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .alternatives import generate as generate_alternatives
from .build import build_model
from .data import InputError, PlanInput, Problem
from .extract import PlanResult, describe_iis, extract
from .read import DEFAULT_MAX_UNZIPPED_MB, Workbook, read_workbook
from .scenario import resolve
from .solve import Solution, Solver, solver_version
from .sweep import SweepRun, parse_varies, sweep, sweep_json
from .write import plan_json, write_json, write_plan
from .write_sweep import write_sweep

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_NOT_MET, EXIT_SOLVER = 0, 1, 2, 3, 4


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


def default_workbook() -> Path:
    """The default workbook that ships with the package."""
    try:
        from importlib.resources import files

        path = files("optimiser.inputs") / "default.xlsx"
        if path.is_file():
            return Path(str(path))
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "inputs" / "default.xlsx"


@dataclass
class Outcome:
    result: PlanResult
    exit_code: int
    plan_path: Path | None = None
    json_path: str | None = None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def load(workbook: str | os.PathLike | None, scenario: str | None = None,
         overrides: list[tuple[str, str]] = (), max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB
         ) -> tuple[Workbook, PlanInput, list[str]]:
    """Stages 1–2: the workbook read and validated, with the scenario and overrides applied."""
    path = Path(workbook) if workbook else default_workbook()
    wb = read_workbook(path, max_unzipped_mb)
    try:
        inp, applied = resolve(wb.input, scenario, list(overrides))
    except InputError as exc:
        raise exc.with_file(str(path)) from None
    return wb, inp, [o.spec() for o in applied]


def solve_input(inp: PlanInput, *, time_limit_s: float | None = None, alternatives: int = 0,
                slack: float = 0.05) -> PlanResult:
    """Stages 3–5: build, solve and extract.

    Raises :class:`TargetInfeasible` (strict mode, with the conflicting limits)
    or :class:`SolverFailure` on any other non-optimal solve.
    """
    built = build_model(inp)
    solver = Solver(built, time_limit_s=time_limit_s)
    solution = solver.solve()
    if not solution.ok:
        if inp.settings.strict and solution.status.lower() == "infeasible":
            raise TargetInfeasible(solution, describe_iis(inp, solution.iis))
        raise SolverFailure(solution)
    result = extract(inp, built.index, solution)
    result.solver["name"] = solver_version()
    result.solver["columns"] = solver.n_col
    result.solver["rows"] = solver.n_row
    if alternatives:
        result.alternatives = generate_alternatives(built, solver, result, alternatives, slack)
    return result


def default_plan_path(scenario_name: str, outputs_dir: str | os.PathLike = "outputs", kind: str = "plan") -> Path:
    """outputs/<kind>-<scenario>-<timestamp>.xlsx (kind: plan, sweep)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in scenario_name) or kind
    return Path(outputs_dir) / f"{kind}-{safe}-{stamp}.xlsx"


def check_output_path(out: Path, inputs: list[Path], force: bool, what: str = "-o") -> None:
    """Refuse to overwrite an input, or an existing file without --force."""
    for src in inputs:
        try:
            same = out.exists() and src.exists() and os.path.samefile(out, src)
        except OSError:
            same = False
        if same or out.resolve() == src.resolve():
            raise InputError(Problem(f"{what} {out}: that is the input workbook; choose another output file"))
    if out.is_dir():  # before the --force hint: --force cannot replace a folder
        raise InputError(Problem(f"{what} {out}: is a folder, expected a file name"))
    if out.exists() and not force:
        raise InputError(Problem(f"{what} {out}: file exists; pass --force to replace it"))
    # the folder must exist or be creatable and be writable: found now, not after the solve
    folder = out.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(Problem(f"{what} {out}: {folder} is a file, not a folder"))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(Problem(f"{what} {out}: cannot write in folder {folder} (permission denied)"))


def prepare(workbook, scenario: str | None, overrides, output, json_path: str | None, force: bool,
            max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB) -> tuple[Workbook, PlanInput, list[str], Path | None]:
    """Stages 1–2 plus the output checks every command makes before solving:
    (workbook, effective input, overrides applied, output path or None)."""
    wb, inp, applied = load(workbook, scenario, overrides, max_unzipped_mb)
    src = Path(wb.path)
    out = Path(output) if output else None
    if out is not None:
        check_output_path(out, [src], force)
    if json_path and json_path != "-":
        check_output_path(Path(json_path), [src] + ([out] if out else []), force, "--json")
    return wb, inp, applied, out


def stamp(result: PlanResult, wb: Workbook, applied: list[str]) -> None:
    """Record where a result's input came from (shown on the About sheet)."""
    result.overrides = applied
    result.source_file = Path(wb.path).name
    result.source_sha256 = wb.sha256
    result.notes = list(wb.notes)


def run_plan(workbook: str | os.PathLike | None = None, *, scenario: str | None = None,
             overrides: list[tuple[str, str]] = (), output: str | os.PathLike | None = None,
             json_path: str | None = None, force: bool = False, outputs_dir: str | os.PathLike = "outputs",
             write_workbook: bool = True, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB,
             alternatives: int = 0, slack: float = 0.05) -> Outcome:
    """Plan one workbook end to end and write the plan (and JSON)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    wb, inp, applied, out = prepare(workbook, scenario, overrides, output, json_path, force, max_unzipped_mb)
    timings["read"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    try:
        result = solve_input(inp, alternatives=alternatives, slack=slack)
    except TargetInfeasible as exc:
        if json_path:
            write_json(infeasible_json(exc), json_path, force=force)
        raise
    timings["solve"] = time.perf_counter() - t1
    stamp(result, wb, applied)

    t2 = time.perf_counter()
    plan_path = write_outputs(lambda path, force: write_plan(result, path, force=force), out, force,
                              inp.settings.scenario_name, outputs_dir, "plan", write_workbook,
                              json_path, lambda: plan_json(result))
    timings["write"] = time.perf_counter() - t2
    code = EXIT_OK if result.target_met else EXIT_NOT_MET
    return Outcome(result, code, plan_path, json_path, wb.notes, timings)


def infeasible_json(exc: TargetInfeasible) -> dict:
    """The JSON result of a strict run whose target cannot be met: every contract key, no plan."""
    return {
        "status": "target_not_met", "objective_meur": None, "public_cost_meur": None, "abatement_mt": {},
        "shortfall_mt": {}, "measures": {}, "shadow_prices": {"target": {}, "budget": {}, "resource": {}},
        "relaxations": [], "iis": [{k: v for k, v in item.items() if k != "text"} for item in exc.iis],
    }


def write_outputs(write, out: Path | None, force: bool, scenario_name: str, outputs_dir, kind: str,
                  write_workbook: bool, json_path: str | None, make_json) -> Path | None:
    """Write a command's workbook — to ``out``, or to a fresh outputs/<kind>-… name — and its JSON.

    ``write(path, force)`` writes the workbook; ``make_json()`` builds the JSON only when asked for.
    """
    path = None
    if write_workbook:
        path = write(out, force=force) if out is not None else write_new(write, scenario_name, outputs_dir, kind)
    if json_path:
        write_json(make_json(), json_path, force=force)
    return path


def write_new(write, scenario_name: str, outputs_dir, kind: str = "plan") -> Path:
    """Call ``write(path, force=False)`` on outputs/<kind>-<scenario>-<timestamp>[-n].xlsx until a
    name is free (``write`` raises FileExistsError for a taken one): never replaces another run's file."""
    base = default_plan_path(scenario_name, outputs_dir, kind)
    for n in range(1, 1000):
        path = base if n == 1 else base.with_name(f"{base.stem}-{n}{base.suffix}")
        try:
            return write(path, force=False)
        except FileExistsError:
            continue
    raise InputError(Problem(f"cannot find a free file name in {outputs_dir}"))


# ---------------------------------------------------------------- sweeps end to end

@dataclass
class SweepOutcome:
    run: SweepRun
    exit_code: int
    path: Path | None = None
    json_path: str | None = None


def run_sweep(workbook: str | os.PathLike | None = None, *, vary: list[tuple[str, str]],
              scenario: str | None = None, overrides: list[tuple[str, str]] = (),
              output: str | os.PathLike | None = None, json_path: str | None = None, force: bool = False,
              outputs_dir: str | os.PathLike = "outputs", write_workbook: bool = True,
              max_unzipped_mb: float | None = None, on_start=None, on_point=None,
              keep_results: bool = False) -> SweepOutcome:
    """Sweep one workbook end to end: load, check the output paths, solve every point, write.

    The output rules are those of ``policymix plan``: without ``output`` a new
    outputs/sweep-<scenario>-<timestamp>.xlsx (never replacing a file); an
    explicit ``output`` is replaced only with ``force`` and may never be the input.
    ``on_start(total)`` is called once the points are known.
    """
    varies = parse_varies(list(vary))
    wb, base, applied, out = prepare(workbook, scenario, overrides, output, json_path, force,
                                     DEFAULT_MAX_UNZIPPED_MB if max_unzipped_mb is None else max_unzipped_mb)
    src = Path(wb.path)
    try:
        if on_start is not None:
            on_start(math.prod(len(v.values) for v in varies))
        run = sweep(base, varies, on_point=on_point, keep_results=keep_results, want_json=bool(json_path))
    except InputError as exc:
        raise exc.with_file(str(src)) from None
    run.base_overrides = applied
    run.source_file = src.name
    run.source_sha256 = wb.sha256
    run.notes = list(wb.notes)
    path = write_outputs(lambda p, force: write_sweep(run, p, force=force), out, force, run.scenario_name,
                         outputs_dir, "sweep", write_workbook, json_path, lambda: sweep_json(run))
    return SweepOutcome(run, EXIT_SOLVER if run.failed else EXIT_OK, path, json_path)

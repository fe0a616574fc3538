"""The pipeline: read → apply scenario → build → solve → extract → write, behind one dispatcher.

``run(mode, …)`` runs one command end to end — ``plan``, ``sweep``,
``simulate``, ``rules-gap``, ``compare`` or ``check`` — and returns an
:class:`Outcome` (what was computed, the exit code, the files written). The
CLI is a thin shell over it; tests and scripts call it too. Every mode first
loads and checks its inputs and its output paths, so bad input or a refused
output stops it before anything is solved or written.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .analysis.alternatives import generate as generate_alternatives
from .analysis.compare import compare_plans
from .analysis.rules_gap import compare as compare_rules
from .analysis.simulate import simulate
from .analysis.sweep import parse_varies, sweep
from .input.data import InputError, PlanInput, Problem
from .lang import LANGUAGES, _, adopt, current, known, language, num
from .input.planfile import NotAPlan, read_plan_results
from .input.read import DEFAULT_MAX_UNZIPPED_MB, Workbook, read_workbook
from .input.scenario import override_tag, resolve
from .model.cash import problems as fixed_problems
from .model.optimum import SolverFailure, TargetInfeasible, optimise
from .model.results import PlanResult
from .report.files import write_json, write_model_file
from .report.jsondoc import (futures_json, infeasible_json, plan_json, point_json, rules_gap_json, simulation_json,
                             sweep_json)

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "EXIT_NOT_MET", "EXIT_OK", "EXIT_SOLVER", "MODES", "Outcome",
           "SHIPPED_WORKBOOKS", "SolverFailure", "TargetInfeasible", "default_workbook", "load", "run", "run_plan",
           "solve_input", "workbook_path"]

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_NOT_MET, EXIT_SOLVER = 0, 1, 2, 3, 4
#: File types of ``--save-lp`` (HiGHS writes the format the extension names).
LP_SUFFIXES = (".mps", ".lp")
#: File types of ``--iamc`` (as :data:`optimiser.report.iamc.SUFFIXES`; that module is loaded only when asked for).
IAMC_SUFFIXES = (".csv", ".xlsx")


#: The input workbooks shipped with the package, by name: ``policymix plan ser-2023`` plans the second.
SHIPPED_WORKBOOKS = ("default", "ser-2023")


def default_workbook(name: str = "default") -> Path:
    """A workbook that ships with the package: the default (as of December 2026) or ``ser-2023``."""
    try:
        from importlib.resources import files

        path = files("optimiser.inputs") / f"{name}.xlsx"
        if path.is_file():
            return Path(str(path))
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "inputs" / f"{name}.xlsx"


def workbook_path(workbook: str | os.PathLike | None) -> Path:
    """The workbook a command reads: a file, or a shipped workbook named by itself (no such file here)."""
    if not workbook:
        return default_workbook()
    path = Path(workbook)
    if str(workbook) in SHIPPED_WORKBOOKS and not path.exists():
        return default_workbook(str(workbook))
    return path


@dataclass
class Outcome:
    """What one run computed and wrote.

    ``result``: the plan (plan, simulate, rules-gap: the optimum), the sweep run or the comparison;
    ``gap``: the rules-vs-optimum comparison of rules-gap.
    """

    result: object
    exit_code: int
    plan_path: Path | None = None
    json_path: str | None = None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    lang: str = "en"  # the language of the run's workbooks and texts
    gap: object = None
    input: PlanInput | None = None
    overrides: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # further files written: "iamc", "lp"

    @property
    def path(self) -> Path | None:
        return self.plan_path

    @property
    def run(self):  # a sweep's run
        return self.result


# ---------------------------------------------------------------- stages 1–2 and the output checks

def load(workbook: str | os.PathLike | None, scenario: str | None = None,
         overrides: list[tuple[str, str]] = (), max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB
         ) -> tuple[Workbook, PlanInput, list[str]]:
    """Stages 1–2: the workbook read and validated, with the scenario and overrides applied."""
    path = workbook_path(workbook)
    wb = read_workbook(path, max_unzipped_mb)
    try:
        inp, applied = resolve(wb.input, scenario, list(overrides))
    except InputError as exc:
        raise exc.with_file(str(path)) from None
    adopt(inp.settings.language)  # --set settings:language=nl works too
    fixed = fixed_problems(inp)  # decisions already taken that no plan can keep (sheet committed)
    if fixed:
        raise InputError(fixed).with_file(str(path))
    return wb, inp, [o.spec() for o in applied]


def default_plan_path(scenario_name: str, outputs_dir: str | os.PathLike = "outputs", kind: str = "plan") -> Path:
    """outputs/<kind>-<scenario>-<timestamp>.xlsx (kind: plan, sweep, rules, rules-gap).

    ``scenario_name`` may carry the overrides' short name (:func:`output_label`)."""
    stamp_ = datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in scenario_name).strip(".") or kind
    return Path(outputs_dir) / f"{kind}-{safe}-{stamp_}.xlsx"


def output_label(scenario_name: str, overrides) -> str:
    """The scenario and a short name of the command-line overrides: 'default-co2-130' (default file names)."""
    tag = override_tag(list(overrides))
    return f"{scenario_name}-{tag}" if tag else scenario_name


def check_output_path(out: Path, inputs: list[Path], force: bool, what: str = "-o") -> None:
    """Refuse to overwrite an input, or an existing file without --force."""
    for src in inputs:
        try:
            same = out.exists() and src.exists() and os.path.samefile(out, src)
        except OSError:
            same = False
        if same or out.resolve() == src.resolve():
            raise InputError(Problem(_("{option} {path}: that is the input workbook; choose another output file",
                                       option=what, path=out)))
    if out.is_dir():  # before the --force hint: --force cannot replace a folder
        raise InputError(Problem(_("{option} {path}: is a folder, expected a file name", option=what, path=out)))
    if out.exists() and not force:
        raise InputError(Problem(_("{option} {path}: file exists; pass --force to replace it", option=what, path=out)))
    # the folder must exist or be creatable and be writable: found now, not after the solve
    folder = out.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(Problem(_("{option} {path}: {folder} is a file, not a folder", option=what, path=out,
                                   folder=folder)))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(Problem(_("{option} {path}: cannot write in folder {folder} (permission denied)", option=what,
                                   path=out, folder=folder)))


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


def check_extra_outputs(wb: Workbook, inp: PlanInput, taken: list, force: bool, *, save_lp=None,
                        iamc_path=None) -> None:
    """The checks of ``--save-lp`` and ``--iamc`` before anything is solved: file type, no clash with
    the input or another output, no replacing without ``force``; the IAMC file needs every unit."""
    src = Path(wb.path)
    others = [Path(p) for p in taken if p and p != "-"]
    for path, what, suffixes in ((save_lp, "--save-lp", LP_SUFFIXES), (iamc_path, "--iamc", IAMC_SUFFIXES)):
        if not path:
            continue
        if Path(path).suffix.lower() not in suffixes:
            raise InputError(Problem(_("{option} {path}: expected a {types} file", option=what, path=path,
                                       types=_(" or ").join(suffixes))))
        if any(Path(path).resolve() == other.resolve() for other in others):
            raise InputError(Problem(_("{option} {path}: another output of this run goes there; choose another file",
                                       option=what, path=path)))
        check_output_path(Path(path), [src], force, what)
        others.append(Path(path))
    if iamc_path:
        from .report.iamc import check_units

        problems = check_units(inp)
        if problems:
            raise InputError(problems).with_file(str(src))


def stamp(result: PlanResult, wb: Workbook, applied: list[str]) -> None:
    """Record where a result's input came from (shown on the About sheet)."""
    result.overrides = applied
    result.source_file = Path(wb.path).name
    result.source_sha256 = wb.sha256
    result.notes = list(wb.notes)


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
    raise InputError(Problem(_("cannot find a free file name in {folder}", folder=outputs_dir)))


def solve_input(inp: PlanInput, *, time_limit_s: float | None = None, alternatives: int = 0,
                slack: float = 0.05, save_lp: str | os.PathLike | None = None, force: bool = False) -> PlanResult:
    """Stages 3–5: the optimal plan of ``inp`` (with ``alternatives`` near-optimal plans when asked).

    ``save_lp``: write the model handed to HiGHS there first (``.mps`` or ``.lp``, by HiGHS itself).

    Raises :class:`TargetInfeasible` (strict mode, with the conflicting limits)
    or :class:`SolverFailure` on any other non-optimal solve.
    """
    def save(solver) -> None:
        write_model_file(solver.write_model, save_lp, force=force)

    found = optimise(inp, time_limit_s=time_limit_s, before_solve=save if save_lp else None)
    if alternatives:
        found.result.alternatives = generate_alternatives(found, alternatives, slack)
    return found.result


# ---------------------------------------------------------------- the modes

def _plan(*, workbook=None, scenario=None, overrides=(), output=None, json_path=None, force=False,
          outputs_dir="outputs", write_workbook=True, max_unzipped_mb=DEFAULT_MAX_UNZIPPED_MB,
          alternatives: int = 0, slack: float = 0.05, save_lp=None, iamc_path=None) -> Outcome:
    """Plan one workbook end to end and write the plan (and JSON, IAMC file, the model for HiGHS)."""
    from .report.plan import write_plan

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    wb, inp, applied, out = prepare(workbook, scenario, overrides, output, json_path, force, max_unzipped_mb)
    check_extra_outputs(wb, inp, [out, json_path], force, save_lp=save_lp, iamc_path=iamc_path)
    timings["read"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    try:
        result = solve_input(inp, alternatives=alternatives, slack=slack, save_lp=save_lp, force=force)
    except TargetInfeasible as exc:
        if json_path:
            write_json(infeasible_json(exc.iis), json_path, force=force)
        raise
    timings["solve"] = time.perf_counter() - t1
    stamp(result, wb, applied)
    t2 = time.perf_counter()
    path = write_outputs(lambda p, force: write_plan(result, p, force=force), out, force,
                         output_label(inp.settings.scenario_name, overrides), outputs_dir, "plan", write_workbook,
                         json_path, lambda: plan_json(result))
    files = {"lp": Path(save_lp)} if save_lp else {}
    if iamc_path:
        from .report.iamc import plan_series, write_iamc

        files["iamc"] = write_iamc(plan_series(result), iamc_path, force=force)
    timings["write"] = time.perf_counter() - t2
    code = EXIT_OK if result.target_met else EXIT_NOT_MET
    return Outcome(result, code, path, json_path, list(wb.notes), timings, input=inp, overrides=applied,
                   files=files)


def _sweep(*, vary, workbook=None, scenario=None, overrides=(), output=None, json_path=None, force=False,
           outputs_dir="outputs", write_workbook=True, max_unzipped_mb=None, on_start=None, on_point=None,
           keep_results: bool = False, iamc_path=None) -> Outcome:
    """Sweep one workbook end to end: load, check the output paths, solve every point, write.

    The output rules are those of ``policymix plan``: without ``output`` a new
    outputs/sweep-<scenario>-<timestamp>.xlsx (never replacing a file); an
    explicit ``output`` is replaced only with ``force`` and may never be the input.
    ``on_start(total)`` is called once the points are known.
    """
    from .report.sweep import write_sweep

    varies = parse_varies(list(vary))
    wb, base, applied, out = prepare(workbook, scenario, overrides, output, json_path, force,
                                     DEFAULT_MAX_UNZIPPED_MB if max_unzipped_mb is None else max_unzipped_mb)
    check_extra_outputs(wb, base, [out, json_path], force, iamc_path=iamc_path)
    src = Path(wb.path)
    series, run_scenario = [], base.settings.scenario_name

    def on_result(point, result):
        if json_path:
            point.json = point_json(point, result)
        if iamc_path:
            from .report.iamc import plan_series, point_scenario

            series.extend(plan_series(result, point_scenario(run_scenario, point.values)))

    try:
        if on_start is not None:
            on_start(math.prod(len(v.values) for v in varies))
        run_ = sweep(base, varies, on_point=on_point, on_result=on_result if json_path or iamc_path else None,
                     keep_results=keep_results)
    except InputError as exc:
        raise exc.with_file(str(src)) from None
    run_.base_overrides = applied
    run_.source_file = src.name
    run_.source_sha256 = wb.sha256
    run_.notes = list(wb.notes)
    path = write_outputs(lambda p, force: write_sweep(run_, p, force=force), out, force,
                         output_label(run_.scenario_name, overrides), outputs_dir, "sweep", write_workbook,
                         json_path, lambda: sweep_json(run_))
    files = {}
    if iamc_path:
        from .report.iamc import write_iamc

        files["iamc"] = write_iamc(series, iamc_path, force=force)
    return Outcome(run_, EXIT_SOLVER if run_.failed else EXIT_OK, path, json_path, list(wb.notes),
                   input=base, overrides=applied, files=files)


def _simulate(*, workbook=None, scenario=None, overrides=(), output=None, json_path=None, force=False,
              outputs_dir="outputs", write_workbook=True, max_unzipped_mb=DEFAULT_MAX_UNZIPPED_MB) -> Outcome:
    """``policymix simulate``: allocate by the rules and write the plan in the optimal plan's shape."""
    from .report.rules import write_simulation

    t0 = time.perf_counter()
    wb, inp, applied, out = prepare(workbook, scenario, overrides, output, json_path, force, max_unzipped_mb)
    result = simulate(inp)
    stamp(result, wb, applied)
    t1 = time.perf_counter()
    path = write_outputs(lambda p, force: write_simulation(result, p, force=force), out, force,
                         output_label(inp.settings.scenario_name, overrides), outputs_dir, "rules", write_workbook,
                         json_path, lambda: simulation_json(result))
    code = EXIT_OK if result.target_met else EXIT_NOT_MET
    return Outcome(result, code, path, json_path, list(wb.notes),
                   {"simulate": t1 - t0, "write": time.perf_counter() - t1}, input=inp, overrides=applied)


def _rules_gap(*, workbook=None, scenario=None, overrides=(), output=None, json_path=None, force=False,
               outputs_dir="outputs", write_workbook=True, max_unzipped_mb=DEFAULT_MAX_UNZIPPED_MB,
               alternatives: int = 0, slack: float = 0.05) -> Outcome:
    """``policymix rules-gap`` / ``plan --versus-rules``: the optimal plan with the rules beside it.

    The exit code is the plan's (0 target met, 3 not met): the comparison is added to the plan.
    """
    from .report.rules import write_rules_gap

    t0 = time.perf_counter()
    wb, inp, applied, out = prepare(workbook, scenario, overrides, output, json_path, force, max_unzipped_mb)
    optimum = solve_input(inp, alternatives=alternatives, slack=slack)
    gap = compare_rules(inp, optimum=optimum)
    for result in (gap.rules, gap.optimum):
        stamp(result, wb, applied)
    t1 = time.perf_counter()
    path = write_outputs(lambda p, force: write_rules_gap(gap, p, force=force), out, force,
                         output_label(inp.settings.scenario_name, overrides), outputs_dir, "rules-gap", write_workbook,
                         json_path, lambda: dict(plan_json(optimum), rules_vs_optimum=rules_gap_json(gap)))
    code = EXIT_OK if optimum.target_met else EXIT_NOT_MET
    return Outcome(optimum, code, path, json_path, list(wb.notes),
                   {"solve": t1 - t0, "write": time.perf_counter() - t1}, gap=gap, input=inp, overrides=applied)


def _compare(*, a, b, output=None, force=False, max_unzipped_mb=DEFAULT_MAX_UNZIPPED_MB) -> Outcome:
    """``policymix compare``: what changed between two plan workbooks (from their stored results)."""
    from .report.comparison import write_comparison

    out = Path(output) if output else None
    if out is not None:
        check_output_path(out, [Path(a), Path(b)], force)
    plans, problems = [], []
    for path in (a, b):
        try:
            plans.append(read_plan_results(path, max_unzipped_mb))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    comparison = compare_plans(*plans)
    path = write_comparison(comparison, out, force=force) if out is not None else None
    return Outcome(comparison, EXIT_OK, path)


#: The settings the template's settings sheet shows as its two example rows.
TEMPLATE_EXAMPLE_SETTINGS = ("start_year", "target_reduction_mt")


def _template(*, output, force: bool = False) -> Outcome:
    """``policymix template OUT.xlsx``: the blank input workbook, its examples from the advice's workbook
    (ser-2023: a plan from scratch over 2024–2030, the years the template's notes name)."""
    from .input.tables import to_tables
    from .report.template import write_template

    out = Path(output)
    check_output_path(out, [default_workbook("ser-2023")], force)
    inp = load("ser-2023")[1]
    tables = to_tables(inp)
    tables["settings"] = [r for r in tables["settings"] if r["key"] in TEMPLATE_EXAMPLE_SETTINGS]
    path = write_template(out, tables, inp.years, force=force)
    return Outcome(None, EXIT_OK, path)


def _check(*, workbook, scenario=None, overrides=(), max_unzipped_mb=DEFAULT_MAX_UNZIPPED_MB) -> Outcome:
    """``policymix check``: read and validate only (every problem raised at once)."""
    wb, inp, applied = load(workbook, scenario, overrides, max_unzipped_mb)
    return Outcome(None, EXIT_OK, notes=list(wb.notes), input=inp, overrides=applied)


def _futures(*, workbook=None, samples: int = 200, seed: int = 1, plan=None, decide_by: int | None = None,
             jobs: int = 1, scheduler: str | None = None, scenario=None, overrides=(), output=None, json_path=None,
             force=False, outputs_dir="outputs", write_workbook=True, max_unzipped_mb=DEFAULT_MAX_UNZIPPED_MB,
             on_start=None, on_progress=None, on_stage=None, chunk_size: int | None = None) -> Outcome:
    """``policymix futures``: wait and see (default), stress test of ``plan``, or decide by ``decide_by``.

    The futures are drawn from the workbook's uncertainty sheet (with a plan and no workbook, the plan's
    effective inputs, which hold it). Exit 0 when every future solved (a future that misses a target is a
    result), 4 when some future failed, 2 for bad input (nothing written).
    """
    from .analysis import futures as fut
    from .analysis.decide import check_fits, decide
    from .report.futures import write_futures

    if plan is not None and decide_by is not None:
        raise InputError(_("--plan and --decide-by ask different questions: give one of them"))
    if scheduler and jobs not in (None, 1):
        raise InputError(_("--jobs and --scheduler: give one of them (the cluster has its own workers)"))
    if not isinstance(jobs, int) or jobs < 1:
        raise InputError(_("--jobs {jobs}: expected a whole number ≥ 1", jobs=jobs))
    fut.check_samples(samples, seed)
    plan_path = Path(plan) if plan is not None else None
    source = workbook if workbook is not None else plan_path
    wb, base, applied, out = prepare(source, scenario, overrides, output, json_path, force, max_unzipped_mb)
    if plan_path is not None and out is not None:
        check_output_path(out, [plan_path], force)
    src = Path(wb.path)
    notes = list(wb.notes)
    commitments, split, past, plan_file = None, None, None, ""
    if plan_path is not None:
        plan_wb = wb if workbook is None else read_workbook(plan_path, max_unzipped_mb)
        try:  # the stored commitments, checked against the plan's own input sheets
            document = read_plan_results(plan_path, max_unzipped_mb, plan_input=plan_wb.input)
        except NotAPlan:
            document = None  # an input workbook: its plan is made first
        commitments, split, how = fut.plan_commitments(plan_wb.input, document)
        past = tuple(plan_wb.input.past_decisions)  # the plan's own decisions of the past stay as they are
        unknown = sorted({m for m, _year in commitments if m not in base.measures}
                         | {c.measure_id for c in past if c.measure_id not in base.measures})
        if unknown:
            raise InputError(Problem(_("--plan {path}: commits measures the workbook does not have: {ids}",
                                       path=plan_path, ids=", ".join(unknown[:5])), str(src), "measures"))
        notes.append(_("stress test of {plan}: {how}", plan=plan_path.name, how=how))
        plan_file = plan_path.name
    try:
        if decide_by is not None:
            check_fits(base, samples, seed, int(decide_by), f"--decide-by {decide_by}")  # before drawing N futures
            futures = fut.draw(base, samples, seed)
            if on_stage is not None:
                on_stage(_("{n} futures drawn", n=num(len(futures), ",d")))
            started = time.perf_counter()
            decision = decide(base, futures, int(decide_by), on_stage=on_stage)
            run_ = fut.FuturesRun(mode="decide_by", samples=samples, seed=seed, base=base, futures=futures,
                                  results=decision.results, dims=fut.dimensions(base.uncertainty),
                                  workers=_("this process (one stochastic program)"), decision=decision,
                                  solver_name=fut.solver_version())
            fut.summarise(run_)
            run_.notes += decision.notes
            run_.seconds = time.perf_counter() - started
        else:
            run_ = fut.run(base, mode="stress_test" if commitments is not None else "wait_and_see", samples=samples,
                           seed=seed, jobs=jobs, scheduler=scheduler, commitments=commitments, split=split,
                           past=past, on_start=on_start, on_progress=on_progress, chunk_size=chunk_size)
    except InputError as exc:
        raise exc.with_file(str(src)) from None
    run_.plan_file = plan_file
    run_.source_file, run_.source_sha256, run_.overrides = src.name, wb.sha256, applied
    run_.notes = notes + run_.notes
    path = write_outputs(lambda p, force: write_futures(run_, p, force=force), out, force, run_.scenario_name,
                         outputs_dir, "futures", write_workbook, json_path, lambda: futures_json(run_))
    return Outcome(run_, EXIT_SOLVER if run_.failed else EXIT_OK, path, json_path, notes, input=base,
                   overrides=applied)


#: Every command the planner runs, by name.
MODES = {"plan": _plan, "sweep": _sweep, "simulate": _simulate, "rules-gap": _rules_gap, "compare": _compare,
         "check": _check, "futures": _futures, "template": _template}


def run(mode: str, *, lang: str | None = None, **options) -> Outcome:
    """Run one command end to end (see :data:`MODES`); raises :class:`InputError`, :class:`SolverFailure`
    or :class:`TargetInfeasible` as the CLI reports them.

    ``lang``: the language of the workbooks and texts ("en" or "nl"); None: the workbook's ``language``
    setting, else English. The run's language is ``Outcome.lang``, or ``lang`` of the exception raised.
    """
    if lang is not None and known(lang) is None:
        raise InputError(_("language {lang!r}: expected one of {languages}", lang=lang, languages=", ".join(LANGUAGES)))
    with language(lang, explicit=lang is not None):
        try:
            runner = MODES[mode]
        except KeyError:
            raise InputError(_("unknown command '{mode}', expected one of {modes}", mode=mode,
                               modes=", ".join(MODES))) from None
        try:
            outcome = runner(**options)
        except BaseException as exc:
            exc.lang = current()
            raise
        outcome.lang = current()
        return outcome


def run_plan(workbook=None, **options) -> Outcome:
    """``run("plan", workbook=…, …)``."""
    return run("plan", workbook=workbook, **options)

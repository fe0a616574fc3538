"""The pipeline: read → apply scenario → build → solve → extract → write, one function per command.

``run(command, **options)`` runs one command end to end and returns an :class:`Outcome` (what was computed,
the exit code, the files written). Every caller comes through it — the command line, the Python API, a script
— so every run is checked once, the same way, in this order:

1. the options: :func:`optimiser.commands.resolve` (each value's kind and range, options that exclude each
   other, the overrides gathered) — the command record says what each command takes;
2. the files: every output path against every input of the run and against the run's other outputs, its file
   type, no replacing without ``force``, a folder it can be written in (:func:`check_files`) — before anything
   is read or solved;
3. the command's own function (registered with ``@runs("name")``): read and validate the workbook, solve,
   write. A result whose file cannot be written after the solve (locked, its folder gone, the disk full) is kept
   under another name beside it or in outputs/, and the run ends with exit code 1 saying where
   (:class:`Writer`).

A new command is one declaration in :data:`optimiser.commands.COMMANDS` and one function here::

    @runs("name")
    def _name(o: Options) -> Outcome:
        wb, inp, applied = read(o)                 # stages 1–2
        result = …                                 # stages 3–5
        w = Writer(o, output_label(inp.settings.scenario_name, o.overrides))
        w.workbook(lambda path, force: write_…(result, path, force=force))
        w.json(lambda: …_json(result))
        return w.outcome(result, EXIT_OK, wb=wb, input=inp, overrides=applied)
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from .analysis.alternatives import generate as generate_alternatives
from .analysis.compare import compare_plans
from .analysis.rules_gap import compare as compare_rules
from .analysis.simulate import simulate
from .analysis.sweep import parse_varies, sweep
from .commands import (CLI, EXIT_INPUT, EXIT_INTERNAL, EXIT_NOT_MET, EXIT_OK, EXIT_SOLVER, PYTHON, FileOf, Options,
                       files, find, resolve)
from .input.data import InputError, PlanInput, Problem
from .input.planfile import NotAPlan, read_plan_results
from .input.read import DEFAULT_MAX_UNZIPPED_MB, Workbook, read_workbook
from .input.scenario import override_tag, resolve as resolve_scenario
from .lang import LANGUAGES, N_, _, adopt, current, language, num
from .model.cash import problems as fixed_problems
from .model.optimum import SolverFailure, TargetInfeasible, optimise
from .model.results import PlanResult
from .report.files import write_json, write_model_file
from .report.jsondoc import (futures_json, infeasible_json, plan_document, plan_json, point_json, rules_gap_json,
                             simulation_json, sweep_json)

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "EXIT_NOT_MET", "EXIT_OK", "EXIT_SOLVER", "RUNNERS", "Outcome",
           "SHIPPED_WORKBOOKS", "SolverFailure", "TargetInfeasible", "default_workbook", "load", "run", "run_plan",
           "runs", "solve_input", "workbook_path"]


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
class Unwritten:
    """A file asked for that could not be written after the result was made, and where the result went."""

    path: Path
    option: str  # the option that named it: -o, --json, --iamc
    reason: str
    kept: Path | None  # the result under another name (None: nowhere could it be written)


@dataclass
class Outcome:
    """What one run computed and wrote.

    ``result``: the plan (plan, simulate, rules-gap: the optimum), the sweep run, the comparison or the futures
    run; ``gap``: the rules-vs-optimum comparison of rules-gap. ``files``: what was written, by what it is
    ("workbook", "json", "iamc", "lp"); ``unwritten``: files that could not be written and where each result
    was kept instead (then the exit code is 1). ``command``: the command that ran (``plan --versus-rules`` runs
    rules-gap); ``options``: its checked options; ``inputs``: the files it read (never an output).
    """

    result: object
    exit_code: int
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    lang: str = "en"  # the language of the run's workbooks and texts
    gap: object = None
    input: PlanInput | None = None
    overrides: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    unwritten: list[Unwritten] = field(default_factory=list)
    command: str = ""
    options: Options | None = None
    inputs: list[FileOf] = field(default_factory=list)

    @property
    def plan_path(self) -> Path | None:
        """The command's workbook as written (None when none was)."""
        return self.files.get("workbook")

    path = plan_path

    @property
    def json_path(self) -> str | None:
        return None if self.options is None else self.options.get("json_path")

    @property
    def run(self):  # a sweep's or a futures run
        return self.result


# ---------------------------------------------------------------- the files of a run, checked before anything runs

def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists() and os.path.samefile(a, b):
            return True
        return a.resolve() == b.resolve()
    except OSError:
        return False


def output_problem(out: Path, label: str, inputs_: Iterable[FileOf], force: bool, *, suffixes: tuple = (),
                   others: Iterable[FileOf] = (), spelling: str = CLI) -> Problem | None:
    """What is wrong with writing an output to ``out``, or None: it is an input of the run (under any name), its
    file type is not one of ``suffixes``, another output of the run goes there, it is a folder, it exists and
    ``force`` is not given, or its folder cannot be made or written in."""
    for src in inputs_:
        if _same_file(out, src.path):
            return Problem(_("{target}: that is {input}; choose another output file", target=label, input=_(src.what)))
    if suffixes and out.suffix.lower() not in suffixes:
        return Problem(_("{target}: expected a {types} file", target=label, types=_(" or ").join(suffixes)))
    for other in others:
        if _same_file(out, other.path):
            return Problem(_("{target}: another output of this run goes there; choose another file", target=label))
    if out.is_dir():  # before the --force hint: --force cannot replace a folder
        return Problem(_("{target}: is a folder, expected a file name", target=label))
    if out.exists() and not force:
        return Problem(_("{target}: file exists; pass --force to replace it", target=label) if spelling == CLI else
                       _("{target}: file exists; pass force=True to replace it", target=label))
    return folder_problem(out.absolute().parent, label)


def folder_problem(folder: Path, label: str) -> Problem | None:
    """A folder an output goes in must exist or be creatable, and be writable: found now, not after the solve."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return Problem(_("{target}: {folder} is a file, not a folder", target=label, folder=folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        return Problem(_("{target}: cannot write in folder {folder} (permission denied)", target=label, folder=folder))
    return None


def protected(read: Iterable[FileOf] = ()) -> list[FileOf]:
    """The files no output may replace: those the run reads, and the workbooks shipped with policymix."""
    shipped = [FileOf(default_workbook(name), "", N_("the shipped default workbook") if name == "default" else
                      N_("a workbook shipped with policymix")) for name in SHIPPED_WORKBOOKS]
    return [*read, *shipped]


def check_output(path, *, inputs_: Iterable[FileOf] = (), force: bool = False, suffixes: tuple = (),
                 label: str | None = None, spelling: str = PYTHON) -> Path:
    """One output of the API (``Plan.to_excel(path)``, …): refused (InputError) like any output of a run."""
    out = Path(path)
    problem = output_problem(out, str(path) if label is None else label, protected(inputs_), force,
                             suffixes=suffixes, spelling=spelling)
    if problem is not None:
        raise InputError(problem)
    return out


def check_files(o: Options) -> list[FileOf]:
    """Every output of the run against every input, the shipped default workbook and each other; the folder of
    the default names when a default name will be used. Returns the run's inputs."""
    read = [replace(f, path=workbook_path(f.path)) for f in files(o, "input")]  # 'ser-2023' names a shipped one
    guarded = protected(read)
    problems, taken = [], []
    for out in files(o, "output"):
        problem = output_problem(out.path, out.label, guarded, bool(o.get("force")), suffixes=out.suffixes,
                                 others=taken, spelling=o.spelling)
        if problem is not None:
            problems.append(problem)
        taken.append(out)
    if _default_name(o):
        problem = folder_problem(Path(o.outputs_dir).absolute(), str(o.outputs_dir))
        if problem is not None:
            problems.append(problem)
    if problems:
        raise InputError(problems)
    return read


def _writes_workbook(o: Options) -> bool:
    """A command writes its workbook unless told not to, or asked for the JSON on stdout alone."""
    return bool(o.get("write_workbook", True)) and not (o.get("json_path") == "-" and o.get("output") is None)


def _default_name(o: Options) -> bool:
    return o.command.kind != "" and o.get("output") is None and _writes_workbook(o)


# ---------------------------------------------------------------- stages 1–2

def load(workbook: str | os.PathLike | None, scenario: str | None = None,
         overrides: list[tuple[str, str]] = (), max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB
         ) -> tuple[Workbook, PlanInput, list[str]]:
    """Stages 1–2: the workbook read and validated, with the scenario and overrides applied."""
    path = workbook_path(workbook)
    wb = read_workbook(path, max_unzipped_mb)
    try:
        inp, applied = resolve_scenario(wb.input, scenario, list(overrides))
    except InputError as exc:
        raise exc.with_file(str(path)) from None
    adopt(inp.settings.language)  # --set settings:language=nl works too
    fixed = fixed_problems(inp)  # decisions already taken that no plan can keep (sheet committed)
    if fixed:
        raise InputError(fixed).with_file(str(path))
    return wb, inp, [o.spec() for o in applied]


def read(o: Options, source=None) -> tuple[Workbook, PlanInput, list[str]]:
    """:func:`load` with a run's options (``source``: another workbook than ``o.workbook``)."""
    return load(source if source is not None else o.workbook, o.scenario, o.overrides, o.max_unzipped_mb)


def check_iamc(o: Options, wb: Workbook, inp: PlanInput) -> None:
    """The IAMC file needs every resource's unit: refused before the solve."""
    if o.get("iamc_path"):
        from .report.iamc import check_units

        problems = check_units(inp)
        if problems:
            raise InputError(problems).with_file(str(wb.path))


def stamp(result, wb: Workbook, applied: list[str]) -> None:
    """Record where a result's input came from (shown on the About sheet)."""
    result.overrides = applied
    result.source_file = Path(wb.path).name
    result.source_sha256 = wb.sha256
    result.notes = list(wb.notes)


def every(read_one: Callable, items: Iterable) -> list:
    """``read_one`` of every item, or one InputError with the problems of all that failed."""
    found, problems = [], []
    for item in items:
        try:
            found.append(read_one(item))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return found


# ---------------------------------------------------------------- writing what was asked for, never losing it

def default_plan_path(scenario_name: str, outputs_dir: str | os.PathLike = "outputs", kind: str = "plan") -> Path:
    """outputs/<kind>-<scenario>-<timestamp>.xlsx (kind: plan, sweep, rules, rules-gap, futures).

    ``scenario_name`` may carry the overrides' short name (:func:`output_label`)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in scenario_name).strip(".") or kind
    return Path(outputs_dir) / f"{kind}-{safe}-{_now()}.xlsx"


def _now() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def output_label(scenario_name: str, overrides) -> str:
    """The scenario and a short name of the command-line overrides: 'default-co2-130' (default file names)."""
    tag = override_tag(list(overrides))
    return f"{scenario_name}-{tag}" if tag else scenario_name


def fresh(write, base: Path) -> Path:
    """Call ``write(path, force=False)`` on ``base``, then ``base-2``, ``base-3``, … until a name is free
    (``write`` raises FileExistsError for a taken one): never replaces another run's file."""
    for n in range(1, 1000):
        path = base if n == 1 else base.with_name(f"{base.stem}-{n}{base.suffix}")
        try:
            return write(path, force=False)
        except FileExistsError:
            if not os.path.lexists(path):  # not this name taken, but something else in the way
                raise
            continue
    raise InputError(Problem(_("cannot find a free file name in {folder}", folder=base.parent)))


def write_new(write, scenario_name: str, outputs_dir, kind: str = "plan") -> Path:
    """Write to outputs/<kind>-<scenario>-<timestamp>[-n].xlsx, never replacing a file (:func:`fresh`)."""
    return fresh(write, default_plan_path(scenario_name, outputs_dir, kind))


def keep(write, path: Path, outputs_dir) -> Path | None:
    """Write a result whose file could not be written under a fresh name: beside it, else in ``outputs_dir``
    (``plan-20300101-120000.xlsx``); None when neither can be written."""
    name = f"{path.stem}-{_now()}{path.suffix}"
    for folder in (path.parent, Path(outputs_dir)):
        try:
            return fresh(write, folder / name)
        except (OSError, InputError):
            continue
    return None


class Writer:
    """The files one run writes, as its options ask: its workbook (to ``-o``, or to a fresh default name in
    outputs/ for a command with a ``kind``), the JSON (a file or stdout), the IAMC file.

    A file that cannot be written after the result was made is kept under another name (:func:`keep`) and
    listed in ``unwritten``; the run then ends with exit code 1 (docs/model.md section 10) instead of throwing
    the result away.
    """

    def __init__(self, o: Options, label: str = "", kind: str | None = None):
        self.o = o
        self.label = label
        self.kind = o.command.kind if kind is None else kind
        self.files: dict[str, Path] = {}
        self.unwritten: list[Unwritten] = []

    def _write(self, key: str, option: str, write, path) -> None:
        target = Path(path)
        try:
            self.files[key] = write(target, bool(self.o.get("force")))
        except OSError as exc:  # locked, folder gone, disk full: keep the result, say where
            kept = keep(write, target, self.o.get("outputs_dir") or "outputs")
            reason = exc.strerror or str(exc)
            self.unwritten.append(Unwritten(Path(path), self.o.command.option(option).flags[0]
                                            if self.o.command.option(option).flags else "", reason, kept))

    def workbook(self, write: Callable[[Path, bool], Path]) -> None:
        """``write(path, force)`` writes the command's workbook and returns its path."""
        if not _writes_workbook(self.o):
            return
        if self.o.get("output") is not None:
            self._write("workbook", "output", lambda p, force: write(p, force=force), self.o.output)
        elif self.kind:
            self.files["workbook"] = write_new(lambda p, force: write(p, force=force), self.label,
                                               self.o.outputs_dir, self.kind)

    def json(self, make: Callable[[], object]) -> None:
        """``make()`` builds the JSON, only when it was asked for."""
        where = self.o.get("json_path")
        if not where:
            return
        document = make()
        if where == "-":
            write_json(document, "-")
            return

        def put(path: Path, force: bool) -> Path:
            write_json(document, str(path), force=force)
            return path

        self._write("json", "json_path", put, where)

    def iamc(self, series: Callable[[], list]) -> None:
        where = self.o.get("iamc_path")
        if where:
            from .report.iamc import write_iamc

            rows = series()
            self._write("iamc", "iamc_path", lambda p, force: write_iamc(rows, p, force=force), where)

    def outcome(self, result, code: int, *, wb: Workbook | None = None, **fields) -> Outcome:
        notes = fields.pop("notes", list(wb.notes) if wb is not None else [])
        return Outcome(result, EXIT_INTERNAL if self.unwritten else code, notes=notes, files=self.files,
                       unwritten=self.unwritten, **fields)


# ---------------------------------------------------------------- stages 3–5

def solve_input(inp: PlanInput, *, time_limit_s: float | None = None, alternatives: int = 0,
                slack: float = 0.05, save_lp: str | os.PathLike | None = None, force: bool = False,
                before_solve: Callable | None = None) -> PlanResult:
    """Stages 3–5: the optimal plan of ``inp`` (with ``alternatives`` near-optimal plans when asked).

    ``save_lp``: write the model handed to HiGHS there first (``.mps`` or ``.lp``, by HiGHS itself);
    ``before_solve(solver)``: called once the model is on HiGHS, before it solves.

    Raises :class:`TargetInfeasible` (strict mode, with the conflicting limits)
    or :class:`SolverFailure` on any other non-optimal solve.
    """
    def before(solver) -> None:
        if save_lp:
            write_model_file(solver.write_model, save_lp, force=force)
        if before_solve is not None:
            before_solve(solver)

    found = optimise(inp, time_limit_s=time_limit_s, before_solve=before if save_lp or before_solve else None)
    if alternatives:
        found.result.alternatives = generate_alternatives(found, alternatives, slack)
    return found.result


# ---------------------------------------------------------------- the commands

#: The function of every command, by name (filled by :func:`runs`).
RUNNERS: dict[str, Callable[[Options], Outcome]] = {}


def runs(name: str):
    """Register the pipeline function of command ``name`` (declared in optimiser.commands.COMMANDS)."""
    find(name)  # a function for a command the record does not declare is a mistake

    def register(function: Callable[[Options], Outcome]):
        RUNNERS[name] = function
        return function

    return register


@runs("plan")
def _plan(o: Options) -> Outcome:
    """Plan one workbook end to end and write the plan (and JSON, IAMC file, the model for HiGHS)."""
    if o.versus_rules:
        return _rules_gap(o)
    from .report.plan import start_plan_workbook, write_plan

    t0 = time.perf_counter()
    wb, inp, applied = read(o)
    check_iamc(o, wb, inp)
    timings = {"read": time.perf_counter() - t0}
    t1 = time.perf_counter()
    started = []  # the workbook's input sheets, written while HiGHS solves

    def begin(solver) -> None:
        if not started and _writes_workbook(o):
            started.append(start_plan_workbook(inp))

    try:
        result = solve_input(inp, alternatives=o.alternatives, slack=o.slack, save_lp=o.save_lp, force=o.force,
                             before_solve=begin)
    except TargetInfeasible as exc:
        _discard(started)
        if o.json_path:
            write_json(infeasible_json(exc.iis), o.json_path, force=o.force)
        raise
    except BaseException:
        _discard(started)
        raise
    timings["solve"] = time.perf_counter() - t1
    stamp(result, wb, applied)
    if o.futures and inp.uncertainty:
        t_stress = time.perf_counter()
        _stress_headline(result, inp, o.futures)
        timings["stress test"] = time.perf_counter() - t_stress
    t2 = time.perf_counter()
    w = Writer(o, output_label(inp.settings.scenario_name, o.overrides))
    try:
        w.workbook(lambda path, force: write_plan(result, path, force=force,
                                                  started=started[0] if started else None))
    finally:
        _discard(started)
    w.json(lambda: plan_json(result))
    if o.save_lp:
        w.files["lp"] = Path(o.save_lp)

    def series():
        from .report.iamc import plan_series

        return plan_series(result)

    w.iamc(series)
    timings["write"] = time.perf_counter() - t2
    return w.outcome(result, EXIT_OK if result.target_met else EXIT_NOT_MET, wb=wb, timings=timings, input=inp,
                     overrides=applied, notes=list(result.notes))


def _stress_headline(result: PlanResult, inp: PlanInput, samples: int) -> None:
    """The plan's own headline over drawn futures (docs/model.md section 17): its commitments in ``samples``
    futures of the uncertainty sheet (seed 1), in this process. A future whose draws make the input invalid is
    said in a note, never a failed plan."""
    from .analysis.futures import QUICK_SEED, quick_stress

    try:
        result.stress = quick_stress(inp, result, samples, QUICK_SEED)
    except InputError as exc:
        result.notes.append(_("no stress test in the headline: {problem}", problem=exc.problems[0].message))


def _discard(started: list) -> None:
    """Give up a workbook begun while solving (its temporary files removed)."""
    for s in started:
        if s is not None:
            s.discard()


class SweepFiles:
    """A sweep's JSON entries and IAMC series, one solved point at a time: as the sweep runs (the command line
    keeps no plans) or afterwards from the kept plans (the API's ``Sweep.to_json``, ``Sweep.to_iamc``)."""

    def __init__(self, scenario: str, *, json: bool = False, iamc: bool = False):
        self.scenario, self.json, self.iamc = scenario, json, iamc
        self.series: list = []

    def __call__(self, point, result) -> None:
        if self.json:
            point.json = point_json(point, result)
        if self.iamc:
            from .report.iamc import plan_series, point_scenario

            self.series.extend(plan_series(result, point_scenario(self.scenario, point.values)))

    @classmethod
    def of(cls, run_, *, json: bool = False, iamc: bool = False) -> SweepFiles:
        files = cls(run_.scenario_name, json=json, iamc=iamc)
        for point in run_.points:
            if point.result is not None:
                files(point, point.result)
        return files


@runs("sweep")
def _sweep(o: Options) -> Outcome:
    """Sweep one workbook end to end: load, solve every point on one live HiGHS instance, write.

    ``on_start(total)`` is called once the points are known, ``on_point(done, total, point)`` after each.
    """
    from .report.sweep import write_sweep

    varies = parse_varies(list(o.vary))
    wb, base, applied = read(o)
    check_iamc(o, wb, base)
    src = Path(wb.path)
    files = SweepFiles(base.settings.scenario_name, json=bool(o.json_path), iamc=bool(o.iamc_path))
    try:
        if o.on_start is not None:
            o.on_start(math.prod(len(v.values) for v in varies))
        run_ = sweep(base, varies, on_point=o.on_point, on_result=files if files.json or files.iamc else None,
                     keep_results=o.keep_plans)
    except InputError as exc:
        raise exc.with_file(str(src)) from None
    run_.base_overrides = applied
    run_.source_file = src.name
    run_.source_sha256 = wb.sha256
    run_.notes = list(wb.notes)
    w = Writer(o, output_label(run_.scenario_name, o.overrides))
    w.workbook(lambda path, force: write_sweep(run_, path, force=force))
    w.json(lambda: sweep_json(run_))
    w.iamc(lambda: files.series)
    return w.outcome(run_, EXIT_SOLVER if run_.failed else EXIT_OK, wb=wb, input=base, overrides=applied)


@runs("simulate")
def _simulate(o: Options) -> Outcome:
    """``policymix simulate``: allocate by the rules and write the plan in the optimal plan's shape."""
    from .report.rules import write_simulation

    t0 = time.perf_counter()
    wb, inp, applied = read(o)
    result = simulate(inp)
    stamp(result, wb, applied)
    t1 = time.perf_counter()
    w = Writer(o, output_label(inp.settings.scenario_name, o.overrides))
    w.workbook(lambda path, force: write_simulation(result, path, force=force))
    w.json(lambda: simulation_json(result))
    return w.outcome(result, EXIT_OK if result.target_met else EXIT_NOT_MET, wb=wb, input=inp, overrides=applied,
                     timings={"simulate": t1 - t0, "write": time.perf_counter() - t1})


def rules_gap_document(gap) -> dict:
    """The JSON of rules-gap (and ``plan --versus-rules``): the optimum's plan JSON with ``rules_vs_optimum``."""
    return dict(plan_json(gap.optimum), rules_vs_optimum=rules_gap_json(gap))


@runs("rules-gap")
def _rules_gap(o: Options) -> Outcome:
    """``policymix rules-gap`` / ``plan --versus-rules``: the optimal plan with the rules beside it.

    The exit code is the plan's (0 target met, 3 not met): the comparison is added to the plan.
    """
    from .report.rules import write_rules_gap

    t0 = time.perf_counter()
    wb, inp, applied = read(o)
    optimum = solve_input(inp, alternatives=o.alternatives, slack=o.slack)
    gap = compare_rules(inp, optimum=optimum)
    for result in (gap.rules, gap.optimum):
        stamp(result, wb, applied)
    t1 = time.perf_counter()
    w = Writer(o, output_label(inp.settings.scenario_name, o.overrides), kind="rules-gap")
    w.workbook(lambda path, force: write_rules_gap(gap, path, force=force))
    w.json(lambda: rules_gap_document(gap))
    outcome = w.outcome(optimum, EXIT_OK if optimum.target_met else EXIT_NOT_MET, wb=wb, gap=gap, input=inp,
                        overrides=applied, timings={"solve": t1 - t0, "write": time.perf_counter() - t1})
    outcome.command = "rules-gap"
    return outcome


def plan_of(side, max_unzipped_mb: float = DEFAULT_MAX_UNZIPPED_MB) -> dict:
    """A plan as a comparison reads it: from a plan workbook's stored results, or from a plan in hand."""
    if isinstance(side, PlanResult):
        return plan_document(side)
    return read_plan_results(side, max_unzipped_mb)


@runs("compare")
def _compare(o: Options) -> Outcome:
    """``policymix compare``: what changed between two plans (plan workbooks, or plans in hand from the API)."""
    from .report.comparison import write_comparison

    comparison = compare_plans(*every(lambda side: plan_of(side, o.max_unzipped_mb), (o.a, o.b)))
    w = Writer(o)
    w.workbook(lambda path, force: write_comparison(comparison, path, force=force))
    return w.outcome(comparison, EXIT_OK)


#: The settings the template's settings sheet shows as its two example rows.
TEMPLATE_EXAMPLE_SETTINGS = ("start_year", "target_reduction_mt")


@runs("template")
def _template(o: Options) -> Outcome:
    """``policymix template OUT.xlsx``: the blank input workbook, its examples from the advice's workbook
    (ser-2023: a plan from scratch over 2024–2030, the years the template's notes name)."""
    from .input.tables import to_tables
    from .report.template import write_template

    inp = load("ser-2023")[1]
    tables = to_tables(inp)
    tables["settings"] = [r for r in tables["settings"] if r["key"] in TEMPLATE_EXAMPLE_SETTINGS]
    w = Writer(o)
    w.workbook(lambda path, force: write_template(path, tables, inp.years, force=force))
    return w.outcome(None, EXIT_OK)


@runs("replan")
def _replan(o: Options) -> Outcome:
    """``policymix replan PLAN.xlsx --from YEAR``: the next round's input workbook (docs/model.md section 18)."""
    from .analysis.replan import from_result, from_workbook, replan
    from .report.inputs import write_input

    if isinstance(o.plan, PlanResult):
        plan = from_result(o.plan)
    elif isinstance(o.plan, (str, os.PathLike)):
        plan = from_workbook(workbook_path(o.plan), o.max_unzipped_mb)
    else:
        raise InputError(Problem(_("{option}: expected a plan workbook or a plan, found {type}",
                                   option=o.label("plan"), type=type(o.plan).__name__)))
    adopt(plan.input.settings.language)
    result = replan(plan, o.from_year, option=o.label("from_year"))
    w = Writer(o, result.input.settings.scenario_name)
    w.workbook(lambda path, force: write_input(result.input, path, force=force))
    return w.outcome(result, EXIT_OK, input=result.input, notes=[])


@runs("check")
def _check(o: Options) -> Outcome:
    """``policymix check``: read and validate only (every problem raised at once)."""
    wb, inp, applied = read(o)
    return Outcome(None, EXIT_OK, notes=list(wb.notes), input=inp, overrides=applied)


def local_jobs(samples: int) -> int:
    """Local worker processes when none are asked for: the cores, at most 8 and one per 20 futures."""
    return max(1, min(os.cpu_count() or 1, 8, math.ceil(samples / 20)))


#: The options of a Dask cluster: the field of optimiser.analysis.futures.Cluster each fills, and its option.
CLUSTER_FIELDS = {"scheduler": "scheduler", "ca_file": "tls_ca_file", "cert": "tls_cert", "key": "tls_key",
                  "timeout": "scheduler_timeout"}


def cluster_of(o: Options):
    """The Dask cluster of a futures run (``--scheduler`` and its certificates and timeout), checked; None without
    ``--scheduler``, whose options are then refused."""
    from .analysis import futures as fut

    if o.scheduler is None:
        alone = [name for name in CLUSTER_FIELDS.values() if name != "scheduler" and o.given(name)]
        if alone:
            raise InputError([Problem(_("{option}: only with {scheduler}", option=o.label(name),
                                        scheduler=o.command.option("scheduler").label(None, o.spelling)))
                              for name in alone])
        return None

    def label(field_: str, value: object = None) -> str:
        return o.command.option(CLUSTER_FIELDS[field_]).label(value, o.spelling)

    return fut.cluster(o.scheduler, ca_file=o.tls_ca_file, cert=o.tls_cert, key=o.tls_key,
                       timeout_s=o.scheduler_timeout, label=label)


@runs("futures")
def _futures(o: Options) -> Outcome:
    """``policymix futures``: wait and see (default), stress test of ``plan``, or decide by ``decide_by``.

    The futures are drawn from the workbook's uncertainty sheet (with a plan and no workbook, the plan's
    effective inputs, which hold it). Exit 0 when every future solved (a future that misses a target is a
    result), 4 when some future failed, 2 for bad input (nothing written).
    """
    from .analysis import futures as fut
    from .analysis.decide import check_fits, decide
    from .report.futures import write_futures

    fut.check_samples(o.samples, o.seed)
    where = cluster_of(o)  # the address and certificates checked before the workbook is read
    plan_path = Path(o.plan) if o.plan is not None else None
    wb, base, applied = read(o, source=o.workbook if o.workbook is not None else plan_path)
    src = Path(wb.path)
    notes = list(wb.notes)
    commitments, split, past, plan_file = None, None, None, ""
    if plan_path is not None:
        plan_wb = wb if o.workbook is None else read_workbook(plan_path, o.max_unzipped_mb)
        try:  # the stored commitments, checked against the plan's own input sheets
            document = read_plan_results(plan_path, o.max_unzipped_mb, plan_input=plan_wb.input)
        except NotAPlan:
            document = None  # an input workbook: its plan is made first
        commitments, split, how = fut.plan_commitments(plan_wb.input, document)
        past = tuple(plan_wb.input.past_decisions)  # the plan's own decisions of the past stay as they are
        unknown = sorted({m for m, _year in commitments if m not in base.measures}
                         | {c.measure_id for c in past if c.measure_id not in base.measures})
        if unknown:
            raise InputError(Problem(_("{option}: commits measures the workbook does not have: {ids}",
                                       option=o.label("plan"), ids=", ".join(unknown[:5])), str(src), "measures"))
        notes.append(_("stress test of {plan}: {how}", plan=plan_path.name, how=how))
        plan_file = plan_path.name
    if o.given("validate") and o.confidence is None:
        raise InputError(Problem(_("{option}: only with --confidence (each plan judged on fresh futures)",
                                   option=o.label("validate"))))
    if o.validate > fut.MAX_SAMPLES:
        raise InputError(Problem(_("{option}: more than the {most} futures one run may have",
                                   option=o.label("validate"), most=num(fut.MAX_SAMPLES, ",d"))))
    try:
        if o.confidence is not None:
            run_ = _confidence(o, base)
        elif o.decide_by is not None:
            # before drawing N futures: refused from one future's size × N
            check_fits(base, o.samples, o.seed, o.decide_by, f"--decide-by {o.decide_by}")
            futures = fut.draw(base, o.samples, o.seed)
            if o.on_stage is not None:
                o.on_stage(_("{n} futures drawn", n=num(len(futures), ",d")))
            started = time.perf_counter()
            decision = decide(base, futures, o.decide_by, on_stage=o.on_stage)
            run_ = fut.FuturesRun(mode="decide_by", samples=o.samples, seed=o.seed, base=base, futures=futures,
                                  results=decision.results, dims=fut.dimensions(base.uncertainty),
                                  workers=_("this process (one stochastic program)"), decision=decision,
                                  solver_name=fut.solver_version())
            fut.summarise(run_)
            run_.notes += decision.notes
            run_.seconds = time.perf_counter() - started
        else:
            jobs = o.jobs or (1 if where else local_jobs(o.samples))
            run_ = fut.run(base, mode="stress_test" if commitments is not None else "wait_and_see",
                           samples=o.samples, seed=o.seed, jobs=jobs, scheduler=where, commitments=commitments,
                           split=split, past=past, on_start=o.on_start, on_progress=o.on_progress,
                           chunk_size=o.chunk_size, on_stage=o.on_stage)
    except fut.NoCluster:
        raise  # about the options, not the workbook
    except InputError as exc:
        raise exc.with_file(str(src)) from None
    run_.plan_file = plan_file
    run_.source_file, run_.source_sha256, run_.overrides = src.name, wb.sha256, applied
    run_.notes = notes + run_.notes
    w = Writer(o, run_.scenario_name)
    w.workbook(lambda path, force: write_futures(run_, path, force=force))
    w.json(lambda: futures_json(run_))
    unattainable = run_.confidence is not None and not run_.confidence.all_attainable
    code = EXIT_SOLVER if run_.failed else EXIT_NOT_MET if unattainable else EXIT_OK
    return w.outcome(run_, code, notes=notes, input=base, overrides=applied)


def _confidence(o: Options, base: PlanInput):
    """``futures --confidence`` (with or without ``--decide-by``): the cheapest plan that is p sure of every
    target over the drawn futures, each level asked (docs/model.md section 17)."""
    from .analysis import futures as fut
    from .analysis.confidence import plan_to_confidence
    from .analysis.decide import check_fits

    until = base.settings.target_year if o.decide_by is None else o.decide_by
    shown = o.command.option("confidence").kind.show(o.confidence)  # 0.5, or 0.5,0.6,0.7: as it can be given
    option = o.label("confidence", shown) + (f" {o.label('decide_by')}" if o.decide_by is not None else "")
    # before drawing N futures: refused from one future's size × N
    check_fits(base, o.samples, o.seed, until, option, chance=True)
    futures = fut.draw(base, o.samples, o.seed)
    if o.on_stage is not None:
        o.on_stage(_("{n} futures drawn", n=num(len(futures), ",d")))
    jobs = o.jobs or (1 if o.scheduler else local_jobs(max(o.samples, o.validate)))
    answer = plan_to_confidence(base, futures, list(o.confidence), decide_by=o.decide_by, validate=o.validate,
                                seed=o.seed, jobs=jobs, scheduler=o.scheduler, on_stage=o.on_stage,
                                on_progress=o.on_progress)
    where = (_("Dask cluster {address}", address=o.scheduler) if o.scheduler else
             _("this process") if jobs <= 1 else _("{jobs} local processes", jobs=jobs))
    run_ = fut.FuturesRun(mode="confidence", samples=o.samples, seed=o.seed, base=base, futures=futures,
                          results=answer.answer.results, dims=fut.dimensions(base.uncertainty),
                          workers=_("The program ran in this process; each future on its own and the validation: "
                                    "{where}", where=where),
                          confidence=answer, solver_name=fut.solver_version())
    fut.summarise(run_)
    run_.notes += answer.notes
    run_.seconds = answer.seconds
    return run_


@runs("delays")
def _delays(o: Options) -> Outcome:
    """``policymix delays``: what each delay of a stock resource or a lumpy measure costs (docs/model.md section
    17), with the plan of ``plan`` fixed (else the plan of the workbook). Exit 0 when every re-plan solved, 4
    when some failed, 2 for bad input (nothing written)."""
    from .analysis import futures as fut
    from .analysis.delays import delays, items
    from .report.delays import write_delays
    from .report.jsondoc import delays_json

    plan_path = Path(o.plan) if o.plan is not None else None
    wb, base, applied = read(o, source=o.workbook if o.workbook is not None else plan_path)
    src = Path(wb.path)
    notes = list(wb.notes)
    commitments = split = None
    if plan_path is not None:
        plan_wb = wb if o.workbook is None else read_workbook(plan_path, o.max_unzipped_mb)
        try:
            document = read_plan_results(plan_path, o.max_unzipped_mb, plan_input=plan_wb.input)
        except NotAPlan:
            document = None
        commitments, split, how = fut.plan_commitments(plan_wb.input, document)
        unknown = sorted({m for m, _year in commitments if m not in base.measures})
        if unknown:
            raise InputError(Problem(_("{option}: commits measures the workbook does not have: {ids}",
                                       option=o.label("plan"), ids=", ".join(unknown[:5])), str(src), "measures"))
        notes.append(_("the plan fixed: {plan}, {how}", plan=plan_path.name, how=how))
    if o.on_start is not None:
        o.on_start(len(items(base)) * len(o.years))
    try:
        register = delays(base, commitments=commitments, split=split, years=list(o.years), on_progress=o.on_progress)
    except InputError as exc:
        raise exc.with_file(str(src)) from None
    register.base = base
    register.plan_file = plan_path.name if plan_path is not None else ""
    register.source_file, register.source_sha256, register.overrides = src.name, wb.sha256, applied
    notes += register.notes
    w = Writer(o, output_label(base.settings.scenario_name, o.overrides))
    w.workbook(lambda path, force: write_delays(register, path, force=force))
    w.json(lambda: delays_json(register))
    failed = any(d.extra_public_cost_meur is None for d in register.delays)
    return w.outcome(register, EXIT_SOLVER if failed else EXIT_OK, notes=notes, input=base, overrides=applied)


# ---------------------------------------------------------------- one entry for every caller

def run(command: str, *, spelling: str = PYTHON, **options) -> Outcome:
    """Run one command end to end; raises :class:`InputError`, :class:`SolverFailure` or
    :class:`TargetInfeasible` as the CLI reports them.

    ``options``: the command's options by their Python names (optimiser/commands.py; ``settings={…}`` for
    settings given as keywords). ``lang``: the language of the workbooks and texts ("en" or "nl"; None: the
    workbook's ``language`` setting, else English); the run's language is ``Outcome.lang``, or ``lang`` of the
    exception raised. ``spelling``: how messages name the options (``--alternatives`` or ``alternatives=``).
    """
    asked = options.get("lang")
    chosen = asked if asked in LANGUAGES else None
    with language(chosen, explicit=chosen is not None):
        try:
            o = resolve(command, options, spelling)
            read_files = check_files(o)
            outcome = RUNNERS[o.command.name](o)
        except BaseException as exc:
            exc.lang = current()
            raise
        outcome.lang = current()
        outcome.command = outcome.command or o.command.name
        outcome.options = o
        outcome.inputs = read_files
        return outcome


def run_plan(workbook=None, **options) -> Outcome:
    """``run("plan", workbook=…, …)``."""
    return run("plan", workbook=workbook, **options)

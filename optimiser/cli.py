"""The command line: a thin shell over the pipeline.

Exit codes (docs/model.md section 10): 0 plan found and every target met · 3 plan
written but a target is not met · 2 bad input or usage (nothing written) ·
4 solver failure or time limit without a plan · 1 internal error.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import traceback

from . import __version__
from .input.data import InputError
from .input.read import DEFAULT_MAX_UNZIPPED_MB
from .lang import LANGUAGES, N_, _, language, num, use
from .pipeline import (EXIT_INPUT, EXIT_INTERNAL, EXIT_NOT_MET, EXIT_OK, EXIT_SOLVER, SolverFailure,
                       TargetInfeasible, default_workbook, run)


class _Formatter(argparse.HelpFormatter):
    """argparse's help in the language of the run: its headings and 'usage:' from our catalogue."""

    HEADINGS = {"positional arguments": N_("positional arguments"), "options": N_("options")}

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix=_("usage: ") if prefix is None else prefix)

    def start_section(self, heading):
        super().start_section(_(self.HEADINGS[heading]) if heading in self.HEADINGS else heading)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=_("show this help and exit"))

    def error(self, message: str) -> None:  # usage errors: one line, exit 2
        command = " ".join(self.prog.split()[1:2])  # 'plan', 'check', … or '' for the top level
        self.exit(EXIT_INPUT, _("policymix: error: {message} (see {help})", message=message,
                                help=f"policymix {command + ' ' if command else ''}--help") + "\n")


def _megabytes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of MB: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a number of MB > 0, found {text!r}")
    return value


class _Terminated(KeyboardInterrupt):
    """SIGTERM (kill, a closing session): unwound like Ctrl-C."""


def _terminated(signum, frame):
    raise _Terminated


class _OverrideAction(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        items = getattr(namespace, "overrides", None) or []
        items.append((option_string.lstrip("-"), values))
        namespace.overrides = items


def _add_input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", metavar="NAME", help=_("apply the named override set from the scenarios sheet"))
    for op, meta, helptext in (
        ("set", "SHEET:ID:COLUMN=VALUE", N_("set a value (settings: --set settings:KEY=VALUE); wildcards allowed")),
        ("scale", "SHEET:ID:COLUMN=FACTOR", N_("multiply values, e.g. --scale budgets:SDE++:*=1.2")),
        ("add", "SHEET:ID:COLUMN=DELTA", N_("add to values, e.g. --add measures:tata_*:lead_time_years=2")),
        ("shift", "SHEET:ID:COLUMNS=YEARS", N_("move a year series YEARS whole years later (before the first year: "
                                               "its value), e.g. --shift resources:grid_zeeland:*=2")),
    ):
        p.add_argument(f"--{op}", metavar=meta, action=_OverrideAction, dest="overrides", help=_(helptext))
    p.add_argument("--objective", choices=("min-cost", "max-abatement"),
                   help=_("min-cost (default): least public cost meeting the targets; max-abatement: most "
                        "abatement within budgets and limits (same as --set settings:objective=…)"))
    p.add_argument("--max-unzipped-mb", type=_megabytes, default=DEFAULT_MAX_UNZIPPED_MB, metavar="MB",
                   help=_max_unzipped_help())
    _add_lang(p)
    p.add_argument("--debug", action="store_true", help=_("show a traceback on errors"))


def _max_unzipped_help() -> str:
    return _("refuse workbooks whose parts inflate beyond this (default {mb} MB)", mb=f"{DEFAULT_MAX_UNZIPPED_MB:g}")


def _add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help=_("language of the workbook and the terminal: en or nl (default: the workbook's language "
                        "setting, else en)"))


def _add_export_options(p: argparse.ArgumentParser, save_lp: bool = False) -> None:
    p.add_argument("--iamc", metavar="FILE.csv|xlsx",
                   help=_("also write the results in the IAMC template layout (pyam; variables in docs/iamc.md)"))
    if save_lp:
        p.add_argument("--save-lp", metavar="FILE.mps|lp",
                       help=_("also write the model exactly as handed to HiGHS (by HiGHS), to inspect or solve "
                              "elsewhere"))


def _written(outcome, quiet_stdout: bool) -> None:
    for key, what in (("lp", _("Model written to {path}")), ("iamc", _("IAMC results written to {path}"))):
        if key in outcome.files:
            _say(what.format(path=outcome.files[key]), quiet_stdout)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="policymix",
                     description=_("Least-public-cost policy mix for Dutch industrial decarbonisation."))
    parser.add_argument("--version", action="version", version=f"policymix {__version__}",
                        help=_("show the version and exit"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    plan = sub.add_parser("plan", help=_("solve a workbook and write the plan workbook"),
                          description=_("Solve WORKBOOK (default: the shipped Dutch default) and write a plan "
                                        "workbook."))
    plan.add_argument("workbook", nargs="?", help=_("input or plan workbook (.xlsx); default: the shipped default"))
    plan.add_argument("-o", "--output", metavar="OUT.xlsx",
                      help=_("plan workbook to write (default: outputs/plan-<scenario>[-<overrides>]-<timestamp>.xlsx; "
                           "none with --json - alone)"))
    plan.add_argument("--json", metavar="FILE", help=_("also write the result as JSON ('-' for stdout: then no "
                                                     "workbook unless -o is given)"))
    plan.add_argument("--force", action="store_true", help=_("replace an existing output file"))
    _add_export_options(plan, save_lp=True)
    plan.add_argument("--elastic", action="store_true",
                      help=_("report the least that must give for every target to be met: the least total relative "
                           "relaxation of budgets and resource limits, then the least cost with it "
                           "(same as --set settings:elastic=yes)"))
    plan.add_argument("--strict", action="store_true",
                      help=_("allow no shortfall: when the target cannot be met, list the conflicting limits "
                           "(an irreducible infeasible subset) and exit 3"))
    plan.add_argument("--alternatives", type=int, default=0, metavar="N",
                      help=_("also find N near-optimal plans that fund measures as different as possible"))
    plan.add_argument("--slack", default="5%", metavar="PCT",
                      help=_("cost slack of the alternatives over the optimum (default 5%%)"))
    plan.add_argument("--versus-rules", action="store_true",
                      help=_("also allocate by the instruments' own rules and set them beside the optimum "
                           "(same as policymix rules-gap)"))
    _add_input_options(plan)

    check = sub.add_parser("check", help=_("validate a workbook without solving"),
                           description=_("Validate WORKBOOK and list every problem found."))
    check.add_argument("workbook", help=_("input or plan workbook (.xlsx)"))
    _add_input_options(check)
    _add_whatif_commands(sub)
    _add_rules_commands(sub)

    template = sub.add_parser("template", help=_("write a blank input workbook to fill in"),
                              description=_("Write a blank input workbook made from the manifest: an Instructions "
                                          "sheet, every sheet and column (meaning, unit and hints as header "
                                          "comments), drop-down lists for ids, kinds and yes/no, and two example "
                                          "rows per sheet, marked with # so they are ignored. 'policymix check "
                                          "OUT.xlsx' lists what is still missing."))
    template.add_argument("output", metavar="OUT.xlsx", help=_("the workbook to write"))
    template.add_argument("--force", action="store_true", help=_("replace an existing file"))
    _add_lang(template)
    template.add_argument("--debug", action="store_true", help=_("show a traceback on errors"))
    _add_futures_command(sub)
    return parser


def _say(text: str, to_stderr: bool) -> None:
    print(text, file=sys.stderr if to_stderr else sys.stdout)


def _report_input_error(exc: InputError) -> int:
    for p in exc.problems:
        print(_("error: {problem}", problem=p), file=sys.stderr)
    return EXIT_INPUT


def _overrides(args) -> list[tuple[str, str]]:
    items = list(args.overrides or [])
    if getattr(args, "objective", None):
        items.append(("set", f"settings:objective={args.objective}"))
    if getattr(args, "elastic", False):
        items.append(("set", "settings:elastic=yes"))
    if getattr(args, "strict", False):
        items.append(("set", "settings:strict=yes"))
    return items


def _slack(text: str) -> float:
    """'5%', '5' and '0.05' all mean five per cent."""
    raw = str(text).strip()
    try:
        value = float(raw.rstrip("%"))
    except ValueError:
        raise InputError(_("--slack {text}: expected a percentage such as 5%", text=text)) from None
    if raw.endswith("%") or value >= 1:
        value /= 100
    if not 0 <= value <= 10:
        raise InputError(_("--slack {text}: expected a percentage between 0% and 1000%", text=text))
    return value


def _writes_workbook(args) -> bool:
    """--json - without -o writes the JSON only (no workbook)."""
    return not (getattr(args, "json", None) == "-" and not getattr(args, "output", None))


def _workbook_line(args) -> str:
    line = _("Workbook: {path}", path=args.workbook or default_workbook())
    return line + (_("  (scenario {name})", name=args.scenario) if args.scenario else "")


def cmd_plan(args) -> int:
    from .report.terminal import plan_lines

    quiet_stdout = args.json == "-"
    if args.alternatives < 0:
        raise InputError(_("--alternatives {n}: expected a whole number ≥ 0", n=args.alternatives))
    slack = _slack(args.slack)
    outcome = run(
        "plan", workbook=args.workbook, scenario=args.scenario, overrides=_overrides(args), output=args.output,
        json_path=args.json, force=args.force, max_unzipped_mb=args.max_unzipped_mb,
        alternatives=args.alternatives, slack=slack, save_lp=args.save_lp, iamc_path=args.iamc,
        write_workbook=_writes_workbook(args), lang=args.lang,
    )
    use(outcome.lang)
    r = outcome.result
    _notes(outcome.notes)
    for warning in r.warnings:
        print(_("warning: {text}", text=warning), file=sys.stderr)
    _say(_workbook_line(args), quiet_stdout)
    for spec in r.overrides[:5]:
        _say("  " + _("override: {spec}", spec=spec), quiet_stdout)
    if len(r.overrides) > 5:
        _say("  " + _("… and {n} more overrides (listed in the plan's {sheet} sheet)", n=len(r.overrides) - 5,
                      sheet=_("About")), quiet_stdout)
    alternatives = None
    if r.alternatives is not None:
        must = r.alternatives.must_haves()
        alternatives = _("{n} alternatives within {slack} % of the optimum; must-haves: {ids}",
                         n=len(r.alternatives.plans), slack=num(100 * r.alternatives.slack, ".0f"),
                         ids=", ".join(must) if must else _("none"))
    for line in plan_lines(r, alternatives_words=alternatives):
        _say(line, quiet_stdout)
    if outcome.plan_path:
        _say(_("Plan written to {path}", path=outcome.plan_path), quiet_stdout)
    if args.json and args.json != "-":
        _say(_("JSON written to {path}", path=args.json), quiet_stdout)
    _written(outcome, quiet_stdout)
    return outcome.exit_code


def _notes(notes) -> None:
    for note in notes:
        print(_("note: {text}", text=note), file=sys.stderr)


def cmd_check(args) -> int:
    outcome = run("check", workbook=args.workbook, scenario=args.scenario, overrides=_overrides(args),
                  max_unzipped_mb=args.max_unzipped_mb, lang=args.lang)
    use(outcome.lang)
    inp, applied = outcome.input, outcome.overrides
    _notes(outcome.notes)
    print(_("OK: {path}: {measures} measures, {instruments} instruments, {resources} resources, years {first}–{last}",
            path=args.workbook, measures=len(inp.measures), instruments=len(inp.instruments),
            resources=len(inp.resources), first=inp.years[0], last=inp.years[-1])
          + (_(", {n} overrides applied", n=len(applied)) if applied else ""))
    return EXIT_OK


def cmd_template(args) -> int:
    outcome = run("template", output=args.output, force=args.force, lang=args.lang)
    use(outcome.lang)
    print(_("Template written to {path}: fill it in, then 'policymix check {path}' lists what is still missing",
            path=outcome.plan_path))
    return EXIT_OK


# ---------------------------------------------------------------- what-if: sweep and compare

class _VaryAction(argparse.Action):
    """--vary and --vary-scale, kept in the order given: (op, text)."""

    def __call__(self, parser, namespace, values, option_string=None):
        items = getattr(namespace, "vary", None) or []
        items.append(("scale" if option_string == "--vary-scale" else "set", values))
        namespace.vary = items


def _add_whatif_commands(sub) -> None:
    sweep = sub.add_parser(
        "sweep", help=_("solve a workbook at every point of a grid of input values"),
        description=_("Solve WORKBOOK at every point of --vary/--vary-scale (several make a grid) on one live "
                    "HiGHS instance and write a sweep workbook. Exit 0 when every point solved (a point that "
                    "misses its target is a result), 4 when some point failed, 2 for bad input."))
    sweep.add_argument("workbook", nargs="?", help=_("input or plan workbook (.xlsx); default: the shipped default"))
    sweep.add_argument("--vary", metavar="SHEET:ID:COLUMN=START:STOP:STEP", action=_VaryAction, dest="vary",
                       help=_("set each value of an inclusive range (or a list a,b,c); settings: "
                            "--vary settings:target_reduction_mt=10:30:1; wildcards as in --set"))
    sweep.add_argument("--vary-scale", metavar="SHEET:ID:COLUMN=START:STOP:STEP", action=_VaryAction, dest="vary",
                       help=_("multiply the base value by each factor, e.g. --vary-scale budgets:SDE++:*=0.5:2:0.25"))
    sweep.add_argument("-o", "--output", metavar="OUT.xlsx",
                       help=_("sweep workbook to write (default: outputs/sweep-<scenario>-<timestamp>.xlsx)"))
    sweep.add_argument("--json", metavar="FILE",
                       help=_("also write a JSON list, one plan result per point plus its \"point\" ('-' for stdout)"))
    sweep.add_argument("--force", action="store_true", help=_("replace an existing output file"))
    _add_export_options(sweep)
    _add_input_options(sweep)

    compare = sub.add_parser("compare", help=_("show what changed between two plan workbooks"),
                             description=_("Read the result sheets of two plan workbooks and list what changed: "
                                         "status, cost, abatement, spend per instrument, measures, shadow prices."))
    compare.add_argument("a", metavar="A.xlsx", help=_("plan workbook A (written by policymix plan)"))
    compare.add_argument("b", metavar="B.xlsx", help=_("plan workbook B"))
    compare.add_argument("-o", "--output", metavar="OUT.xlsx", help=_("also write a comparison workbook"))
    compare.add_argument("--force", action="store_true", help=_("replace an existing output file"))
    compare.add_argument("--max-unzipped-mb", type=_megabytes, default=DEFAULT_MAX_UNZIPPED_MB, metavar="MB",
                         help=_max_unzipped_help())
    _add_lang(compare)
    compare.add_argument("--debug", action="store_true", help=_("show a traceback on errors"))


def cmd_sweep(args) -> int:
    from .report.terminal import print_sweep, sweep_progress

    quiet_stdout = args.json == "-"
    with sweep_progress() as (on_start, on_point):
        outcome = run("sweep", workbook=args.workbook, vary=args.vary or [], scenario=args.scenario,
                      overrides=_overrides(args), output=args.output, json_path=args.json, force=args.force,
                      max_unzipped_mb=args.max_unzipped_mb, on_start=on_start, on_point=on_point,
                      iamc_path=args.iamc, write_workbook=_writes_workbook(args), lang=args.lang)
    use(outcome.lang)
    sweep_run = outcome.result
    _notes(sweep_run.notes)
    print_sweep(sweep_run, file=sys.stderr if quiet_stdout else sys.stdout)
    _say(_("{n} points: {solved} solved, {failed} failed; model built {builds}× ({rebuilds} rebuilds where the "
           "structure changed); {seconds} s", n=len(sweep_run.points),
           solved=len(sweep_run.points) - len(sweep_run.failed), failed=len(sweep_run.failed),
           builds=1 + sweep_run.rebuilds, rebuilds=sweep_run.rebuilds, seconds=num(sweep_run.seconds, ".2f")),
         quiet_stdout)
    if outcome.path:
        _say(_("Sweep written to {path}", path=outcome.path), quiet_stdout)
    if args.json and args.json != "-":
        _say(_("JSON written to {path}", path=args.json), quiet_stdout)
    _written(outcome, quiet_stdout)
    return outcome.exit_code


def cmd_compare(args) -> int:
    from .report.terminal import print_comparison

    outcome = run("compare", a=args.a, b=args.b, output=args.output, force=args.force,
                  max_unzipped_mb=args.max_unzipped_mb, lang=args.lang)
    use(outcome.lang)
    print_comparison(outcome.result)
    if outcome.plan_path is not None:
        print(_("Comparison written to {path}", path=outcome.plan_path))
    return EXIT_OK


# ---------------------------------------------------------------- rules: simulate and rules-gap

def _add_rules_commands(sub) -> None:
    for name, helptext, description in (
        ("simulate", N_("allocate by the instruments' own rules instead of optimising"),
         N_("Allocate WORKBOOK's budgets by each instrument's own rules (SDE++ rounds, NIKI tender, VEKI first "
         "come first served, maatwerk; docs/rules.md) and write the result as a plan: same sheets and JSON, "
         "plus each measure's rule outcome (granted, realised, blocked by what). Exit 0 when the realised "
         "abatement meets every target, 3 when not, 2 for bad input.")),
        ("rules-gap", N_("solve the optimum and set the instruments' own rules beside it"),
         N_("Plan WORKBOOK, simulate its instruments' own rules, and compare: abatement, public cost, cost per "
         "tonne, committed-but-idle budget, measures funded by one only, the extra public cost of the rules "
         "for their abatement and the extra abatement of the optimum with the rules' spending. Same as "
         "policymix plan --versus-rules; exit codes as plan.")),
    ):
        p = sub.add_parser(name, help=_(helptext), description=_(description))
        p.add_argument("workbook", nargs="?", help=_("input or plan workbook (.xlsx); default: the shipped default"))
        p.add_argument("-o", "--output", metavar="OUT.xlsx",
                       help=_("workbook to write (default: outputs/{name}-<scenario>-<timestamp>.xlsx)",
                              name="rules" if name == "simulate" else name))
        p.add_argument("--json", metavar="FILE", help=_("also write the result as JSON ('-' for stdout)"))
        p.add_argument("--force", action="store_true", help=_("replace an existing output file"))
        _add_input_options(p)


def cmd_rules(args) -> int:
    """policymix simulate, policymix rules-gap and policymix plan --versus-rules."""
    from .report.terminal import simulation_lines, summary_lines

    quiet_stdout = args.json == "-"
    for option in ("iamc", "save_lp"):
        if getattr(args, option, None):
            raise InputError(_("--{option} is not available with --versus-rules", option=option.replace("_", "-")))
    common = dict(scenario=args.scenario, overrides=_overrides(args), output=args.output, json_path=args.json,
                  force=args.force, max_unzipped_mb=args.max_unzipped_mb, write_workbook=_writes_workbook(args),
                  lang=args.lang)
    if args.command == "simulate":
        outcome = run("simulate", workbook=args.workbook, **common)
        use(outcome.lang)
        lines, what = simulation_lines(outcome.result), _("Simulated plan written to {path}")
    else:
        alternatives = getattr(args, "alternatives", 0) or 0
        if alternatives < 0:
            raise InputError(_("--alternatives {n}: expected a whole number ≥ 0", n=alternatives))
        slack = _slack(args.slack) if hasattr(args, "slack") else 0.05
        outcome = run("rules-gap", workbook=args.workbook, alternatives=alternatives, slack=slack, **common)
        use(outcome.lang)
        lines, what = summary_lines(outcome.gap), _("Plan with Rules vs optimum written to {path}")
    _notes(outcome.notes)
    _say(_workbook_line(args), quiet_stdout)
    for line in lines:
        _say(line, quiet_stdout)
    if outcome.plan_path:
        _say(what.format(path=outcome.plan_path), quiet_stdout)
    if args.json and args.json != "-":
        _say(_("JSON written to {path}", path=args.json), quiet_stdout)
    return outcome.exit_code


# ---------------------------------------------------------------- futures

def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a whole number, found {text!r}", text=text)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("expected a whole number ≥ 1, found {text!r}", text=text))
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a whole number, found {text!r}", text=text)) from None
    if value < 0:
        raise argparse.ArgumentTypeError(_("expected a whole number ≥ 0, found {text!r}", text=text))
    return value


def _add_futures_command(sub) -> None:
    p = sub.add_parser(
        "futures", help=_("how likely is the target, which measures are robust, what to decide now"),
        description=_("Draw --samples futures from WORKBOOK's uncertainty sheet (Latin hypercube, --seed) and answer "
                    "one of three questions: wait and see (default: each future planned on its own), a stress test "
                    "of a plan (--plan: its commitments fixed), or decide now, adapt later (--decide-by YEAR: one "
                    "stochastic program). Writes a futures workbook and, with --json, the JSON. Exit 0 when every "
                    "future solved, 4 when some failed, 2 for bad input."))
    p.add_argument("workbook", nargs="?", help=_("input or plan workbook (.xlsx) with an uncertainty sheet; default: "
                                               "the shipped default (with --plan and no workbook: the plan's inputs)"))
    p.add_argument("--samples", type=_positive, default=200, metavar="N", help=_("number of futures (default 200)"))
    p.add_argument("--seed", type=_seed, default=1, metavar="S",
                   help=_("seed of the Latin hypercube (default 1): the same seed gives the same futures"))
    question = p.add_mutually_exclusive_group()
    question.add_argument("--plan", metavar="PLAN.xlsx",
                          help=_("stress test: fix this plan's commitments and see what they achieve in each future"))
    question.add_argument("--decide-by", type=int, metavar="YEAR",
                          help=_("commitments up to YEAR the same in every future, later ones chosen per future"))
    where = p.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=_positive, default=None, metavar="K",
                       help=_("local worker processes (default: the number of cores, at most 8)"))
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help=_("run on an existing Dask cluster (see README: dask scheduler, dask worker)"))
    p.add_argument("-o", "--output", metavar="OUT.xlsx",
                   help=_("futures workbook to write (default: outputs/futures-<scenario>-<timestamp>.xlsx)"))
    p.add_argument("--json", metavar="FILE", help=_("also write the result as JSON ('-' for stdout)"))
    p.add_argument("--force", action="store_true", help=_("replace an existing output file"))
    _add_input_options(p)


def cmd_futures(args) -> int:
    from .report.terminal import futures_lines, futures_progress

    quiet_stdout = args.json == "-"
    jobs = args.jobs
    if jobs is None and not args.scheduler:
        jobs = max(1, min(os.cpu_count() or 1, 8, math.ceil(args.samples / 20)))
    with futures_progress() as (on_start, on_progress, on_stage):
        outcome = run("futures", workbook=args.workbook, samples=args.samples, seed=args.seed, plan=args.plan,
                      decide_by=args.decide_by, jobs=jobs or 1, scheduler=args.scheduler, scenario=args.scenario,
                      overrides=_overrides(args), output=args.output, json_path=args.json, force=args.force,
                      max_unzipped_mb=args.max_unzipped_mb, on_start=on_start, on_progress=on_progress,
                      on_stage=on_stage, lang=args.lang)
    use(outcome.lang)
    _notes(outcome.notes)
    _say(_workbook_line(args), quiet_stdout)
    for line in futures_lines(outcome.result):
        _say(line, quiet_stdout)
    if outcome.path:
        _say(_("Futures written to {path}", path=outcome.path), quiet_stdout)
    if args.json and args.json != "-":
        _say(_("JSON written to {path}", path=args.json), quiet_stdout)
    return outcome.exit_code


def _dispatch(args) -> int:
    if args.command in ("simulate", "rules-gap") or getattr(args, "versus_rules", False):
        return cmd_rules(args)
    if args.command == "plan":
        return cmd_plan(args)
    if args.command == "sweep":
        return cmd_sweep(args)
    if args.command == "compare":
        return cmd_compare(args)
    if args.command == "template":
        return cmd_template(args)
    if args.command == "futures":
        return cmd_futures(args)
    return cmd_check(args)


def _failed(args, exc: BaseException) -> int:
    """Say what went wrong in one line (a traceback only with --debug) and return the exit code."""
    debug = getattr(args, "debug", False)
    if isinstance(exc, InputError):
        if debug:
            traceback.print_exception(exc)
        return _report_input_error(exc)
    if isinstance(exc, TargetInfeasible):
        from .report.terminal import iis_lines

        for line in iis_lines(exc.iis):
            print(line, file=sys.stderr)
        return EXIT_NOT_MET
    if isinstance(exc, SolverFailure):
        if debug:
            traceback.print_exception(exc)
        print(_("error: no plan: {message} (solver status: {status})", message=exc.solution.message,
                status=exc.solution.status), file=sys.stderr)
        return EXIT_SOLVER
    if isinstance(exc, BrokenPipeError):  # output piped into e.g. head, which stopped reading: not an error of ours
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    if isinstance(exc, KeyboardInterrupt):
        # a solve stopped by the signal says what it was solving (optimiser.model.solve.SolveInterrupted)
        what = str(exc) if getattr(exc, "what", None) else _("interrupted")
        print(_("{what}: nothing was written", what=what), file=sys.stderr)
        terminated = isinstance(exc, _Terminated) or getattr(exc, "signum", None) == signal.SIGTERM
        return 143 if terminated else 130
    if isinstance(exc, OSError):  # an output could not be written (disk full, no permission, …): nothing is damaged
        if debug:
            traceback.print_exception(exc)
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(_("error: cannot write{where}: {reason} (nothing was damaged)", where=where,
                reason=exc.strerror or exc), file=sys.stderr)
        return EXIT_INTERNAL
    if isinstance(exc, Exception):  # internal error: say so plainly, traceback only with --debug
        if debug:
            traceback.print_exception(exc)
        print(_("internal error: {kind}: {error} (rerun with --debug for details)", kind=type(exc).__name__,
                error=exc), file=sys.stderr)
        return EXIT_INTERNAL
    raise exc  # SystemExit and the like


def _asked_language(argv: list[str]) -> str | None:
    """The --lang of a command line, before it is parsed (so --help speaks it); None when not given or unknown."""
    for k, arg in enumerate(argv):
        if arg == "--lang" and k + 1 < len(argv):
            value = argv[k + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        else:
            continue
        return value if value in LANGUAGES else None
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with language(_asked_language(argv)):
        parser = make_parser()
        args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_INPUT
    try:  # a kill unwinds the stack, so temporary files are removed and no output is half-written
        previous = signal.signal(signal.SIGTERM, _terminated)
    except ValueError:  # not the main thread
        previous = None
    try:
        with language(getattr(args, "lang", None)):
            try:
                return _dispatch(args)
            except BaseException as exc:  # said in the language of the run that failed
                use(getattr(exc, "lang", None))
                return _failed(args, exc)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

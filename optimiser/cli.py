"""The command line: a thin shell over the pipeline.

The parser is made from the command record (optimiser/commands.py): each command and option is declared there
once, with its type, default and help text. This module turns the parsed arguments into a run of
:func:`optimiser.pipeline.run` (which checks them), says on the terminal what the run found and wrote, and maps
what went wrong to an exit code.

Exit codes (docs/model.md section 10): 0 plan found and every target met · 3 plan written but a target is not
met · 2 bad input or usage (nothing written) · 4 solver failure or time limit without a plan, or a Dask cluster
that failed under a started run · 1 internal
error, or an output that could not be written (the result is then kept under another name, which is said) ·
130/143 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import traceback
import warnings

from . import __version__
from .commands import (CLI, COMMANDS, EXIT_INPUT, EXIT_INTERNAL, EXIT_NOT_MET, EXIT_OK, EXIT_SOLVER, FLAG, LANG,
                       Command, Option)
from .input.data import InputError
from .lang import LANGUAGES, N_, _, language, num, use


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


class _Terminated(KeyboardInterrupt):
    """SIGTERM (kill, a closing session): unwound like Ctrl-C."""


def _terminated(signum, frame):
    raise _Terminated


class _Collect(argparse.Action):
    """--set, --scale, --vary, …: (op, text) pairs kept in the order given, in the list they feed."""

    def __call__(self, parser, namespace, values, option_string=None):
        items = list(getattr(namespace, self.dest, None) or [])
        items.append((self.const, values))
        setattr(namespace, self.dest, items)


def _type(option: Option):
    """argparse's type of an option: its kind's reading of the text; a bad value is a usage error."""
    def read(text: str):
        try:
            return option.kind.convert(text)
        except (ValueError, TypeError):
            raise argparse.ArgumentTypeError(_("expected {what}, found {text!r}", what=option.kind.says(),
                                               text=text)) from None

    read.__name__ = option.name  # argparse names a failed type by it
    return read


def _help(option: Option, command: Command) -> str:
    text = _(option.help, default=option.shown_default(), kind=command.kind or command.name)
    return text.replace("%", "%%")  # argparse formats help with %


def _add(parser: argparse.ArgumentParser, option: Option, command: Command) -> None:
    """One option of the record as an argparse argument (of ``parser``, or of a mutually exclusive group)."""
    kw: dict = {"help": _help(option, command)}
    if option.op:
        kw.update(action=_Collect, dest=option.into, const=option.op, metavar=option.metavar, default=None)
    elif option.kind is FLAG:
        kw.update(action="store_const", const=True, dest=option.name, default=None)
    else:
        kw.update(type=_type(option), metavar=option.metavar, default=None)
        if option.kind.choices:
            kw.update(choices=option.kind.choices, metavar=None)
        if option.positional:
            if not option.required:
                kw["nargs"] = "?"
            if option.metavar:
                kw["metavar"] = option.metavar
            parser.add_argument(option.name, **kw)
            return
        kw["dest"] = option.name
        if option.required:  # shown without brackets in the usage line (the pipeline checks it for the API too)
            kw["required"] = True
    if option is LANG:
        kw["default"] = argparse.SUPPRESS  # given before the command, it is not undone by the command's default
    parser.add_argument(*option.flags, **kw)


def _add_command(sub, command: Command) -> None:
    p = sub.add_parser(command.name, help=_(command.help), description=_(command.description))
    exclusive = [group for group in command.exclusive
                 if all(sum(name in g for g in command.exclusive) == 1 for name in group)]
    groups: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for option in command.options:
        if not option.cli:
            continue
        group = next((g for g in exclusive if option.name in g), None)
        if group is not None and group not in groups:
            groups[group] = p.add_mutually_exclusive_group()
        _add(groups[group] if group is not None else p, option, command)


def make_parser() -> argparse.ArgumentParser:
    """The parser of ``policymix``, made from the command record (optimiser/commands.py)."""
    parser = _Parser(prog="policymix",
                     description=_("Least-public-cost policy mix for Dutch industrial decarbonisation."))
    parser.add_argument("--version", action="version", version=f"policymix {__version__}",
                        help=_("show the version and exit"))
    _add(parser, LANG, COMMANDS["plan"])  # --lang before the command too: policymix --lang nl plan …
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS.values():
        _add_command(sub, command)
    return parser


# ---------------------------------------------------------------- what the terminal says

def _say(text: str, to_stderr: bool) -> None:
    print(text, file=sys.stderr if to_stderr else sys.stdout)


def _notes(notes) -> None:
    for note in notes:
        print(_("note: {text}", text=note), file=sys.stderr)


def _workbook_line(outcome) -> list[str]:
    from .pipeline import default_workbook

    o = outcome.options
    source = o.get("workbook") or (o.get("plan") if outcome.command in ("futures", "delays") else None) \
        or default_workbook()
    line = _("Workbook: {path}", path=source)
    return [line + (_("  (scenario {name})", name=o.scenario) if o.get("scenario") else "")]


def _overrides_lines(outcome) -> list[str]:
    applied = outcome.overrides
    lines = ["  " + _("override: {spec}", spec=spec) for spec in applied[:5]]
    if len(applied) > 5:
        lines.append("  " + _("… and {n} more overrides (listed in the plan's {sheet} sheet)", n=len(applied) - 5,
                              sheet=_("About")))
    return lines


def _plan_lines(outcome) -> list[str]:
    from .report.terminal import plan_lines

    r = outcome.result
    for warning in r.warnings:
        print(_("warning: {text}", text=warning), file=sys.stderr)
    alternatives = None
    if r.alternatives is not None:
        must = r.alternatives.must_haves()
        alternatives = _("{n} alternatives within {slack} % of the optimum; must-haves: {ids}",
                         n=len(r.alternatives.plans), slack=num(100 * r.alternatives.slack, ".0f"),
                         ids=", ".join(must) if must else _("none"))
    return _workbook_line(outcome) + _overrides_lines(outcome) + plan_lines(r, alternatives_words=alternatives)


def _check_lines(outcome) -> list[str]:
    inp, applied = outcome.input, outcome.overrides
    return [_("OK: {path}: {measures} measures, {instruments} instruments, {resources} resources, years "
              "{first}–{last}", path=outcome.options.workbook, measures=len(inp.measures),
              instruments=len(inp.instruments), resources=len(inp.resources), first=inp.years[0],
              last=inp.years[-1]) + (_(", {n} overrides applied", n=len(applied)) if applied else "")]


def _sweep_lines(outcome) -> list[str]:
    from .report.terminal import print_sweep

    run_ = outcome.result
    print_sweep(run_, file=sys.stderr if outcome.options.get("json_path") == "-" else sys.stdout)
    return [_("{n} points: {solved} solved, {failed} failed; model built {builds}× ({rebuilds} rebuilds where the "
              "structure changed); {seconds} s", n=len(run_.points), solved=len(run_.points) - len(run_.failed),
              failed=len(run_.failed), builds=1 + run_.rebuilds, rebuilds=run_.rebuilds,
              seconds=num(run_.seconds, ".2f"))]


def _compare_lines(outcome) -> list[str]:
    from .report.terminal import print_comparison

    print_comparison(outcome.result)
    return []


def _simulate_lines(outcome) -> list[str]:
    from .report.terminal import simulation_lines

    return _workbook_line(outcome) + simulation_lines(outcome.result)


def _rules_gap_lines(outcome) -> list[str]:
    from .report.terminal import summary_lines

    return _workbook_line(outcome) + summary_lines(outcome.gap)


def _futures_lines(outcome) -> list[str]:
    from .report.terminal import futures_lines, print_curve

    lines = _workbook_line(outcome) + futures_lines(outcome.result)
    if outcome.result.confidence is not None and len(outcome.result.confidence.plans) > 1:
        quiet = outcome.options.get("json_path") == "-"
        for line in lines:
            _say(line, quiet)
        print_curve(outcome.result, file=sys.stderr if quiet else sys.stdout)
        return []
    return lines


def _delays_lines(outcome) -> list[str]:
    from .report.terminal import delays_lines, print_delays

    quiet = outcome.options.get("json_path") == "-"
    for line in _workbook_line(outcome) + delays_lines(outcome.result):
        _say(line, quiet)
    print_delays(outcome.result, file=sys.stderr if quiet else sys.stdout)
    return []


#: What the terminal says of each command's result (a command without an entry: its notes and files only).
SAY = {"plan": _plan_lines, "check": _check_lines, "sweep": _sweep_lines, "compare": _compare_lines,
       "simulate": _simulate_lines, "rules-gap": _rules_gap_lines, "futures": _futures_lines,
       "replan": lambda outcome: outcome.result.summary(), "delays": _delays_lines}


def _progress(name: str):
    """The progress display of a long command: its callbacks as options of the run."""
    from .report import terminal

    if name == "sweep":
        @contextlib.contextmanager
        def shown():
            with terminal.sweep_progress() as (on_start, on_point):
                yield {"on_start": on_start, "on_point": on_point, "keep_plans": False}
        return shown()
    if name == "futures":
        @contextlib.contextmanager
        def shown():
            with terminal.futures_progress() as (on_start, on_progress, on_stage):
                yield {"on_start": on_start, "on_progress": on_progress, "on_stage": on_stage}
        return shown()
    if name == "delays":
        @contextlib.contextmanager
        def shown():
            with terminal.futures_progress(unit=_("delays")) as (on_start, on_progress, _on_stage):
                yield {"on_start": on_start, "on_progress": on_progress}
        return shown()
    return contextlib.nullcontext({})


def _written(outcome, quiet: bool) -> None:
    """One line per file written, and one error line per file that could not be and where its result went."""
    command = COMMANDS[outcome.command]
    texts = {"workbook": _(command.written) if command.written else _("Written to {path}"),
             "json": _("JSON written to {path}"), "lp": _("Model written to {path}"),
             "iamc": _("IAMC results written to {path}")}
    for key in ("workbook", "json", "lp", "iamc"):
        if key in outcome.files:
            _say(texts[key].format(path=outcome.files[key]), quiet)
    for u in outcome.unwritten:
        if u.kept is not None:
            print(_("error: cannot write {path}: {reason}; the result was written to {kept} instead", path=u.path,
                    reason=u.reason, kept=u.kept), file=sys.stderr)
        else:
            print(_("error: cannot write {path}: {reason}, nor beside it or in outputs/: nothing was kept; run again "
                    "with {option} naming a folder you can write to", path=u.path, reason=u.reason,
                    option=u.option or _("another file name")), file=sys.stderr)


def _given(command: Command, args: argparse.Namespace) -> dict:
    """The options given on the command line, by their names in the record (lists under the list they feed)."""
    names = {o.into or o.name for o in command.options if o.cli}
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _run(args: argparse.Namespace) -> int:
    from .pipeline import run

    command = COMMANDS[args.command]
    options = _given(command, args)
    with _progress(command.name) as hooks:
        outcome = run(command.name, spelling=CLI, **options, **hooks)
    use(outcome.lang)
    quiet = outcome.options.get("json_path") == "-"  # stdout holds the JSON
    _notes(outcome.notes)
    for line in SAY.get(outcome.command, lambda _outcome: [])(outcome):
        _say(line, quiet)
    _written(outcome, quiet)
    return outcome.exit_code


def _failed(args, exc: BaseException) -> int:
    """Say what went wrong in one line (a traceback only with --debug) and return the exit code."""
    from .analysis.futures import ClusterFailure
    from .model.optimum import SolverFailure, TargetInfeasible

    debug = getattr(args, "debug", False)
    if isinstance(exc, InputError):
        if debug:
            traceback.print_exception(exc)
        for p in exc.problems:
            print(_("error: {problem}", problem=p), file=sys.stderr)
        return EXIT_INPUT
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
    if isinstance(exc, ClusterFailure):  # the run's Dask cluster failed under it
        if debug:
            traceback.print_exception(exc)
        print(_("error: {problem}", problem=exc), file=sys.stderr)
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
    """The --lang of a command line, before it is parsed (so --help speaks it, wherever --lang stands; the last
    one given wins, as when the line is parsed); None when not given or unknown."""
    asked = None
    for k, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and k + 1 < len(argv):
            asked = argv[k + 1]
        elif arg.startswith("--lang="):
            asked = arg.split("=", 1)[1]
    return asked if asked in LANGUAGES else None


def _show_warning(message, category, filename, lineno, file=None, line=None, _shown=warnings.showwarning):
    """A warning meant for the user (its category says ``for_users``: a plain tcp:// scheduler off this machine) in
    one line, 'warning: …'; any other as Python shows it."""
    if getattr(category, "for_users", False):
        print(_("warning: {text}", text=message), file=sys.stderr if file is None else file)
    else:
        _shown(message, category, filename, lineno, file, line)


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
    shown, warnings.showwarning = warnings.showwarning, _show_warning
    try:
        with language(getattr(args, "lang", None)):
            try:
                return _run(args)
            except BaseException as exc:  # said in the language of the run that failed
                use(getattr(exc, "lang", None))
                return _failed(args, exc)
    finally:
        warnings.showwarning = shown
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

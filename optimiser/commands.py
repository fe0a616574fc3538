"""The command record: every command of policymix and every option it takes, declared once.

An :class:`Option` says its Python name, its command-line spelling, the :class:`Kind` of value it takes (how
the command line's text is read and how any value is checked), its default and its help text (a gettext
message, translated where it is shown). A :class:`Command` lists its options, which of them exclude each
other, the name its workbooks get by default and what the terminal says when one is written. Three things are
made from this record and from nothing else:

- the command line: :func:`optimiser.cli.make_parser` builds argparse's parser from it (flags, metavars,
  choices, the defaults in the help, types that refuse a bad value as a usage error, options that exclude each
  other);
- the Python API: every command is a function of :mod:`optimiser.api` whose keyword arguments, signature and
  docstring come from its options (:func:`signature`, :func:`docstring`, :func:`keywords`);
- the validation: :func:`resolve`, called once by :func:`optimiser.pipeline.run` for every caller, checks
  each value, fills in the defaults, refuses options that exclude each other and gathers the overrides;
  then the pipeline checks every output path (:func:`files` of role "output") against every input of the
  run (role "input") and against each other, before anything is read or solved.

Adding an option: declare it (one ``Option(...)``) and list it among its commands' options; ``--help`` shows
it, the parser reads it, the API takes it as a keyword, :func:`resolve` checks it, and the command's pipeline
function reads it as ``o.<name>``. Adding a command: one ``Command(...)`` in :data:`COMMANDS` and its pipeline
function (``@runs("name")`` in optimiser/pipeline.py); it is then ``policymix NAME`` and
``optimiser.api.NAME`` (a top-level ``optimiser.NAME`` by one entry in ``optimiser.__init__._LAZY``).
docs/commands.md has the steps and the table of every command and option, made from this record.
"""

from __future__ import annotations

import math
import operator
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .input.data import InputError, Problem
from .input.read import DEFAULT_MAX_UNZIPPED_MB
from .lang import LANGUAGES, N_, _

#: The exit codes of every command (docs/model.md section 10): plan found and every target met · an output that
#: could not be written (its result kept under another name) or an internal error · bad input or usage (nothing
#: written) · plan written but a target not met · solver failure or time limit without a plan.
EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_NOT_MET, EXIT_SOLVER = 0, 1, 2, 3, 4

#: How an option is spelled in messages: as on the command line (``--alternatives -1``) or as a keyword
#: argument of Python (``alternatives=-1``).
CLI, PYTHON = "cli", "python"


# ---------------------------------------------------------------- kinds of values

@dataclass(frozen=True)
class Kind:
    """What an option's value is.

    ``convert`` turns the command line's text or a Python value into the value (raising ValueError or
    TypeError when it is not one: the message then says ``expected``); ``show`` writes a default as --help
    shows it. ``pairs``: the option is a dict of ``{"SHEET:ID:COLUMN": value}`` turned into the pipeline's
    ``(op, "SHEET:ID:COLUMN=VALUE")`` pairs, with this function spelling a value.
    """

    expected: str
    convert: Callable[[object], object]
    show: Callable[[object], str] = str
    pairs: Callable[[str, object], str] | None = None
    choices: tuple[str, ...] = ()

    def says(self) -> str:
        """What a value must be, in the run's language ('one of en, nl')."""
        return _(self.expected, choices=", ".join(self.choices))


def _whole(least: int | None) -> Callable[[object], int]:
    def convert(value: object) -> int:
        if isinstance(value, bool):
            raise ValueError(value)
        number = int(value.strip()) if isinstance(value, str) else operator.index(value)
        if least is not None and number < least:
            raise ValueError(value)
        return number

    return convert


def _positive_number(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    number = float(value.strip() if isinstance(value, str) else value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(value)
    return number


def _percentage(value: object) -> float:
    """'5%', '5', 5 and 0.05 all mean five per cent (a number ≥ 1 is read as per cent)."""
    if isinstance(value, bool):
        raise ValueError(value)
    text = value.strip() if isinstance(value, str) else None
    number = float(text.rstrip("%") if text is not None else value)
    if (text is not None and text.endswith("%")) or number >= 1:
        number /= 100
    if not (math.isfinite(number) and 0 <= number <= 10):
        raise ValueError(value)
    return number


def _text_value(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(value)
    return value


def _path(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise ValueError(value)
    return os.fspath(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool) and type(value).__name__ != "bool_":  # Python's or numpy's booleans
        raise ValueError(value)
    return bool(value)


def _callable(value: object) -> object:
    if not callable(value):
        raise ValueError(value)
    return value


def _plan_source(value: object) -> object:
    """A plan workbook's path, or a plan already in hand (the API's Plan passes its result)."""
    return _path(value) if isinstance(value, (str, os.PathLike)) else value


def choice(*choices: str) -> Kind:
    def convert(value: object) -> str:
        if value not in choices:
            raise ValueError(value)
        return value

    return Kind(N_("one of {choices}"), convert, choices=tuple(choices))


def python_text(value: object) -> str:
    """A Python value in the spelling of an override: yes/no, numbers exactly, ids joined by ';'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return ";".join(python_text(v) for v in value)
    return str(value)


def _values_text(target: str, values: object) -> str:
    """The values of a ``vary`` entry: a list, a range, one number or the command line's 'START:STOP:STEP'."""
    if isinstance(values, str):
        return values
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        return python_text(values)
    if isinstance(values, Iterable):
        items = [python_text(v) for v in values]
        if not items:
            raise InputError(Problem(_("vary {target}: no values", target=target)))
        return ",".join(items)
    raise InputError(Problem(_("vary {target}: expected values (a list, a range or 'START:STOP:STEP'), found "
                               "{values!r}", target=target, values=values)))


def _percent(value: object) -> str:
    return f"{100 * float(value):g}%"


def _levels(value: object) -> tuple[float, ...]:
    """--confidence: a share, a list of shares, or the command line's 'p' or 'p1:p2:step' (the levels, ascending)."""
    from .analysis.confidence import levels

    try:
        return tuple(levels(value))
    except InputError:
        raise ValueError(value) from None


def _delay_years(value: object) -> tuple[int, ...]:
    """--years: '1,2', a whole number or a list of them, each from 1 to 50 (ascending)."""
    from .analysis.delays import check_years

    if isinstance(value, bool):
        raise ValueError(value)
    items = value.split(",") if isinstance(value, str) else [value] if isinstance(value, int) else value
    try:
        return tuple(check_years([x.strip() if isinstance(x, str) else x for x in items]))
    except (InputError, TypeError):
        raise ValueError(value) from None


COUNT = Kind(N_("a whole number ≥ 0"), _whole(0))
POSITIVE = Kind(N_("a whole number ≥ 1"), _whole(1))
YEAR = Kind(N_("a year"), _whole(None))
PERCENT = Kind(N_("a percentage between 0% and 1000%, such as 5%"), _percentage, _percent)
MEGABYTES = Kind(N_("a number of MB > 0"), _positive_number, lambda v: f"{v:g}")
SECONDS = Kind(N_("a number of seconds > 0"), _positive_number, lambda v: f"{v:g}")
TEXT = Kind(N_("a text"), _text_value)
PATH = Kind(N_("a file name"), _path)
PLAN = Kind(N_("a plan workbook or a plan"), _plan_source)
FLAG = Kind(N_("True or False"), _flag)
CALLBACK = Kind(N_("a function"), _callable)
LANGUAGE = choice(*LANGUAGES)
LEVELS = Kind(N_("a share p with 0 < p ≤ 1, a list p1,p2,… or a range p1:p2:step with p1 ≤ p2 and step > 0 (at most "
                 "200 levels)"), _levels, lambda v: ",".join(f"{p:g}" for p in v))
DELAY_YEARS = Kind(N_("whole numbers of years from 1 to 50, such as 1,2"), _delay_years,
                   lambda v: ",".join(str(k) for k in v))
#: (op, "SHEET:ID:COLUMN=VALUE") pairs, as the command line collects them; the API's dicts become them.
PAIRS = Kind(N_("(op, 'SHEET:ID:COLUMN=VALUE') pairs"), lambda v: v)
OVERRIDES = Kind(N_("a dict {{'SHEET:ID:COLUMN': value}}"), lambda v: v, pairs=lambda target, v: python_text(v))
VARIES = Kind(N_("a dict {{'SHEET:ID:COLUMN': values}}"), lambda v: v, pairs=_values_text)


# ---------------------------------------------------------------- options

@dataclass(frozen=True)
class Option:
    """One option of one or more commands.

    ``flags``: the command line's spelling (``("-o", "--output")``; none for a positional argument or a
    Python-only option). ``cli``/``api``: whether the command line and the API take it. ``role``: "input" or
    "output" for a file of the run (``what`` names an input in messages; ``suffixes`` are an output's file
    types; ``stdout``: '-' writes to standard output). ``op``/``into``: the option adds ``(op, text)`` pairs to
    the list option ``into`` (``--set`` adds to ``overrides``). ``setting``: a shorthand of ``--set
    settings:KEY=VALUE`` (``--objective``, ``--elastic``). ``help`` may name ``{default}`` (shown as the kind
    shows it) and the command's ``{kind}``.
    """

    name: str
    help: str = ""
    kind: Kind = TEXT
    default: object = None
    flags: tuple[str, ...] = ()
    metavar: str | None = None
    required: bool = False
    cli: bool = True
    api: bool = True
    role: str = ""
    what: str = ""
    suffixes: tuple[str, ...] = ()
    stdout: bool = False
    op: str = ""
    into: str = ""
    setting: str = ""

    @property
    def positional(self) -> bool:
        return self.cli and not self.flags

    def but(self, **changes) -> Option:
        """This option with some of its fields changed (a command's own help text, say)."""
        return replace(self, **changes)

    def label(self, value: object = None, spelling: str = PYTHON) -> str:
        """The option as the caller wrote it: ``--alternatives -1``, ``-o out.csv``, ``alternatives=-1``, or the
        bare value of a positional argument."""
        shown = os.fspath(value) if isinstance(value, os.PathLike) else value
        if spelling == CLI and self.cli:
            if not self.flags:
                return str(shown)
            return self.flags[0] if value is None or value is True else f"{self.flags[0]} {shown}"
        if value is None:
            return f"{self.name}="
        return f"{self.name}={shown!r}"

    def shown_default(self) -> str:
        return self.kind.show(self.default) if self.default is not None else ""


#: The settings given to the API as keyword arguments (``target_reduction_mt=25``): not an option of the
#: record, but where they go among the overrides (after ``shift``, before ``overrides``).
SETTINGS = "settings"


# ---- the input of a run

WORKBOOK = Option("workbook", N_("input or plan workbook (.xlsx); default: the shipped default"), PATH,
                  role="input", what=N_("the input workbook"))
SCENARIO = Option("scenario", N_("apply the named override set from the scenarios sheet"), TEXT,
                  flags=("--scenario",), metavar="NAME")
SET = Option("set", N_("set a value (settings: --set settings:KEY=VALUE); wildcards allowed"), OVERRIDES,
             flags=("--set",), metavar="SHEET:ID:COLUMN=VALUE", op="set", into="overrides")
SCALE = Option("scale", N_("multiply values, e.g. --scale budgets:SDE++:*=1.2"), OVERRIDES, flags=("--scale",),
               metavar="SHEET:ID:COLUMN=FACTOR", op="scale", into="overrides")
ADD = Option("add", N_("add to values, e.g. --add measures:tata_*:lead_time_years=2"), OVERRIDES, flags=("--add",),
             metavar="SHEET:ID:COLUMN=DELTA", op="add", into="overrides")
SHIFT = Option("shift", N_("move a year series YEARS whole years later (before the first year: its value), e.g. "
                           "--shift resources:grid_zeeland:*=2"), OVERRIDES, flags=("--shift",),
               metavar="SHEET:ID:COLUMNS=YEARS", op="shift", into="overrides")
OVERRIDE_LIST = Option("overrides", N_("overrides in the command line's spelling, in the order they apply: "
                                       "[(op, 'SHEET:ID:COLUMN=VALUE'), …]"), PAIRS, default=(), cli=False)
OBJECTIVE = Option("objective", N_("min-cost (default): least public cost meeting the targets; max-abatement: most "
                                   "abatement within budgets and limits (same as --set settings:objective=…)"),
                   choice("min-cost", "max-abatement"), flags=("--objective",), setting="objective")
MAX_UNZIPPED = Option("max_unzipped_mb", N_("refuse workbooks whose parts inflate beyond this (default {default} MB)"),
                      MEGABYTES, DEFAULT_MAX_UNZIPPED_MB, flags=("--max-unzipped-mb",), metavar="MB")
LANG = Option("lang", N_("language of the workbook and the terminal: en or nl (default: the workbook's language "
                         "setting, else en)"), LANGUAGE, flags=("--lang",))
DEBUG = Option("debug", N_("show a traceback on errors"), FLAG, False, flags=("--debug",), api=False)

# ---- the files a run writes

OUTPUT = Option("output", N_("workbook to write (default: outputs/{kind}-<scenario>[-<overrides>]-<timestamp>.xlsx; "
                             "none with --json - alone)"), PATH, flags=("-o", "--output"), metavar="OUT.xlsx",
                api=False, role="output", suffixes=(".xlsx",))
JSON = Option("json_path", N_("also write the result as JSON ('-' for stdout: then no workbook unless -o is given)"),
              PATH, flags=("--json",), metavar="FILE.json", api=False, role="output", suffixes=(".json",),
              stdout=True)
FORCE = Option("force", N_("replace an existing output file"), FLAG, False, flags=("--force",), api=False)
IAMC = Option("iamc_path", N_("also write the results in the IAMC template layout (pyam; variables in docs/iamc.md)"),
              PATH, flags=("--iamc",), metavar="FILE.csv|xlsx", api=False, role="output", suffixes=(".csv", ".xlsx"))
SAVE_LP = Option("save_lp", N_("also write the model exactly as handed to HiGHS (by HiGHS), to inspect or solve "
                               "elsewhere"), PATH, flags=("--save-lp",), metavar="FILE.mps|lp", role="output",
                 suffixes=(".mps", ".lp"))

# ---- Python only: where default names go, hooks of progress, what is kept

WRITE_WORKBOOK = Option("write_workbook", N_("write the command's workbook (the API writes only when asked)"), FLAG,
                        True, cli=False, api=False)
OUTPUTS_DIR = Option("outputs_dir", N_("folder of the default output names"), PATH, "outputs", cli=False, api=False)
ON_START = Option("on_start", N_("called with the number of points or futures once it is known"), CALLBACK,
                  cli=False, api=False)

# ---- plan

ELASTIC = Option("elastic", N_("report the least that must give for every target to be met: the least total "
                               "relative relaxation of budgets and resource limits, then the least cost with it "
                               "(same as --set settings:elastic=yes)"), FLAG, flags=("--elastic",), setting="elastic")
STRICT = Option("strict", N_("allow no shortfall: when the target cannot be met, list the conflicting limits "
                             "(an irreducible infeasible subset) and exit 3"), FLAG, flags=("--strict",),
                setting="strict")
ALTERNATIVES = Option("alternatives", N_("also find N near-optimal plans that fund measures as different as possible"),
                      COUNT, 0, flags=("--alternatives",), metavar="N")
SLACK = Option("slack", N_("cost slack of the alternatives over the optimum (default {default})"), PERCENT, 0.05,
               flags=("--slack",), metavar="PCT")
#: Futures of the quick stress test a plan's headline adds (the default keeps the default plan within 1.5 s).
PLAN_FUTURES = Option("futures", N_("when the workbook has an uncertainty sheet, the headline adds how often the plan "
                                    "meets every target over N futures drawn with seed 1 (a stress test) and its "
                                    "80%-sure abatement (default {default}; 0: none)"), COUNT, 30,
                      flags=("--futures",), metavar="N")
VERSUS_RULES = Option("versus_rules", N_("also allocate by the instruments' own rules and set them beside the optimum "
                                         "(same as policymix rules-gap)"), FLAG, False, flags=("--versus-rules",))

# ---- sweep

VARY = Option("vary", N_("set each value of an inclusive range (or a list a,b,c); settings: "
                         "--vary settings:target_reduction_mt=10:30:1; wildcards as in --set"), VARIES, (),
              flags=("--vary",), metavar="SHEET:ID:COLUMN=START:STOP:STEP", op="set", into="vary")
VARY_SCALE = Option("vary_scale", N_("multiply the base value by each factor, e.g. --vary-scale "
                                     "budgets:SDE++:*=0.5:2:0.25"), VARIES, flags=("--vary-scale",),
                    metavar="SHEET:ID:COLUMN=START:STOP:STEP", op="scale", into="vary")
KEEP_PLANS = Option("keep_plans", N_("keep every point's full plan (Sweep.plans; needed by to_json and to_iamc)"),
                    FLAG, True, cli=False)
ON_POINT = Option("on_point", N_("called as on_point(done, total, point) after each point"), CALLBACK, cli=False)

# ---- futures

SAMPLES = Option("samples", N_("number of futures (default {default})"), POSITIVE, 200, flags=("--samples",),
                 metavar="N")
SEED = Option("seed", N_("seed of the Latin hypercube (default {default}): the same seed gives the same futures"),
              COUNT, 1, flags=("--seed",), metavar="S")
STRESS_PLAN = Option("plan", N_("stress test: fix this plan's commitments and see what they achieve in each future"),
                     PATH, flags=("--plan",), metavar="PLAN.xlsx", role="input",
                     what=N_("the plan workbook of the stress test"))
DECIDE_BY = Option("decide_by", N_("commitments up to YEAR the same in every future, later ones chosen per future"),
                   YEAR, flags=("--decide-by",), metavar="YEAR")
CONFIDENCE = Option("confidence", N_("the plan of least expected public cost that meets every target in at least "
                                     "the share P of the futures (where none can: the plan meeting it in the most, "
                                     "exit 3); a range P1:P2:STEP (or a list P1,P2,…) gives the cost-of-confidence "
                                     "curve and the highest level attainable"), LEVELS, flags=("--confidence",),
                    metavar="P|P1:P2:STEP")
VALIDATE = Option("validate", N_("with --confidence: judge each plan on M fresh futures (drawn from the seed + 1) for "
                                 "P(target met) out of sample (default {default}; 0: none)"), COUNT, 1000,
                  flags=("--validate",), metavar="M")
JOBS = Option("jobs", N_("local worker processes (default: the number of cores, at most 8)"), POSITIVE,
              flags=("--jobs",), metavar="K")
SCHEDULER = Option("scheduler", N_("run on an existing Dask cluster: tls://HOST:PORT with the cluster's certificates "
                                   "(--tls-ca-file, --tls-cert, --tls-key), or tcp://HOST:PORT on this machine (README: "
                                   "a cluster only the team can use)"), TEXT, flags=("--scheduler",), metavar="ADDRESS")
TLS_CA_FILE = Option("tls_ca_file", N_("the CA certificate of a tls:// cluster (PEM; default: distributed.comm.tls.ca-file "
                                       "of Dask's configuration)"), PATH, flags=("--tls-ca-file",), metavar="CA.pem",
                     role="input", what=N_("the CA certificate of the Dask cluster"))
TLS_CERT = Option("tls_cert", N_("this client's certificate, signed by that CA (PEM; default: "
                                 "distributed.comm.tls.client.cert)"), PATH, flags=("--tls-cert",), metavar="CERT.pem",
                  role="input", what=N_("this client's certificate for the Dask cluster"))
TLS_KEY = Option("tls_key", N_("the private key of --tls-cert (PEM, without a passphrase; default: "
                               "distributed.comm.tls.client.key)"), PATH, flags=("--tls-key",), metavar="KEY.pem",
                 role="input", what=N_("this client's key for the Dask cluster"))
#: optimiser.analysis.futures.SCHEDULER_TIMEOUT_S (not imported here: the command line starts without the model)
SCHEDULER_TIMEOUT = Option("scheduler_timeout", N_("seconds to wait for the Dask scheduler to answer, for a first worker "
                                                   "to join, and for one to join again if every worker leaves (default "
                                                   "{default})"), SECONDS, 30.0, flags=("--scheduler-timeout",),
                           metavar="SECONDS")
ON_PROGRESS = Option("on_progress", N_("called as on_progress(done, total) as futures are solved"), CALLBACK,
                     cli=False)
ON_STAGE = Option("on_stage", N_("called with a sentence as each stage of a decide-by run ends, and while a Dask "
                                 "cluster is reached and waited for"), CALLBACK, cli=False)
DELAY_PLAN = Option("plan", N_("the plan whose commitments are fixed (a plan workbook; default: the plan of "
                                "WORKBOOK)"), PATH, flags=("--plan",), metavar="PLAN.xlsx", role="input",
                    what=N_("the plan workbook whose delays are costed"))
YEARS = Option("years", N_("the delays to cost, in whole years (default {default})"), DELAY_YEARS, (1,),
               flags=("--years",), metavar="1,2,…")
CHUNK_SIZE = Option("chunk_size", N_("futures per task sent to a worker (default: a few tasks per worker)"),
                    POSITIVE, cli=False)

# ---- replan

REPLAN_PLAN = Option("plan", N_("the plan workbook of this round (written by policymix plan)"), PLAN, metavar="PLAN.xlsx",
                     required=True, role="input", what=N_("the plan workbook to re-plan"))
FROM_YEAR = Option("from_year", N_("the first year the next round decides (required): the plan's commitments before "
                                   "it become decisions already taken"), YEAR, flags=("--from",), metavar="YEAR", required=True)

#: What every command that reads a workbook takes: the scenario, the overrides and the reading limits.
INPUT = (SCENARIO, SET, SCALE, ADD, SHIFT, OVERRIDE_LIST, OBJECTIVE, MAX_UNZIPPED, LANG, DEBUG)
#: What every command that writes a workbook takes.
WRITES = (OUTPUT, JSON, FORCE, WRITE_WORKBOOK, OUTPUTS_DIR)


# ---------------------------------------------------------------- commands

@dataclass(frozen=True)
class Command:
    """One command: ``policymix NAME`` and ``optimiser.api.NAME`` (``-`` read as ``_``).

    ``options`` in the order --help lists them; ``exclusive``: groups of options of which one at most may be
    given; ``kind``: the default workbook name, outputs/<kind>-<scenario>-<timestamp>.xlsx; ``written``: the
    terminal's line when its workbook is written.
    """

    name: str
    help: str
    description: str
    options: tuple[Option, ...]
    exclusive: tuple[tuple[str, ...], ...] = ()
    kind: str = ""
    written: str = ""

    @property
    def python_name(self) -> str:
        return self.name.replace("-", "_")

    @property
    def takes_settings(self) -> bool:
        """Whether it reads a workbook with overrides, so the API takes settings as keyword arguments."""
        return any(o.name == "overrides" for o in self.options)

    def option(self, name: str) -> Option:
        for o in self.options:
            if o.name == name:
                return o
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(o.name == name for o in self.options)


def _commands(*commands: Command) -> dict[str, Command]:
    return {c.name: c for c in commands}


#: Every command, by name, in the order ``policymix --help`` lists them.
COMMANDS: dict[str, Command] = _commands(
    Command("plan", N_("solve a workbook and write the plan workbook"),
            N_("Solve WORKBOOK (default: the shipped Dutch default) and write a plan workbook."),
            (WORKBOOK, OUTPUT, JSON, FORCE.but(api=True), IAMC, SAVE_LP, ELASTIC, STRICT, ALTERNATIVES, SLACK, VERSUS_RULES,
             PLAN_FUTURES, *INPUT, *WRITES[3:]),
            exclusive=(("versus_rules", "iamc_path"), ("versus_rules", "save_lp")), kind="plan",
            written=N_("Plan written to {path}")),
    Command("check", N_("validate a workbook without solving"), N_("Validate WORKBOOK and list every problem found."),
            (WORKBOOK.but(help=N_("input or plan workbook (.xlsx)"), required=True), *INPUT)),
    Command("sweep", N_("solve a workbook at every point of a grid of input values"),
            N_("Solve WORKBOOK at every point of --vary/--vary-scale (several make a grid) on one live HiGHS instance "
               "and write a sweep workbook. Exit 0 when every point solved (a point that misses its target is a "
               "result), 4 when some point failed, 2 for bad input."),
            (WORKBOOK, VARY, VARY_SCALE, *WRITES[:3], IAMC, *INPUT, *WRITES[3:], KEEP_PLANS, ON_START, ON_POINT),
            kind="sweep", written=N_("Sweep written to {path}")),
    Command("compare", N_("show what changed between two plan workbooks"),
            N_("Read the result sheets of two plan workbooks and list what changed: status, cost, abatement, spend "
               "per instrument, measures, shadow prices."),
            (Option("a", N_("plan workbook A (written by policymix plan)"), PLAN, metavar="A.xlsx", required=True,
                    role="input", what=N_("plan workbook A")),
             Option("b", N_("plan workbook B"), PLAN, metavar="B.xlsx", required=True, role="input",
                    what=N_("plan workbook B")),
             OUTPUT.but(help=N_("also write a comparison workbook")), FORCE, MAX_UNZIPPED, LANG, DEBUG),
            written=N_("Comparison written to {path}")),
    Command("simulate", N_("allocate by the instruments' own rules instead of optimising"),
            N_("Allocate WORKBOOK's budgets by each instrument's own rules (SDE++ rounds, NIKI tender, VEKI first "
               "come first served, maatwerk; docs/rules.md) and write the result as a plan: same sheets and JSON, "
               "plus each measure's rule outcome (granted, realised, blocked by what). Exit 0 when the realised "
               "abatement meets every target, 3 when not, 2 for bad input."),
            (WORKBOOK, *WRITES[:3], *INPUT, *WRITES[3:]), kind="rules",
            written=N_("Simulated plan written to {path}")),
    Command("rules-gap", kind="rules-gap", written=N_("Plan with Rules vs optimum written to {path}"),
            options=(WORKBOOK, *WRITES[:3], ALTERNATIVES.but(cli=False), SLACK.but(cli=False), *INPUT, *WRITES[3:]),
            help=N_("solve the optimum and set the instruments' own rules beside it"),
            description=N_("Plan WORKBOOK, simulate its instruments' own rules, and compare: abatement, public cost, "
                           "cost per tonne, committed-but-idle budget, measures funded by one only, the extra public "
                           "cost of the rules for their abatement and the extra abatement of the optimum with the "
                           "rules' spending. Same as policymix plan --versus-rules; exit codes as plan.")),
    Command("template", N_("write a blank input workbook to fill in"),
            N_("Write a blank input workbook made from the manifest: an Instructions sheet, every sheet and column "
               "(meaning, unit and hints as header comments), drop-down lists for ids, kinds and yes/no, and two "
               "example rows per sheet, marked with # so they are ignored. 'policymix check OUT.xlsx' lists what "
               "is still missing."),
            (OUTPUT.but(flags=(), help=N_("the workbook to write"), required=True, api=True), FORCE.but(api=True), LANG,
             DEBUG),
            written=N_("Template written to {path}: fill it in, then 'policymix check {path}' lists what is still "
                       "missing")),
    Command("replan", N_("the input workbook of the next budget round, from a plan"),
            N_("Write the input workbook of the next budget round from PLAN.xlsx: start_year becomes YEAR, the plan's "
               "commitments of the years before YEAR become decisions already taken (sheet committed, with their "
               "instrument, subsidy and a note naming the plan), period budgets are reduced by what those "
               "commitments used, everything else is as in the plan's input sheets. Edit what really happened, then "
               "plan it: unedited, it plans the same commitments from YEAR on as the plan. Exit 0 when written, 2 "
               "for bad input (nothing written)."),
            (REPLAN_PLAN, FROM_YEAR, OUTPUT.but(help=N_("the input workbook to write (default: "
                                                        "outputs/next-<scenario>-<timestamp>.xlsx)"),
                                                 metavar="NEXT.xlsx"),
             FORCE, WRITE_WORKBOOK, OUTPUTS_DIR, MAX_UNZIPPED, LANG, DEBUG),
            kind="next", written=N_("Next round's input workbook written to {path}")),
    Command("futures", N_("how likely is the target, which measures are robust, what to decide now"),
            N_("Draw --samples futures from WORKBOOK's uncertainty sheet (Latin hypercube, --seed) and answer one of "
               "four questions: wait and see (default: each future planned on its own), a stress test of a plan "
               "(--plan: its commitments fixed), decide now, adapt later (--decide-by YEAR: one stochastic "
               "program), or the cheapest plan that is P sure of every target (--confidence P, with or without "
               "--decide-by). Writes a futures workbook and, with --json, the JSON. Exit 0 when every future solved "
               "(and every confidence level asked is attainable), 3 when a confidence level asked is not attainable, "
               "4 when some future failed, 2 for bad input."),
            (WORKBOOK.but(help=N_("input or plan workbook (.xlsx) with an uncertainty sheet; default: the shipped "
                                  "default (with --plan and no workbook: the plan's inputs)")),
             SAMPLES, SEED, STRESS_PLAN, DECIDE_BY, CONFIDENCE, VALIDATE, JOBS, SCHEDULER, TLS_CA_FILE, TLS_CERT,
             TLS_KEY, SCHEDULER_TIMEOUT, *WRITES[:3], *INPUT, *WRITES[3:], ON_START, ON_PROGRESS, ON_STAGE, CHUNK_SIZE),
            exclusive=(("plan", "decide_by"), ("plan", "confidence"), ("jobs", "scheduler")), kind="futures",
            written=N_("Futures written to {path}")),
    Command("delays", N_("what each delay of a grid, a CO2 store, a hydrogen supply or a lumpy project costs"),
            N_("For every stock resource whose capacity rises within the horizon and every lumpy measure: what --years "
               "of delay cost — the abatement the plan loses in the target year with its commitments fixed (--plan, "
               "else the plan of WORKBOOK), and, re-planned, the extra public cost and the shortfall left. Writes a "
               "delays workbook and, with --json, the JSON. Exit 0 when every re-plan solved, 4 when some failed, 2 "
               "for bad input."),
            (WORKBOOK.but(help=N_("input or plan workbook (.xlsx); default: the shipped default (with --plan and no "
                                  "workbook: the plan's inputs)")),
             DELAY_PLAN, YEARS, *WRITES[:3], *INPUT, *WRITES[3:], ON_START,
             ON_PROGRESS.but(help=N_("called as on_progress(done, total) as the delays are costed"))),
            kind="delays", written=N_("Delay register written to {path}")),
)


def find(name: str) -> Command:
    """The command called ``name`` ('rules_gap' finds 'rules-gap'); an unknown name is bad usage."""
    command = COMMANDS.get(name) or COMMANDS.get(str(name).replace("_", "-"))
    if command is None:
        raise InputError(_("unknown command '{mode}', expected one of {modes}", mode=name, modes=", ".join(COMMANDS)))
    return command


# ---------------------------------------------------------------- the validated options of one run

class Options(Mapping):
    """The options of one run after :func:`resolve`: every option of the command, checked, defaults filled in.

    ``o.samples`` reads one; ``o.given("plan")`` says whether the caller gave it; ``o.label("output")`` spells
    it as the caller did (``-o out.xlsx`` or ``output='out.xlsx'``) for messages.
    """

    def __init__(self, command: Command, values: dict[str, object], given: set[str], spelling: str):
        self.command = command
        self.spelling = spelling
        self._values = values
        self._given = given

    def __getattr__(self, name: str):
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        raise AttributeError(f"{self.__dict__.get('command', '?')!r} has no option {name!r}")

    def __getitem__(self, name: str):
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def given(self, name: str) -> bool:
        return name in self._given

    def label(self, name: str, value: object = None) -> str:
        return self.command.option(name).label(self._values.get(name) if value is None else value, self.spelling)

    def replace(self, **changes) -> Options:
        """These options with some values changed (a command run on behalf of another: plan --versus-rules)."""
        return Options(self.command, {**self._values, **changes}, self._given | set(changes), self.spelling)

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={self._values[k]!r}" for k in sorted(self._given))
        return f"<Options of {self.command.name}: {given}>"


def _is_given(value: object) -> bool:
    return value is not None and value is not False and value != ()


def resolve(name: str, given: Mapping[str, object], spelling: str = PYTHON) -> Options:
    """Check the options of one run of command ``name`` and fill in the defaults: every problem at once.

    ``given``: the options by name (the command line's parsed arguments, the API's keyword arguments, a
    script's ``run(…)``); ``settings`` (a dict) holds the API's settings keywords. The lists of pairs are
    gathered: ``overrides`` becomes ``set``, ``scale``, ``add``, ``shift``, the settings, ``overrides``, then
    the shorthands (``objective``, ``elastic``, ``strict``), in that order; ``vary`` then ``vary_scale``.
    Raises :class:`InputError` naming each option as the caller spelled it.
    """
    command = find(name)
    known = {o.name: o for o in command.options}
    problems: list[Problem] = []
    settings = dict(given.get(SETTINGS) or {})
    unknown = [k for k in given if k not in known and k != SETTINGS]
    if settings and not command.takes_settings:
        unknown += list(settings)
    for key in unknown:
        problems.append(Problem(_("{option}: {command} has no such option; its options are {options}",
                                  option=f"--{key.replace('_', '-')}" if spelling == CLI else f"{key}=",
                                  command=command.name,
                                  options=", ".join(o.name for o in command.options
                                                    if (o.cli if spelling == CLI else o.api)))))
    values: dict[str, object] = {}
    for option in command.options:
        value = given.get(option.name)
        if value is None:
            if option.required:
                problems.append(Problem(_("{option}: required", option=option.label(None, spelling))))
            values[option.name] = option.default
            continue
        try:
            values[option.name] = option.kind.convert(value)
        except InputError as exc:
            problems += exc.problems
        except (ValueError, TypeError):
            problems.append(Problem(_("{option}: expected {what}", option=option.label(value, spelling),
                                      what=option.kind.says())))
    present = {n for n, v in values.items() if n in given and _is_given(v)}
    for group in command.exclusive:
        taken = [n for n in group if n in present]
        for other in taken[1:]:
            problems.append(Problem(_("{option} is not available with {other}",
                                      option=known[other].label(None, spelling),
                                      other=known[taken[0]].label(None, spelling))))
    if not problems:
        try:
            _gather(command, values, given, settings)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return Options(command, values, present | ({SETTINGS} if settings else set()), spelling)


def _pairs_of(option: Option, value: object) -> list[tuple[str, str]]:
    """The (op, text) pairs an option's value stands for: the API's dict, one per entry; pairs as they are."""
    if value is None or value == ():
        return []
    if isinstance(value, Mapping) and option.kind.pairs is not None:
        return [(option.op, f"{target}={option.kind.pairs(target, v)}") for target, v in value.items()]
    if option.kind is OVERRIDES:
        raise InputError(Problem(_("{op}=: expected a dict {{'SHEET:ID:COLUMN': value}}, found {type}",
                                   op=option.name, type=type(value).__name__)))
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise InputError(Problem(_("{option}: expected (op, 'SHEET:ID:COLUMN=VALUE') pairs, found {item!r}",
                                       option=f"{option.name}=", item=item)))
    return [(str(op), str(text)) for op, text in items]


def _gather(command: Command, values: dict, given: Mapping, settings: Mapping) -> None:
    """Fold the options that add pairs (``--set``, ``vary_scale=``, the settings, ``--objective``) into the
    lists the pipeline reads, in the documented order."""
    for target in {o.into for o in command.options if o.into}:
        pairs: list[tuple[str, str]] = []
        for option in command.options:
            if option.name == target and option.kind is PAIRS and settings:
                pairs += [("set", f"settings:{key}={python_text(v)}") for key, v in settings.items()]
            if option.name == target or option.into == target:
                pairs += _pairs_of(option, values.get(option.name))
        if target == "overrides":
            pairs += [("set", f"settings:{o.setting}={python_text(values[o.name])}") for o in command.options
                      if o.setting and values.get(o.name) is not None and o.name in given]
        values[target] = pairs
        for option in command.options:
            if option.into == target and option.name != target:
                values[option.name] = None


# ---------------------------------------------------------------- files of a run

@dataclass(frozen=True)
class FileOf:
    """A file of a run: what it is (an input: its words; an output: its option), its path, how it is labelled."""

    path: Path
    label: str
    what: str = ""
    suffixes: tuple[str, ...] = ()


def files(o: Options, role: str) -> list[FileOf]:
    """The files of a run in a ``role``: "input", every file it reads (the workbook, a plan, the two plans of a
    comparison: paths only); "output", every file it was asked to write (not stdout, not a default name)."""
    found = []
    for option in o.command.options:
        value = o[option.name]
        if option.role != role or not isinstance(value, (str, os.PathLike)) or (option.stdout and value == "-"):
            continue
        found.append(FileOf(Path(value), o.label(option.name), option.what, option.suffixes))
    return found


# ---------------------------------------------------------------- the API's keyword arguments

def api_options(name: str) -> list[Option]:
    return [o for o in find(name).options if o.api]


def keywords(name: str, kwargs: Mapping[str, object]) -> dict[str, object]:
    """The API's keyword arguments as :func:`resolve` takes them: the options of the record by name, every other
    keyword a setting of the workbook (for commands that read one)."""
    command = find(name)
    names = {o.name for o in command.options if o.api}
    options = {k: v for k, v in kwargs.items() if k in names}
    settings = {k: v for k, v in kwargs.items() if k not in names}
    if settings:
        if not command.takes_settings:
            raise InputError([Problem(_("{option}: {command} has no such option; its options are {options}",
                                        option=f"{k}=", command=command.python_name,
                                        options=", ".join(sorted(names)))) for k in settings])
        options[SETTINGS] = settings
    return options


def signature(name: str):
    """The signature of ``optimiser.api.NAME``: its positional arguments, then its options as keywords, then
    ``**settings`` for a command that reads a workbook."""
    import inspect

    command = find(name)
    params = []
    for o in api_options(name):
        if o.positional:
            default = inspect.Parameter.empty if o.required else o.default
            params.append(inspect.Parameter(o.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default))
    for o in api_options(name):
        if not o.positional:
            params.append(inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=o.default))
    if command.takes_settings:
        params.append(inspect.Parameter(SETTINGS, inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(params)


def docstring(name: str, head: str = "") -> str:
    """``head`` followed by the command's options as the API takes them (their help in English)."""
    command = find(name)
    lines = [head.rstrip() or command.help, "", "Options (from the command record, optimiser/commands.py):", ""]
    for o in api_options(name):
        text = o.help.format(default=o.shown_default(), kind=command.kind or command.name).replace("%%", "%")
        default = f" (default {o.default!r})" if o.default not in (None, ()) and "{default}" not in o.help else ""
        lines.append(f"- ``{o.name}``{default}: {text}")
    if command.takes_settings:
        lines.append("- ``**settings``: settings of the workbook (``target_reduction_mt=25``); see docs/model.md.")
    return "\n".join(lines)

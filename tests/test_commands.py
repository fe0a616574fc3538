"""The command record (optimiser/commands.py): each command and option declared once, and everything made from it.

A toy option declared here, in the test, reaches the command line's parser (--help shows it, parsing accepts
and refuses it), the API's keyword arguments and the pipeline's validation with no other change; a toy command
with its pipeline function is a command of the command line and a function of the API. The validation is the
pipeline's, the same for every caller.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import optimiser
from builders import grid_case, workbook
from optimiser import api, commands, pipeline
from optimiser.cli import main, make_parser
from optimiser.commands import COMMANDS, COUNT, Command, Option
from optimiser.lang import N_
from optimiser.input.data import InputError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return workbook(tmp_path_factory.mktemp("commands") / "small.xlsx", grid_case())


# ---------------------------------------------------------------- one declaration

def test_every_command_has_its_pipeline_function_and_its_api_function():
    assert set(pipeline.RUNNERS) == set(COMMANDS)
    for command in COMMANDS.values():
        function = getattr(api, command.python_name)
        assert inspect.signature(function) == commands.signature(command.name), command.name
        assert getattr(optimiser, command.python_name) is function  # a top-level name (optimiser._LAZY)
        for option in commands.api_options(command.name):
            assert f"``{option.name}``" in function.__doc__, (command.name, option.name)


def test_an_option_shared_by_commands_is_one_declaration():
    """--force, -o, --json, --debug, …: the same flags, kind and help wherever they appear (a command may give
    its own help or make it positional, as ``Option.but`` does, but never a second spelling)."""
    by_name: dict[str, set] = {}
    for command in COMMANDS.values():
        names = [o.name for o in command.options]
        assert len(names) == len(set(names)), command.name
        flags = [f for o in command.options for f in o.flags]
        assert len(flags) == len(set(flags)), command.name
        for o in command.options:
            by_name.setdefault(o.name, set()).add((o.kind, o.flags or None, o.into))
    for name, spellings in by_name.items():
        flagged = {(kind, flags, into) for kind, flags, into in spellings if flags}
        assert len(flagged) <= 1, (name, flagged)
    counts = {name: sum(name in {o.name for o in c.options} for c in COMMANDS.values())
              for name in ("force", "output", "json_path", "debug")}
    assert counts == {"force": 9, "output": 9, "json_path": 6, "debug": 10}  # declared once each, used that often


def test_the_parser_holds_exactly_the_records_command_line_options():
    parser = make_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert list(sub.choices) == list(COMMANDS)
    for name, p in sub.choices.items():
        flags = {f for a in p._actions for f in a.option_strings} - {"-h", "--help"}
        assert flags == {f for o in COMMANDS[name].options if o.cli for f in o.flags}, name


# ---------------------------------------------------------------- a toy option

TOY = Option("toy_level", N_("how playful the plan is (default {default})"), COUNT, 0, flags=("--toy-level",),
             metavar="N")


@pytest.fixture
def toy(monkeypatch):
    """--toy-level N on plan, declared here only; the pipeline's plan function is watched to see what reaches it."""
    monkeypatch.setitem(COMMANDS, "plan", replace(COMMANDS["plan"], options=COMMANDS["plan"].options + (TOY,)))
    seen = []
    real = pipeline.RUNNERS["plan"]

    def watched(o):
        seen.append(o)
        return real(o)

    monkeypatch.setitem(pipeline.RUNNERS, "plan", watched)
    return seen


def test_a_toy_option_reaches_the_help_and_the_parser(toy, capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    out = capsys.readouterr().out
    assert "--toy-level N" in out and "how playful the plan is (default 0)" in out
    assert make_parser().parse_args(["plan", "--toy-level", "3"]).toy_level == 3
    with pytest.raises(SystemExit) as exit_:
        main(["plan", "--toy-level", "-1"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == ("policymix: error: argument --toy-level: expected a whole number ≥ 0, found "
                                       "'-1' (see policymix plan --help)\n")


def test_a_toy_option_reaches_the_pipeline_from_the_command_line(toy, small, tmp_path, capsys):
    assert main(["plan", str(small), "-o", str(tmp_path / "p.xlsx"), "--toy-level", "2"]) == 0
    assert toy[-1].toy_level == 2 and toy[-1].given("toy_level")
    assert main(["plan", str(small), "-o", str(tmp_path / "q.xlsx")]) == 0
    assert toy[-1].toy_level == 0 and not toy[-1].given("toy_level")  # the record's default


def test_a_toy_option_reaches_the_api_and_its_validation(toy, small):
    assert "toy_level" in commands.signature("plan").parameters
    p = optimiser.plan(small, toy_level=2)
    assert toy[-1].toy_level == 2 and p.outcome.options.toy_level == 2
    for bad in (-1, "many", 1.5, True):
        with pytest.raises(InputError) as exc:
            optimiser.plan(small, toy_level=bad)
        assert exc.value.problems[0].message == f"toy_level={bad!r}: expected a whole number ≥ 0"
    assert len(toy) == 1  # refused before the pipeline's function was called


# ---------------------------------------------------------------- a toy command

@pytest.fixture
def toy_command(monkeypatch):
    """policymix count: counts the measures of a workbook; declared and given its pipeline function here only."""
    count = Command("count", N_("count the measures of a workbook"), N_("Count the measures of WORKBOOK."),
                    (commands.WORKBOOK, TOY, *commands.INPUT))
    monkeypatch.setitem(COMMANDS, "count", count)

    def run_count(o):
        wb, inp, applied = pipeline.read(o)
        return pipeline.Outcome(len(inp.measures) + o.toy_level, 0, input=inp, overrides=applied)

    monkeypatch.setitem(pipeline.RUNNERS, "count", run_count)


def test_a_toy_command_is_a_command_and_a_function(toy_command, small, capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "count the measures of a workbook" in capsys.readouterr().out
    assert main(["count", str(small), "--toy-level", "1"]) == 0
    assert api.count(small) == 3 and api.count(small, toy_level=2) == 5
    assert api.count(small, set={"measures:c:abatement_mt": 1.5}) == 3
    assert list(inspect.signature(api.count).parameters)[:2] == ["workbook", "toy_level"]
    with pytest.raises(InputError, match="toy_level=-2: expected a whole number ≥ 0"):
        api.count(small, toy_level=-2)


# ---------------------------------------------------------------- one validation, the pipeline's

def test_the_pipeline_validates_for_every_caller(small):
    """Checked in pipeline.run before anything is read: the same rule for the API, the CLI and a script."""
    missing = "no-such-workbook.xlsx"  # never read: the options are refused first
    with pytest.raises(InputError, match=r"^alternatives=-1: expected a whole number ≥ 0$"):
        pipeline.run("plan", workbook=missing, alternatives=-1)
    with pytest.raises(InputError, match="slack='lots': expected a percentage"):
        pipeline.run("plan", workbook=missing, slack="lots")
    with pytest.raises(InputError, match="decide_by= is not available with plan="):
        pipeline.run("futures", workbook=missing, plan="p.xlsx", decide_by=2025)
    with pytest.raises(InputError, match="scheduler= is not available with jobs="):
        optimiser.futures(missing, scheduler="tcp://127.0.0.1:1", jobs=2)
    with pytest.raises(InputError, match="alternativs=: plan has no such option"):
        pipeline.run("plan", workbook=missing, alternativs=2)
    with pytest.raises(InputError) as exc:
        pipeline.run("plan", workbook=missing, alternatives=-1, samples=3, max_unzipped_mb=0)
    assert len(exc.value.problems) == 3  # every problem at once
    # the CLI's refusals come from the same declarations
    proc = subprocess.run([sys.executable, "-m", "optimiser", "plan", missing, "--versus-rules", "--iamc", "x.csv"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and proc.stderr == "error: --iamc is not available with --versus-rules\n"


@pytest.mark.parametrize("text", ["5%", "5", "0.05", 0.05, 5])
def test_a_percentage_reads_the_same_from_every_caller(text):
    assert commands.resolve("plan", {"slack": text}).slack == pytest.approx(0.05)


def test_the_overrides_gather_in_one_order_for_every_caller(small):
    """set, scale, add, shift, the settings, overrides=, then the shorthands in the order the record declares them —
    as the command line applies them."""
    o = commands.resolve("plan", {"set": {"measures:b:cost_eur_per_t": 40}, "scale": {"budgets:G:*": 2},
                                  "settings": {"target_reduction_mt": 2}, "objective": "min-cost",
                                  "overrides": [("add", "measures:a:cost_eur_per_t=1")], "strict": True})
    assert o.overrides == [("set", "measures:b:cost_eur_per_t=40"), ("scale", "budgets:G:*=2"),
                           ("set", "settings:target_reduction_mt=2"), ("add", "measures:a:cost_eur_per_t=1"),
                           ("set", "settings:strict=yes"), ("set", "settings:objective=min-cost")]
    args = make_parser().parse_args(["plan", "--strict", "--set", "measures:b:cost_eur_per_t=40", "--objective",
                                     "min-cost", "--scale", "budgets:G:*=2"])
    cli = commands.resolve("plan", {k: v for k, v in vars(args).items() if k in ("overrides", "objective", "strict")
                                    and v is not None})
    assert cli.overrides == [("set", "measures:b:cost_eur_per_t=40"), ("scale", "budgets:G:*=2"),
                             ("set", "settings:strict=yes"), ("set", "settings:objective=min-cost")]


# ---------------------------------------------------------------- the docs made from the record

def test_the_commands_page_is_made_from_the_record():
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "make_commands.py"), "--check"], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr

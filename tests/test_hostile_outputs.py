"""Outputs never lose or misread work (issue 21): hostile command lines and API calls on the output side.

One test per case of the issue, each with its neighbours:

- every output path is checked against every input of the run (the workbook, the plan of ``--plan``, the two
  plans of ``compare``, the shipped default workbook) and against the run's other outputs, on the command line
  and in the API (``to_excel``, ``to_json``, ``to_iamc`` of every result object);
- ``-o`` must name a .xlsx file, ``--json`` a .json file (or ``-``);
- an output gets the permissions an ordinary new file gets (the umask honoured); a replaced one keeps its own;
- an output that cannot be written after the solve is named by its own name (never the hidden temporary file),
  and the result is kept under another name, which the error line gives (exit 1, docs/model.md section 10);
- ``--lang`` is accepted before or after ``--help`` and before or after the command.

Every refusal: exit 2, one line naming the option and the file, nothing written and no input touched.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import openpyxl
import pytest

import optimiser
from builders import grid_case, workbook
from optimiser.cli import main
from optimiser.pipeline import default_workbook
from optimiser.report.files import atomic_write
from test_futures import one_cost_case


# ---------------------------------------------------------------- helpers

def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under root."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = None
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = Path(p).read_bytes() if not os.path.islink(p) else b"link"
    return out


def refused(argv: list, capsys, folder: Path, fragment: str) -> str:
    """Run argv in-process: exit 2, one error line holding ``fragment``, nothing under ``folder`` changed."""
    before = snapshot(folder)
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [line for line in err.splitlines() if not line.startswith("note: ")]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in err
    assert snapshot(folder) == before, "a file was written, removed or changed"
    return lines[0]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """The API tests' three-measure case (tests/builders.grid_case): plan cost 1,850 M€."""
    return workbook(tmp_path_factory.mktemp("hostile-outputs") / "small.xlsx", grid_case())


@pytest.fixture
def here(tmp_path, small, monkeypatch) -> Path:
    """A folder with the input workbook in.xlsx, as the current directory."""
    shutil.copy(small, tmp_path / "in.xlsx")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def futures_wb(tmp_path_factory) -> Path:
    return workbook(tmp_path_factory.mktemp("futures") / "f.xlsx", one_cost_case())


@pytest.fixture(scope="module")
def a_plan(tmp_path_factory, futures_wb) -> Path:
    """A plan workbook of the futures case (the input of a stress test)."""
    out = tmp_path_factory.mktemp("plan") / "p.xlsx"
    assert main(["plan", str(futures_wb), "-o", str(out)]) == 0
    return out


# ---------------------------------------------------------------- every output against every input

def test_json_onto_the_plan_of_a_stress_test_is_refused_even_with_force(tmp_path, futures_wb, a_plan, capsys):
    # the case of the issue: --json replaced the plan workbook (an input) with JSON
    plan = tmp_path / "p.xlsx"
    shutil.copy(a_plan, plan)
    refused(["futures", futures_wb, "--plan", plan, "--json", plan, "--force", "--samples", "2", "--jobs", "1"],
            capsys, tmp_path, f"--json {plan}: that is the plan workbook of the stress test")


@pytest.mark.parametrize("spelling", ["relative", "symlink", "hardlink"])
def test_json_onto_the_plan_under_another_name_is_refused(tmp_path, futures_wb, a_plan, capsys, monkeypatch, spelling):
    monkeypatch.chdir(tmp_path)
    shutil.copy(a_plan, tmp_path / "p.xlsx")
    name = {"relative": "./sub/../p.xlsx", "symlink": "link.json", "hardlink": "hard.json"}[spelling]
    (tmp_path / "sub").mkdir()
    if spelling == "symlink":
        os.symlink(tmp_path / "p.xlsx", tmp_path / "link.json")
    if spelling == "hardlink":
        os.link(tmp_path / "p.xlsx", tmp_path / "hard.json")
    args = ["futures", futures_wb, "--plan", "p.xlsx", "--force", "--samples", "2", "--jobs", "1"]
    option = "--json" if spelling != "relative" else "-o"
    refused(args + [option, name], capsys, tmp_path, f"{option} {name}: that is the plan workbook of the stress test")


def test_the_plan_of_a_stress_test_without_a_workbook_is_its_input(tmp_path, a_plan, capsys):
    plan = tmp_path / "p.xlsx"
    shutil.copy(a_plan, plan)
    refused(["futures", "--plan", plan, "-o", plan, "--force", "--samples", "2"], capsys, tmp_path,
            f"-o {plan}: that is the plan workbook of the stress test")


def test_iamc_onto_the_input_workbook_is_refused(here, capsys):
    refused(["plan", "in.xlsx", "--iamc", "in.xlsx", "--force"], capsys, here,
            "--iamc in.xlsx: that is the input workbook")


def test_compare_never_writes_onto_either_plan(here, capsys):
    assert main(["plan", "in.xlsx", "-o", "a.xlsx"]) == 0
    shutil.copy(here / "a.xlsx", here / "b.xlsx")
    capsys.readouterr()
    refused(["compare", "a.xlsx", "b.xlsx", "-o", "b.xlsx", "--force"], capsys, here,
            "-o b.xlsx: that is plan workbook B")


def test_the_shipped_default_workbook_is_never_an_output(here, capsys):
    default = default_workbook()
    refused(["template", default, "--force"], capsys, here, f"{default}: that is the shipped default workbook")
    refused(["plan", "in.xlsx", "-o", default, "--force"], capsys, here,
            f"-o {default}: that is the shipped default workbook")


@pytest.mark.parametrize("second", ["same", "dotted"])
def test_two_outputs_of_one_run_never_share_a_file(here, capsys, second):
    name = "x.xlsx" if second == "same" else "./sub/../x.xlsx"
    (here / "sub").mkdir()
    refused(["plan", "in.xlsx", "-o", "x.xlsx", "--iamc", name, "--force"], capsys, here,
            f"--iamc {name}: another output of this run goes there")
    refused(["sweep", "in.xlsx", "--vary", "settings:target_reduction_mt=1,2", "-o", "x.xlsx", "--iamc", name],
            capsys, here, f"--iamc {name}: another output of this run goes there")


def test_the_api_never_writes_onto_an_input_of_the_run(here, a_plan, futures_wb):
    src = here / "in.xlsx"
    before = src.read_bytes()
    p = optimiser.plan(src)
    for write, what in ((lambda: p.to_excel(src, force=True), "the input workbook"),
                        (lambda: p.to_iamc(src, force=True), "the input workbook"),
                        (lambda: p.to_json(src, force=True), "the input workbook")):
        with pytest.raises(optimiser.InputError, match=f"that is {what}"):
            write()
    link = here / "link.json"
    os.symlink(src, link)
    with pytest.raises(optimiser.InputError, match="that is the input workbook"):
        p.to_json(link, force=True)
    s = optimiser.sweep(src, vary={"settings:target_reduction_mt": [1, 2]})
    with pytest.raises(optimiser.InputError, match="that is the input workbook"):
        s.to_excel(src, force=True)
    with pytest.raises(optimiser.InputError, match="that is the input workbook"):
        s.to_iamc(src, force=True)
    assert src.read_bytes() == before
    # a plan's alternatives and a sweep's plans come from the same run: the same inputs
    with pytest.raises(optimiser.InputError, match="that is the input workbook"):
        s.plans[0].to_excel(src, force=True)
    # the default workbook, the plans of a comparison, the plan of a stress test
    d = optimiser.plan(target_reduction_mt=12)
    default = default_workbook()
    with pytest.raises(optimiser.InputError, match="that is the shipped default workbook"):
        d.to_excel(default, force=True)
    a = p.to_excel(here / "a.xlsx")
    c = optimiser.compare(a, d)
    with pytest.raises(optimiser.InputError, match="that is plan workbook A"):
        c.to_excel(a, force=True)
    plan = here / "p.xlsx"
    shutil.copy(a_plan, plan)
    f = optimiser.futures(futures_wb, plan=plan, samples=2, jobs=1)
    for write in (lambda: f.to_excel(plan, force=True), lambda: f.to_excel(futures_wb, force=True)):
        with pytest.raises(optimiser.InputError, match="that is the (plan workbook of the stress test|input workbook)"):
            write()
    assert plan.read_bytes() == a_plan.read_bytes()


# ---------------------------------------------------------------- the extension says what is inside

OUTPUT_COMMANDS = {
    "plan": ["plan", "in.xlsx", "-o"],
    "sweep": ["sweep", "in.xlsx", "--vary", "settings:target_reduction_mt=1,2", "-o"],
    "simulate": ["simulate", "in.xlsx", "-o"],
    "rules-gap": ["rules-gap", "in.xlsx", "-o"],
    "futures": ["futures", "in.xlsx", "--samples", "2", "-o"],
    "compare": ["compare", "in.xlsx", "in.xlsx", "-o"],
    "template": ["template"],
}


@pytest.mark.parametrize("name", ["out.csv", "out.json", "out", "out.xls", "out.xlsx.tmp"])
@pytest.mark.parametrize("command", list(OUTPUT_COMMANDS))
def test_an_output_workbook_must_be_named_xlsx(here, capsys, command, name):
    target = f"-o {name}" if command != "template" else name
    refused(OUTPUT_COMMANDS[command] + [name], capsys, here, f"{target}: expected a .xlsx file")


def test_the_extension_is_checked_before_anything_else_is_read(here, capsys):
    # the workbook does not exist: the bad extension is still what is said (nothing is read first)
    refused(["plan", "missing.xlsx", "-o", "out.csv"], capsys, here, "-o out.csv: expected a .xlsx file")


def test_an_upper_case_extension_is_a_workbook(here, capsys):
    assert main(["plan", "in.xlsx", "-o", "OUT.XLSX"]) == 0
    assert openpyxl.load_workbook(here / "OUT.XLSX", read_only=True).sheetnames[0] == "Summary"


@pytest.mark.parametrize("name", ["out.xlsx", "out.csv", "out.txt", "out"])
def test_json_must_be_named_json(here, capsys, name):
    refused(["plan", "in.xlsx", "-o", "p.xlsx", "--json", name], capsys, here, f"--json {name}: expected a .json file")


def test_json_to_stdout_and_an_upper_case_json_are_fine(here, capsys):
    assert main(["plan", "in.xlsx", "--json", "OUT.JSON"]) == 0
    assert (here / "OUT.JSON").read_text().startswith("{")
    capsys.readouterr()
    assert main(["plan", "in.xlsx", "--json", "-"]) == 0
    assert capsys.readouterr().out.lstrip().startswith("{")


def test_the_api_checks_the_extension_too(here):
    p = optimiser.plan(here / "in.xlsx")
    with pytest.raises(optimiser.InputError, match="out.csv: expected a .xlsx file"):
        p.to_excel(here / "out.csv")
    with pytest.raises(optimiser.InputError, match="out.xlsx: expected a .json file"):
        p.to_json(here / "out.xlsx")
    assert sorted(x.name for x in here.iterdir()) == ["in.xlsx"]


# ---------------------------------------------------------------- permissions of an ordinary new file

@pytest.fixture
def umask():
    previous = os.umask(0o022)
    os.umask(previous)

    def set_(value: int) -> None:
        os.umask(value)

    yield set_
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_outputs_get_the_permissions_of_an_ordinary_new_file(here, capsys, umask, mask):
    umask(mask)
    expected = 0o666 & ~mask
    assert main(["plan", "in.xlsx", "-o", "p.xlsx", "--json", "p.json", "--iamc", "p.csv", "--save-lp",
                 "p.mps"]) == 0
    assert main(["plan", "in.xlsx"]) == 0  # a default name in outputs/
    made = [here / n for n in ("p.xlsx", "p.json", "p.csv", "p.mps")] + list((here / "outputs").iterdir())
    assert {p.name: mode(p) for p in made} == {p.name: expected for p in made}
    assert mode(here / "outputs") == 0o777 & ~mask  # the folder made for them, too


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_every_command_writes_ordinary_files(here, capsys, umask, mask, futures_wb):
    umask(mask)
    expected = 0o666 & ~mask
    assert main(["template", "t.xlsx"]) == 0
    assert main(["sweep", "in.xlsx", "--vary", "settings:target_reduction_mt=1,2", "-o", "s.xlsx", "--json",
                 "s.json"]) == 0
    assert main(["simulate", "in.xlsx", "-o", "r.xlsx"]) == 0
    assert main(["plan", "in.xlsx", "-o", "a.xlsx"]) == 0
    assert main(["compare", "a.xlsx", "a.xlsx", "-o", "c.xlsx"]) == 0
    assert main(["futures", str(futures_wb), "--samples", "2", "--jobs", "1", "-o", "f.xlsx", "--json", "f.json"]) == 0
    for name in ("t.xlsx", "s.xlsx", "s.json", "r.xlsx", "a.xlsx", "c.xlsx", "f.xlsx", "f.json"):
        assert mode(here / name) == expected, name


def test_the_api_writes_ordinary_files(here, umask):
    umask(0o022)
    p = optimiser.plan(here / "in.xlsx")
    p.to_excel(here / "p.xlsx")
    p.to_json(here / "p.json")
    p.to_iamc(here / "p.csv")
    assert [mode(here / n) for n in ("p.xlsx", "p.json", "p.csv")] == [0o644] * 3


@pytest.mark.parametrize("old", [0o640, 0o600, 0o664])
def test_a_replaced_output_keeps_its_own_permissions(here, capsys, umask, old):
    umask(0o022)
    for name in ("p.xlsx", "p.json"):
        (here / name).write_bytes(b"old")
        os.chmod(here / name, old)
    assert main(["plan", "in.xlsx", "-o", "p.xlsx", "--json", "p.json", "--force"]) == 0
    assert (here / "p.json").read_text().startswith("{")
    assert mode(here / "p.xlsx") == old and mode(here / "p.json") == old


def test_atomic_write_makes_an_ordinary_file(tmp_path, umask):
    umask(0o027)
    atomic_write(tmp_path / "x.txt", lambda tmp: Path(tmp).write_text("x"))
    assert mode(tmp_path / "x.txt") == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


def test_a_long_file_name_is_written_though_its_temporary_name_would_be_longer(tmp_path):
    name = "p" * 245 + ".xlsx"  # 250 bytes: a legal name; '.' + name + '.XXXXXXXX.tmp' would not be
    atomic_write(tmp_path / name, lambda tmp: Path(tmp).write_text("x"))
    assert (tmp_path / name).read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


# ---------------------------------------------------------------- an output that cannot be written after the solve

def _sabotage(monkeypatch, how, target: Path):
    """Make ``target`` unwritable once the run has passed its checks and solved: just before the plan is written."""
    import optimiser.report.plan as plan_module

    real = plan_module.write_plan

    def write_plan(result, path, **kw):
        if Path(path) == target or (how == "locked" and Path(path).name == target.name):
            how_ = how
            if how_ == "locked":  # the file is held by another program: here a folder stands in its way
                target.unlink(missing_ok=True)
                target.mkdir()
            elif how_ in ("folder", "nowhere"):  # the folder is gone (a drive unmounted)
                shutil.rmtree(target.parent)
                target.parent.write_text("not a folder any more")
                if how_ == "nowhere":
                    Path("outputs").write_text("not a folder either")
        return real(result, path, **kw)

    monkeypatch.setattr(plan_module, "write_plan", write_plan)


def _kept(err: str) -> Path:
    line = next(line for line in err.splitlines() if "written to" in line and "instead" in line)
    return Path(line.split("written to ")[1].split(" instead")[0])


@pytest.mark.parametrize("force", [False, True])
def test_a_locked_output_keeps_the_plan_beside_it(here, capsys, monkeypatch, force):
    target = here / "p.xlsx"
    if force:
        target.write_bytes(b"old")
    _sabotage(monkeypatch, "locked", target)
    code = main(["plan", "in.xlsx", "-o", str(target)] + (["--force"] if force else []))
    out, err = capsys.readouterr()
    assert code == 1, err
    assert f"error: cannot write {target}: " in err
    assert ".tmp" not in err and "Traceback" not in err
    kept = _kept(err)
    assert kept.parent == here and kept.name.startswith("p-") and kept.suffix == ".xlsx"
    assert openpyxl.load_workbook(kept, read_only=True).sheetnames[0] == "Summary"
    assert "Every target is met" in out  # the answer was shown all the same
    assert not [p for p in here.iterdir() if p.name.endswith(".tmp")]
    # the kept plan is the plan: it re-runs to the same cost
    assert optimiser.plan(kept).public_cost_meur == pytest.approx(1850.0)


def test_a_vanished_folder_keeps_the_plan_in_outputs(here, capsys, monkeypatch):
    (here / "out").mkdir()
    target = here / "out" / "p.xlsx"
    _sabotage(monkeypatch, "folder", target)
    code = main(["plan", "in.xlsx", "-o", str(target), "--json", "out/p.json"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"error: cannot write {target}: " in err and ".tmp" not in err
    kept = _kept(err)
    assert kept.parent.name == "outputs" and kept.exists()
    assert openpyxl.load_workbook(kept, read_only=True).sheetnames[0] == "Summary"
    # the JSON, whose folder went too, is kept as well
    assert "error: cannot write out/p.json: " in err
    assert any(p.suffix == ".json" for p in (here / "outputs").iterdir())


def test_when_nothing_can_be_written_the_error_says_how_to_write_it(here, capsys, monkeypatch):
    (here / "out").mkdir()
    target = here / "out" / "p.xlsx"
    _sabotage(monkeypatch, "nowhere", target)
    code = main(["plan", "in.xlsx", "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot write {target}: ")
    assert "run again with -o" in lines[0] and ".tmp" not in lines[0]


def test_a_failed_write_names_the_users_file_not_the_temporary_one(tmp_path):
    blocker = tmp_path / "gone"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(OSError) as exc:
        atomic_write(blocker / "plan.xlsx", lambda tmp: Path(tmp).write_text("x"))
    assert exc.value.filename == str(blocker / "plan.xlsx")
    folder = tmp_path / "plan.xlsx"
    folder.mkdir()  # something in the way at the rename
    with pytest.raises(OSError) as exc:
        atomic_write(folder, lambda tmp: Path(tmp).write_text("x"))
    assert exc.value.filename == str(folder) and ".tmp" not in str(exc.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone", "plan.xlsx"]


def test_the_api_keeps_the_result_when_a_write_fails(here, monkeypatch):
    p = optimiser.plan(here / "in.xlsx")
    blocked = here / "p.xlsx"
    _sabotage(monkeypatch, "locked", blocked)
    with pytest.raises(OSError) as exc:
        p.to_excel(blocked)
    assert exc.value.filename == str(blocked) and ".tmp" not in str(exc.value)
    assert p.to_excel(here / "q.xlsx").exists()  # the plan is still there to write elsewhere
    assert sorted(x.name for x in here.iterdir()) == ["in.xlsx", "p.xlsx", "q.xlsx"]


# ---------------------------------------------------------------- --lang before or after --help and the command

@pytest.mark.parametrize("argv", [
    ["--lang", "nl", "--help"], ["--help", "--lang", "nl"], ["--lang=nl", "--help"],
    ["--lang", "nl", "plan", "--help"], ["plan", "--help", "--lang", "nl"], ["plan", "--lang", "nl", "--help"],
    ["--lang", "nl", "futures", "-h"], ["--lang", "en", "plan", "--lang", "nl", "--help"],
])
def test_lang_before_or_after_help_and_the_command(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    assert exit_.value.code == 0, err
    assert out.startswith("gebruik: policymix") and "toon deze hulp en stop" in out


def test_lang_before_the_command_runs_it_in_that_language(here, capsys):
    assert main(["--lang", "nl", "plan", "in.xlsx", "-o", "p.xlsx"]) == 0
    assert "Elk doel wordt gehaald" in capsys.readouterr().out
    assert main(["--lang", "nl", "plan", "in.xlsx", "-o", "q.xlsx", "--lang", "en"]) == 0  # the last one given
    assert "Every target is met" in capsys.readouterr().out


def test_an_unknown_language_is_one_usage_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--lang", "fr", "--help"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err == "policymix: error: argument --lang: expected one of en, nl, found 'fr' (see policymix --help)\n"


def test_lang_without_a_command_shows_the_help_in_that_language(capsys):
    assert main(["--lang", "nl"]) == 2
    assert capsys.readouterr().out.startswith("gebruik: policymix")

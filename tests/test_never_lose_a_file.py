"""Never lose a file (issue 4): atomic writes, interrupted runs, -o and --force, concurrent runs.

An interrupted write leaves the old file or the new one, never a truncated one.
The kills happen at a controlled point — while the write callback (or
the toolkit's save inside ``plan``) sleeps on a half-written temporary file —
set up by the test itself in a child interpreter, never by a hook in the
product code.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest

from make_bad_corpus import base_bytes
from optimiser.cli import main
from optimiser.report.files import atomic_write

ROOT = Path(__file__).resolve().parent.parent
OLD = b"the old plan, which must survive"


def env():
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# ---------------------------------------------------------------- atomic_write directly

@pytest.mark.parametrize("old", [None, OLD], ids=["no-old-file", "old-file"])
@pytest.mark.parametrize("force", [True, False])
@pytest.mark.parametrize("failure", [RuntimeError("writer crashed"), KeyboardInterrupt(),
                                     OSError(errno.ENOSPC, "No space left on device")],
                         ids=["crash", "ctrl-c", "disk-full"])
def test_a_failed_write_leaves_the_old_file_or_nothing(tmp_path, old, force, failure):
    target = tmp_path / "plan.xlsx"
    if old is not None:
        target.write_bytes(old)

    def half_then_fail(tmp):
        with open(tmp, "wb") as f:
            f.write(b"PK\x03\x04 half a workbook")
        raise failure

    with pytest.raises(type(failure)):
        atomic_write(target, half_then_fail, force=force)
    if old is None:
        assert listing(tmp_path) == set()
    else:
        assert target.read_bytes() == old
        assert listing(tmp_path) == {"plan.xlsx"}


def test_a_completed_write_replaces_only_with_force(tmp_path):
    target = tmp_path / "plan.xlsx"
    target.write_bytes(OLD)

    def fill(tmp):
        Path(tmp).write_bytes(b"new")

    with pytest.raises(FileExistsError):
        atomic_write(target, fill, force=False)
    assert target.read_bytes() == OLD and listing(tmp_path) == {"plan.xlsx"}
    atomic_write(target, fill, force=True)
    assert target.read_bytes() == b"new" and listing(tmp_path) == {"plan.xlsx"}


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from optimiser.report.files import atomic_write

    def fill(tmp):
        with open(tmp, "wb") as f:
            f.write(b"PK half a workbook")
            f.flush()
        print("READY", flush=True)
        time.sleep(60)
        with open(tmp, "ab") as f:
            f.write(b" and the rest")

    atomic_write(sys.argv[1], fill, force=True)
""")


def test_a_writer_killed_mid_write_leaves_the_old_file(tmp_path):
    """SIGKILL cannot be caught: the target is still the old file, whole.

    The half-written temporary file stays behind as a hidden ``.plan.xlsx.*.tmp``
    beside the target (no process survives to remove it); it is never the target.
    """
    target = tmp_path / "plan.xlsx"
    target.write_bytes(OLD)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE,
                            env=env(), text=True)
    try:
        assert proc.stdout.readline().strip() == "READY"
        proc.kill()
    finally:
        proc.wait(timeout=30)
    assert target.read_bytes() == OLD
    leftovers = listing(tmp_path) - {"plan.xlsx"}
    assert all(name.startswith(".plan.xlsx.") and name.endswith(".tmp") for name in leftovers), leftovers


# ---------------------------------------------------------------- `plan` interrupted mid-write

INTERRUPTED_PLAN = textwrap.dedent("""
    import signal, sys, time
    from optimiser.report.xlsx import Book

    # Ctrl-C as on a terminal: a test suite run as a background job starts its children with SIGINT ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)

    fill = Book._fill_file

    def half_save_then_wait(self, filename):
        fill(self, filename)
        with open(filename, "r+b") as f:
            f.truncate(200)  # what a disk holds halfway through the save
        print("READY", flush=True)
        time.sleep(60)

    Book._fill_file = half_save_then_wait
    from optimiser.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def _interrupt_plan(tmp_path: Path, sig: int, args: list[str]) -> subprocess.CompletedProcess:
    src = tmp_path / "in.xlsx"
    src.write_bytes(base_bytes())
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPTED_PLAN, "plan", str(src), *args], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(), text=True)
    try:
        line = proc.stdout.readline()
        assert "READY" in line, line + proc.stderr.read()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert src.read_bytes() == base_bytes()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_plan_interrupted_mid_write_keeps_the_old_plan_and_no_temporary_file(tmp_path, sig, code):
    out = tmp_path / "plan.xlsx"
    out.write_bytes(OLD)
    done = _interrupt_plan(tmp_path, sig, ["-o", str(out), "--force"])
    assert done.returncode == code, done.stderr
    assert "interrupted: nothing was written" in done.stderr and "Traceback" not in done.stderr
    assert out.read_bytes() == OLD
    assert listing(tmp_path) == {"in.xlsx", "plan.xlsx"}


def test_plan_killed_mid_write_to_a_default_name_leaves_no_plan(tmp_path):
    done = _interrupt_plan(tmp_path, signal.SIGTERM, [])
    assert done.returncode == 143, done.stderr
    assert {p for p in listing(tmp_path) if not p.startswith("outputs")} == {"in.xlsx"}
    assert list((tmp_path / "outputs").iterdir()) == []  # the folder may exist; no plan and no temp file in it


def test_plan_sigkilled_mid_write_never_leaves_a_truncated_plan(tmp_path):
    out = tmp_path / "plan.xlsx"
    out.write_bytes(OLD)
    _interrupt_plan(tmp_path, signal.SIGKILL, ["-o", str(out), "--force"])
    assert out.read_bytes() == OLD
    leftovers = listing(tmp_path) - {"in.xlsx", "plan.xlsx"}
    assert all(name.startswith(".plan.xlsx.") and name.endswith(".tmp") for name in leftovers), leftovers


# ---------------------------------------------------------------- -o and --force

@pytest.mark.parametrize("spelling", ["same", "relative", "dotted", "symlink", "hardlink"])
def test_output_that_is_the_input_under_any_name_is_refused(tmp_path, spelling, capsys, monkeypatch):
    (tmp_path / "sub").mkdir()
    src = tmp_path / "in.xlsx"
    src.write_bytes(base_bytes())
    mtime = src.stat().st_mtime_ns
    monkeypatch.chdir(tmp_path)
    out = {"same": str(src), "relative": "in.xlsx", "dotted": "sub/../in.xlsx", "symlink": "link.xlsx",
           "hardlink": "hard.xlsx"}[spelling]
    if spelling == "symlink":
        os.symlink(src, tmp_path / "link.xlsx")
    if spelling == "hardlink":
        os.link(src, tmp_path / "hard.xlsx")
    before = listing(tmp_path)
    assert main(["plan", str(src), "-o", out, "--force"]) == 2
    err = capsys.readouterr().err
    assert f"-o {out}: that is the input workbook" in err
    assert src.read_bytes() == base_bytes() and src.stat().st_mtime_ns == mtime
    assert listing(tmp_path) == before


def test_existing_outputs_are_replaced_only_with_force(tmp_path, capsys):
    src = tmp_path / "in.xlsx"
    src.write_bytes(base_bytes())
    out, js = tmp_path / "plan.xlsx", tmp_path / "plan.json"
    out.write_bytes(OLD)
    assert main(["plan", str(src), "-o", str(out)]) == 2
    assert "file exists; pass --force to replace it" in capsys.readouterr().err
    assert out.read_bytes() == OLD
    out.unlink()
    js.write_bytes(OLD)
    assert main(["plan", str(src), "-o", str(out), "--json", str(js)]) == 2
    assert f"--json {js}: file exists" in capsys.readouterr().err
    assert not out.exists() and js.read_bytes() == OLD  # refused before anything was written
    assert main(["plan", str(src), "-o", str(out), "--json", str(js), "--force"]) == 0
    assert openpyxl.load_workbook(out, read_only=True).sheetnames[0] == "Summary"
    assert js.read_bytes() != OLD
    assert listing(tmp_path) == {"in.xlsx", "plan.xlsx", "plan.json"}


# ---------------------------------------------------------------- concurrent runs

SAME_SECOND = textwrap.dedent("""
    import datetime, sys
    import optimiser.pipeline as pipeline

    class Frozen(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime(2030, 1, 1, 12, 0, 0)

    pipeline.datetime = Frozen  # every run picks the same default name first
    from optimiser.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def test_concurrent_runs_into_one_outputs_folder_all_succeed_with_separate_files(tmp_path):
    src = tmp_path / "in.xlsx"
    src.write_bytes(base_bytes())
    procs = [subprocess.Popen([sys.executable, "-c", SAME_SECOND, "plan", str(src)], cwd=tmp_path, env=env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, code in results:
        assert code == 0, err
    written = sorted(p.name for p in (tmp_path / "outputs").iterdir())
    stem = "plan-test-20300101-120000"
    assert written == [f"{stem}-2.xlsx", f"{stem}-3.xlsx", f"{stem}.xlsx"]
    claimed = sorted(line.split("Plan written to ")[1] for out, _, _ in results for line in out.splitlines()
                     if line.startswith("Plan written to "))
    assert sorted(Path(c).name for c in claimed) == written  # each run reports its own file
    for name in written:
        with zipfile.ZipFile(tmp_path / "outputs" / name) as z:
            assert z.testzip() is None
        assert openpyxl.load_workbook(tmp_path / "outputs" / name, read_only=True).sheetnames[0] == "Summary"

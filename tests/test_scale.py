"""Plant-level inputs (optimiser.input.synthetic): the pinned optimum of the perturbed 1 000-measure workbook,
the generator's own rules, and long solves stopped by Ctrl-C / SIGTERM.

Nothing here times the planner (2 shared cores are noisy; bench/bench_scale.py prints figures).
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from optimiser.input.synthetic import plant_level
from optimiser.input.tables import to_input, to_tables
from optimiser.report.inputs import write_input_workbook

ROOT = Path(__file__).resolve().parent.parent

#: The optimum of plant_level(default, 1 000, seed=1) as planned before the speed-ups of issue 16
#: (commit 10316db, `policymix plan` on the written workbook): any change of an answer shows here. The
#: default workbook of that commit is kept in tests/data, so later changes of the default's data do not
#: move the pin.
PINNED_BASE = Path(__file__).resolve().parent / "data" / "default-10316db.xlsx"
PINNED_1000 = {"objective_meur": 150399.381998724, "target_shadow_eur_per_t": 1868.328551373,
               "abatement_mt": 492.683}


@pytest.fixture(scope="module")
def base():
    """The synthetic plant-level workbooks grow from the advice's workbook (ser-2023): its 2024–2030 horizon
    and open Aramis and Tata options make the hard, slow solves these tests need."""
    from optimiser.pipeline import load

    return load("ser-2023")[1]


def _workbook(inp, path: Path) -> Path:
    return write_input_workbook(to_tables(inp), inp.years, path)


def test_generator_is_seeded_and_scales_the_limits(base):
    a = plant_level(base, 100, seed=3)
    b = plant_level(base, 100, seed=3)
    c = plant_level(base, 100, seed=4)
    assert a == b and a != c
    assert len(a.measures) == 100
    factor = 100 / len(base.measures)
    i = next(iter(base.budgets))
    y = base.years[0]
    assert a.budgets[i][y] == pytest.approx(base.budgets[i][y] * factor, rel=1e-5)
    assert a.settings.target_reduction_mt == pytest.approx(base.settings.target_reduction_mt * factor, rel=1e-5)
    for mid, m in a.measures.items():
        orig = base.measures[mid.split("~")[0]]
        assert 0.7 * orig.abatement_mt - 1e-9 <= m.abatement_mt <= 1.3 * orig.abatement_mt + 1e-9
        assert 0.85 * orig.cost_eur_per_t - 1e-9 <= m.cost_eur_per_t <= 1.15 * orig.cost_eur_per_t + 1e-9
        assert not m.lumpy  # lumpy=0: an LP
    # the input is valid as a workbook would give it
    assert to_input(to_tables(a)) == a
    lumpy = plant_level(base, 200, seed=3, lumpy=2)
    assert sum(m.lumpy for m in lumpy.measures.values()) == 2
    with pytest.raises(ValueError):
        plant_level(base, 41, lumpy=5)


def test_pinned_optimum_of_the_1000_measure_workbook(tmp_path):
    """End to end on the written workbook: the same optimum as before the speed-ups."""
    from optimiser.pipeline import load

    wb = _workbook(plant_level(load(PINNED_BASE)[1], 1000, seed=1), tmp_path / "plants-1000.xlsx")
    out = tmp_path / "plan.xlsx"
    proc = subprocess.run([sys.executable, "-m", "optimiser", "plan", str(wb), "-o", str(out), "--json",
                           str(tmp_path / "plan.json")], capture_output=True, text=True, cwd=tmp_path,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "plan.json").read_text())
    assert doc["status"] == "target_met"
    assert doc["objective_meur"] == pytest.approx(PINNED_1000["objective_meur"], rel=1e-9)
    assert doc["shadow_prices"]["target"]["2030"] == pytest.approx(PINNED_1000["target_shadow_eur_per_t"], rel=1e-6)
    assert doc["abatement_mt"]["2030"] == pytest.approx(PINNED_1000["abatement_mt"], rel=1e-6)
    assert len(doc["measures"]) == 1000 and out.exists()


# ---------------------------------------------------------------- stopping a long solve

@pytest.fixture(scope="module")
def slow_workbook(base, tmp_path_factory):
    """2 000 measures; made all-or-nothing with no MIP gap by overrides, branch and bound takes about 15 s
    here (the model is written as a workbook and planned by the CLI, as a user would)."""
    return _workbook(plant_level(base, 2000, seed=1), tmp_path_factory.mktemp("slow") / "plants-2000.xlsx")


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_long_solve_stops_on_a_signal(slow_workbook, tmp_path, signum, code):
    """On a terminal (a pseudo-terminal here) the live line shows; the signal stops HiGHS at its next
    interrupt check, the CLI says what it interrupted, exits 130/143 and leaves no file behind."""
    import pty

    out = tmp_path / "plan.xlsx"
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "optimiser", "plan", str(slow_workbook), "-o", str(out),
         "--set", "measures:*:lumpy=yes", "--set", "settings:mip_gap=0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)), start_new_session=True)
    os.close(slave)
    seen = b""

    def read(timeout: float) -> bytes:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(master, 4096)
        except OSError:  # the child closed the terminal
            return b""

    try:
        deadline = time.monotonic() + 300
        while b"HiGHS: solving the MIP" not in seen:
            assert proc.poll() is None, f"finished before it could be interrupted: {seen.decode(errors='replace')}"
            assert time.monotonic() < deadline, "no live line within 300 s"
            seen += read(0.2)
        assert b"nodes" in seen and b"Ctrl-C stops" in seen  # the MIP's live line
        proc.send_signal(signum)
        # the solve stops at once; a full solve would run on (tens of seconds): 60 s is no timing test
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            seen += read(0.1)
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        for _ in range(20):
            chunk = read(0.05)
            if not chunk:
                break
            seen += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = seen.decode(errors="replace")
    assert proc.returncode == code, text
    assert "interrupted while HiGHS was solving the MIP (after" in text and "nothing was written" in text
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no half-written plan, no temporary file


def test_an_lp_solve_raises_solve_interrupted_in_process(base):
    """The simplex interrupt callback: a signal during an LP solve raises SolveInterrupted, HiGHS stopped."""
    import highspy

    from optimiser.model.build import build_model
    from optimiser.model.solve import SolveInterrupted, Solver, run_watched

    solver = Solver(build_model(plant_level(base, 4000, seed=1)))
    h = solver.highs
    for key, value in {"solver": "simplex", "simplex_strategy": 1}.items():
        h.setOptionValue(key, value)
    started = []
    h.cbSimplexInterrupt.subscribe(lambda e: started or started.append(time.monotonic()))
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(SolveInterrupted) as caught:
            run_watched(h, "the LP")
    finally:
        timer.cancel()
    assert caught.value.signum == signal.SIGINT and "the LP" in str(caught.value)
    assert h.getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert time.monotonic() - t0 < 60  # stopped, not solved to the end (no timing test)
    # the default SIGINT handler is back: Ctrl-C outside a solve still raises KeyboardInterrupt
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_mip_presolve_leaves_out_fourier_motzkin(base):
    """The rule's bit is read from HiGHS's own list (its numbering changes between versions)."""
    from optimiser.model.build import build_model
    from optimiser.model.solve import MIP_PRESOLVE_RULES_OFF, Solver, presolve_rule_bits

    bits = presolve_rule_bits()
    assert bits.get("Empty row") == 0 and len(bits) >= 10  # HiGHS's list was read
    mip = Solver(build_model(plant_level(base, 100, seed=1, lumpy=1)))
    lp = Solver(build_model(plant_level(base, 100, seed=1)))
    mask = sum(1 << bits[name] for name in MIP_PRESOLVE_RULES_OFF if name in bits)
    assert mip.highs.getOptionValue("presolve_rule_off")[1] == mask
    assert lp.highs.getOptionValue("presolve_rule_off")[1] == 0  # LPs keep every rule


def test_the_fast_reader_reads_what_openpyxl_reads(base, tmp_path, monkeypatch):
    """python-calamine for plain workbooks, openpyxl for the rest: the same tables, input and notes."""
    import optimiser.input.read as read
    from optimiser.pipeline import default_workbook

    for wb in (_workbook(plant_level(base, 300, seed=2), tmp_path / "p.xlsx"), default_workbook()):
        assert read._load_fast(str(wb)) is not None  # a plain workbook takes the fast path
        fast = read.read_workbook(wb)
        with monkeypatch.context() as m:
            m.setattr(read, "_load_fast", lambda path: None)
            slow = read.read_workbook(wb)
        assert fast.input == slow.input and fast.tables == slow.tables and fast.notes == slow.notes


def test_a_compact_measure_plan_keeps_every_number(base, tmp_path, monkeypatch):
    """Large plans leave zeros blank in the Measure plan (headers say so); every other number is the same."""
    import openpyxl

    import optimiser.report.plan as plan
    from optimiser.model.optimum import optimise

    result = optimise(base).result

    def sheet(path):
        ws = openpyxl.load_workbook(path, read_only=True)["Measure plan"]
        return [list(r) for r in ws.iter_rows(values_only=True)]

    full = sheet(plan.write_plan(result, tmp_path / "full.xlsx"))
    monkeypatch.setattr(plan, "COMPACT_MEASURES", 10)  # the default's 41 measures count as many
    compact = sheet(plan.write_plan(result, tmp_path / "compact.xlsx"))
    assert len(full) == len(compact) and any("blank = 0" in str(h) for h in compact[0])
    blanked = 0
    for a, b in zip(full[1:], compact[1:]):
        for x, y in zip(a, b):
            if y is None and x == 0:
                blanked += 1
            else:
                assert x == y
    assert blanked > 100  # zeros were left out, nothing else changed

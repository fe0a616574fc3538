"""Benchmark: N futures of the default workbook end to end, against N cold plans extrapolated from a few.

    python bench/bench_futures.py                  # 1 000 futures on 2 local processes (3 runs), 20 cold plans
    python bench/bench_futures.py --samples 200 --jobs 1 --cold 10 --repeat 1
    python bench/bench_futures.py --decide 25,50,100   # also the decide-by program at these sizes

The futures run is the command a user types (``policymix futures WORKBOOK --samples N --jobs K``), timed
from the outside: start-up, reading, drawing, every future solved, the workbook and the JSON written. It
runs under ``bench/timed.py``, which only calls the command line's ``main`` and then records the CPU time
of the command's own process (reading, drawing, summarising, writing) apart from its workers' — so the
figures also say what two free cores would give: the process's own CPU plus the workers' CPU shared
over the cores.

A *cold plan* is what the same answer costs without kept models: one future planned as a user plans it,
``policymix plan WORKBOOK --scale … --shift … --add … -o plan.xlsx --json plan.json``, a fresh process
each (start-up, reading, building, solving, writing), one at a time. The median of ``--cold`` of them is
extrapolated to N, on one core and shared over ``--jobs`` cores. A future whose draws leave the decisions
already taken using more grid or CO2 storage than it has is refused by ``plan`` (exit 2: a workbook
whose past decisions do not fit is bad input), whereas ``futures`` plans it with what can connect; such
runs are timed too (they stop before solving, so they only lower the cold figure) and counted.

Timings on a shared machine are noisy: the script prints medians, CPU times and the load average, and
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from optimiser.analysis.futures import draw  # noqa: E402
from optimiser.pipeline import default_workbook, load  # noqa: E402

OPTION = {"set": "--set", "scale": "--scale", "add": "--add", "shift": "--shift"}


def env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def timed_cli(*args: str) -> dict:
    """Run ``policymix ARGS`` under bench/timed.py: wall seconds, the command's own CPU, its workers' CPU."""
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "cpu.json"
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(HERE / "timed.py"), str(record), *args], capture_output=True,
                              text=True, env=env())
        wall = time.perf_counter() - t0
        if proc.returncode not in (0, 3):
            raise SystemExit(f"policymix {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
        cpu = json.loads(record.read_text())
    return {"wall": wall, "own": cpu["self"], "workers": cpu["children"], "stdout": proc.stdout}


def value_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def plan_args(workbook: str, future, out: Path) -> list[str]:
    """The ``policymix plan`` command line that plans one future: its overrides as options."""
    args = ["plan", workbook]
    for o in future.overrides:
        args += [OPTION[o.op], f"{o.sheet}:{o.id}:{o.column}={value_text(o.value)}"]
    return args + ["-o", str(out / "plan.xlsx"), "--json", str(out / "plan.json"), "--force"]


def cold_plan(workbook: str, future) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of one fresh ``policymix plan`` process for ``future``."""
    with tempfile.TemporaryDirectory() as tmp:
        before = os.times()
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "optimiser", *plan_args(workbook, future, Path(tmp))],
                              capture_output=True, text=True, env=env())
        wall = time.perf_counter() - t0
        after = os.times()
    if proc.returncode not in (0, 2, 3):
        raise SystemExit(f"cold plan of future {future.number} failed ({proc.returncode}):\n{proc.stderr}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, proc.returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="futures runs to take the median of")
    parser.add_argument("--cold", type=int, default=20, help="cold plans to time (extrapolated to --samples)")
    parser.add_argument("--workbook", default=str(default_workbook()))
    parser.add_argument("--decide", default="", help="comma-separated sample sizes for the decide-by program")
    parser.add_argument("--decide-by", type=int, default=2025)
    args = parser.parse_args(argv)
    n, jobs = args.samples, args.jobs

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min) before the runs")
    runs = []
    for k in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            out, js = Path(tmp) / "futures.xlsx", Path(tmp) / "futures.json"
            r = timed_cli("futures", args.workbook, "--samples", str(n), "--seed", str(args.seed), "--jobs",
                          str(jobs), "-o", str(out), "--json", str(js))
            r["p"] = json.loads(js.read_text())["p_target_met"]
        runs.append(r)
        print(f"  futures run {k + 1}: {r['wall']:.1f} s wall, CPU {r['own']:.1f} s own + {r['workers']:.1f} s "
              f"workers; load average {os.getloadavg()[0]:.2f}")
    last = runs[-1]
    for line in last["stdout"].splitlines():
        if line.startswith(("P(target met)", "Models built")):
            print("  " + line)
    wall = statistics.median(r["wall"] for r in runs)
    own = statistics.median(r["own"] for r in runs)
    workers = statistics.median(r["workers"] for r in runs)
    free = own + workers / jobs
    print(f"futures, end to end: {n:,} futures on {jobs} processes: median {wall:.1f} s wall "
          f"({n / wall:,.0f} futures/s), CPU {own + workers:.1f} s ({own:.1f} s the command itself, {workers:.1f} s "
          f"its workers); on {jobs} free cores about {free:.1f} s")

    _, base, _ = load(args.workbook)
    futures = draw(base, args.cold, args.seed)
    cold = [cold_plan(args.workbook, f) for f in futures]
    walls = [w for w, _, _ in cold]
    cpus = [c for _, c, _ in cold]
    refused = sum(code == 2 for _, _, code in cold)
    planned = [w for w, _, code in cold if code != 2]
    per, per_cpu = statistics.median(walls), statistics.median(cpus)
    print(f"cold plans (policymix plan, a fresh process each): {len(cold)} in {sum(walls):.1f} s, median "
          f"{per:.2f} s wall, {per_cpu:.2f} s CPU each; {refused} refused (decisions already taken do not fit "
          f"that future's grid or CO2 storage)" + (f", the {len(planned)} planned: median {statistics.median(planned):.2f} s"
                                                   if planned and refused else ""))
    print(f"  {n:,} cold plans would take {per * n:,.0f} s on one core, {per * n / jobs:,.0f} s on {jobs}")
    print(f"ratio: the futures run is {per * n / wall:,.0f}× faster than {n:,} cold plans one after another, "
          f"{per * n / jobs / wall:,.0f}× than {n:,} cold plans on {jobs} cores (medians, wall time)")

    for size in [int(x) for x in args.decide.split(",") if x.strip()]:
        with tempfile.TemporaryDirectory() as tmp:
            js = Path(tmp) / "d.json"
            r = timed_cli("futures", args.workbook, "--samples", str(size), "--seed", str(args.seed),
                          "--decide-by", str(args.decide_by), "-o", str(Path(tmp) / "d.xlsx"), "--json", str(js))
            doc = json.loads(js.read_text())
        print(f"decide-by {args.decide_by}, {size} futures: {r['wall']:.1f} s wall, {r['own'] + r['workers']:.1f} s "
              f"CPU; expected cost {doc['expected_cost_meur']:,.0f} M€, VSS {doc['vss_meur']:,.1f} M€, "
              f"P(target met) {doc['p_target_met']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

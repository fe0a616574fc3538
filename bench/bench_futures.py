"""Benchmark: N futures of the default workbook end to end, against N cold plans extrapolated from a few.

    python bench/bench_futures.py                  # 1 000 futures on 2 local processes, 20 cold plans
    python bench/bench_futures.py --samples 200 --jobs 1 --cold 10
    python bench/bench_futures.py --decide 25,50,100   # also the decide-by program at these sizes

The futures run is the command a user types (``python -m optimiser futures … --jobs K``), timed from the
outside: start-up, reading, drawing, every future solved, the workbook and the JSON written. A *cold plan* is
what the same answer would cost without kept models: for one future, apply its overrides to the input, build
the model and solve it from scratch (``optimise``), as ``policymix plan`` does; the time of ``--cold`` of them
is extrapolated to N. Prints figures only (timings on a shared machine are noisy; no assertion).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from optimiser.analysis.futures import draw  # noqa: E402
from optimiser.input.scenario import apply_overrides  # noqa: E402
from optimiser.model.optimum import optimise  # noqa: E402
from optimiser.pipeline import default_workbook, load  # noqa: E402


def cli(*args: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the run and its workers, stdout) of ``python -m optimiser ARGS``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "optimiser", *args], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = os.times()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"policymix {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, proc.stdout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cold", type=int, default=20, help="cold plans to time (extrapolated to --samples)")
    parser.add_argument("--workbook", default=str(default_workbook()))
    parser.add_argument("--decide", default="", help="comma-separated sample sizes for the decide-by program")
    parser.add_argument("--decide-by", type=int, default=2025)
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min)")
    with tempfile.TemporaryDirectory() as tmp:
        out, js = Path(tmp) / "futures.xlsx", Path(tmp) / "futures.json"
        wall, cpu, stdout = cli("futures", args.workbook, "--samples", str(args.samples), "--seed", str(args.seed),
                                "--jobs", str(args.jobs), "-o", str(out), "--json", str(js))
        doc = json.loads(js.read_text())
        print(f"futures, end to end: {args.samples:,} futures on {args.jobs} processes in {wall:.1f} s wall "
              f"({args.samples / wall:,.1f} futures/s), {cpu:.1f} s CPU")
        for line in stdout.splitlines():
            if line.startswith(("P(target met)", "Models built")):
                print("  " + line)
        print(f"  P(target met) {doc['p_target_met']:.3f}")

    _, base, _ = load(args.workbook)
    futures = draw(base, args.cold, args.seed)
    t0 = time.perf_counter()
    c0 = time.process_time()
    for f in futures:
        optimise(apply_overrides(base, list(f.overrides)))
    cold = time.perf_counter() - t0
    cold_cpu = time.process_time() - c0
    per = cold / len(futures)
    print(f"cold plans: {len(futures)} in {cold:.2f} s ({per * 1000:.0f} ms each, {cold_cpu / len(futures) * 1000:.0f} "
          f"ms CPU); {args.samples:,} would take {per * args.samples:.1f} s on one core, "
          f"{per * args.samples / args.jobs:.1f} s on {args.jobs}")
    print(f"ratio: {per * args.samples / wall:.1f}× faster than {args.samples:,} cold plans on one core, "
          f"{per * args.samples / args.jobs / wall:.1f}× than on {args.jobs}")

    for n in [int(x) for x in args.decide.split(",") if x.strip()]:
        with tempfile.TemporaryDirectory() as tmp:
            js = Path(tmp) / "d.json"
            wall, cpu, stdout = cli("futures", args.workbook, "--samples", str(n), "--seed", str(args.seed),
                                    "--decide-by", str(args.decide_by), "-o", str(Path(tmp) / "d.xlsx"),
                                    "--json", str(js))
            doc = json.loads(js.read_text())
            print(f"decide-by {args.decide_by}, {n} futures: {wall:.1f} s wall; expected cost "
                  f"{doc['expected_cost_meur']:,.0f} M€, VSS {doc['vss_meur']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: a 50-point target sweep against the same 50 points as cold ``policymix plan`` runs.

    python bench/bench_sweep.py                      # default workbook, target 10 … 34.5 Mt in steps of 0.5
    python bench/bench_sweep.py --workbook my.xlsx --start 5 --step 0.25 --points 50

Prints, side by side on this machine (nothing here asserts a time):

1. end to end, as a user runs them (fresh Python processes, workbooks and
   JSON written): one ``policymix sweep`` of N points against N cold
   ``policymix plan --set settings:target_reduction_mt=…`` runs — both totals
   and their ratio (goal: the sweep ≥ 5× faster);
2. per point: the median re-solve of the sweep (apply the point's overrides,
   update the live HiGHS instance, solve, extract; measured in process)
   against the median cold plan of 1. (goal: ≥ 10×), and against a cold
   in-process build + compile + solve + extract for reference;
3. that both give the same optimum at every point (largest relative
   difference of the objective; a model with lumpy measures is a MIP solved
   to mip_gap, so differences up to that gap are allowed).
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
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimiser.pipeline import load, solve_input  # noqa: E402
from optimiser.analysis.sweep import parse_varies, prepare, sweep  # noqa: E402

KEY = "settings:target_reduction_mt"


def workbook_path(given: Path | None, tmp: Path) -> Path:
    if given:
        return given
    default = ROOT / "inputs" / "default.xlsx"
    if default.exists():
        return default
    out = tmp / "default.xlsx"  # not generated yet: build it from the reviewable CSV files
    subprocess.run([sys.executable, str(ROOT / "inputs" / "make_default.py"), "-o", str(out)], check=True)
    return out


def cli(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "optimiser", *args], capture_output=True, text=True, env=env)
    return time.perf_counter() - t0, proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbook", type=Path)
    parser.add_argument("--start", default="10")
    parser.add_argument("--step", default="0.5")
    parser.add_argument("--points", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        wb = workbook_path(args.workbook, tmp)
        start, step = Decimal(args.start), Decimal(args.step)
        stop = start + step * (args.points - 1)
        spec = f"{KEY}={start}:{stop}:{step}"
        _, base, _ = load(wb)
        print(f"workbook: {wb} ({len(base.measures)} measures, {len(base.years)} years, "
              f"{'MIP: ' + str(sum(m.lumpy for m in base.measures.values())) + ' lumpy measures' if any(m.lumpy for m in base.measures.values()) else 'LP'})")
        print(f"sweep:    --vary {spec}  ({args.points} points)")
        print(f"machine:  {os.cpu_count()} cores, Python {sys.version.split()[0]}")

        # 1. end to end
        sweep_total, proc = cli("sweep", str(wb), "--vary", spec, "-o", str(tmp / "sweep.xlsx"),
                                "--json", str(tmp / "sweep.json"))
        if proc.returncode not in (0,):
            raise SystemExit(f"sweep failed ({proc.returncode}): {proc.stderr[-2000:]}")
        swept = json.loads((tmp / "sweep.json").read_text())
        values = [p["point"][KEY] for p in swept]
        cold_times, cold_objectives = [], []
        for k, t in enumerate(values):
            seconds, proc = cli("plan", str(wb), "--set", f"{KEY}={t}", "-o", str(tmp / f"p{k}.xlsx"),
                                "--json", str(tmp / f"p{k}.json"))
            if proc.returncode not in (0, 3):
                raise SystemExit(f"plan at {t} failed ({proc.returncode}): {proc.stderr[-2000:]}")
            cold_times.append(seconds)
            cold_objectives.append(json.loads((tmp / f"p{k}.json").read_text())["objective_meur"])
        cold_total = sum(cold_times)

        # 2. per point, in process
        varies = parse_varies([("set", spec)])
        sweep(base, parse_varies([("set", f"{KEY}={start},{start + step}")]))  # warm the imports
        t0 = time.perf_counter()
        prepared = prepare(base, varies)
        apply_each = (time.perf_counter() - t0) / len(prepared)
        run = sweep(base, varies)
        resolves = [p.seconds for p in run.points if p.solver_note == "warm re-solve"]
        highs = [p.solve_seconds for p in run.points if p.solver_note == "warm re-solve"]
        in_process_cold = []
        for _, _, inp in prepared[:: max(1, len(prepared) // 10)]:
            t0 = time.perf_counter()
            solve_input(inp)
            in_process_cold.append(time.perf_counter() - t0)

    # 3. same optimum
    worst = max(abs(p["objective_meur"] - c) / max(1.0, abs(c)) for p, c in zip(swept, cold_objectives))

    med_resolve = statistics.median(resolves) + apply_each
    med_cold = statistics.median(cold_times)
    print()
    print("1. end to end (fresh processes, workbooks + JSON written)")
    print(f"   policymix sweep, {len(values)} points:        {sweep_total:8.2f} s")
    print(f"   {len(values)} × cold policymix plan:           {cold_total:8.2f} s   (median {med_cold:.3f} s per plan)")
    print(f"   cold plans / sweep = {cold_total / sweep_total:5.1f}×   (goal ≥ 5×: "
          f"{'met' if cold_total / sweep_total >= 5 else 'NOT met'})")
    print()
    print("2. per point")
    print(f"   sweep re-solve, median (apply overrides + update + solve + extract): {med_resolve * 1000:7.1f} ms "
          f"(HiGHS alone {statistics.median(highs) * 1000:.1f} ms; {len(resolves)} warm re-solves, "
          f"{run.rebuilds} rebuilds)")
    print(f"   cold policymix plan, median:                                         {med_cold * 1000:7.1f} ms")
    print(f"   cold plan / re-solve = {med_cold / med_resolve:5.1f}×   (goal ≥ 10×: "
          f"{'met' if med_cold / med_resolve >= 10 else 'NOT met'})")
    print(f"   for reference, a cold in-process build + solve + extract, median:    "
          f"{statistics.median(in_process_cold) * 1000:7.1f} ms  "
          f"(/ re-solve = {statistics.median(in_process_cold) / med_resolve:.1f}×)")
    print()
    print(f"3. same optimum: largest relative objective difference sweep vs cold plans = {worst:.2e} "
          f"(mip_gap {base.settings.mip_gap:g})")


if __name__ == "__main__":
    main()

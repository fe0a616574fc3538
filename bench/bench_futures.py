"""Benchmark: N futures of the default workbook end to end, against N cold plans extrapolated from a few.

    python bench/bench_futures.py                  # 1 000 futures on 2 local processes (3 runs), 20 cold plans
    python bench/bench_futures.py --samples 200 --jobs 1 --cold 10 --repeat 1
    python bench/bench_futures.py --decide 25,50,100   # also the decide-by program at these sizes
    python bench/bench_futures.py --repeat 0 --cold 0 --confidence 100,400 --level 0.5 --validate 1000
    python bench/bench_futures.py --repeat 0 --cold 0 --confidence 100 --workers-compare   # 1 vs --jobs workers
    python bench/bench_futures.py --repeat 0 --cold 0 --delays 1,2       # the delay register of the default
    python bench/bench_futures.py --repeat 0 --cold 0 --confidence 100 --workbook inputs/ser-2023.xlsx --level 0.05

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
    parser.add_argument("--confidence", default="", help="comma-separated sample sizes for planning to --level")
    parser.add_argument("--level", default="0.5", help="the confidence level (p or p1:p2:step)")
    parser.add_argument("--validate", type=int, default=1000, help="fresh futures each plan is judged on")
    parser.add_argument("--confidence-decide-by", type=int, default=None)
    parser.add_argument("--workers-compare", action="store_true",
                        help="also run each confidence size on 1 process, to measure what the workers give")
    parser.add_argument("--on-time", action="store_true",
                        help="confidence: leave the uncertainty sheet's shift rows out (grids and CO2 stores on time), "
                             "so that most futures can meet the target and the chance constraint has binaries to choose")
    parser.add_argument("--delays", default="", help="years of delay for the delay register (e.g. 1,2)")
    args = parser.parse_args(argv)
    n, jobs = args.samples, args.jobs

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min) before the runs")
    for size in [int(x) for x in args.confidence.split(",") if x.strip()]:
        for j in ([1, jobs] if args.workers_compare and jobs > 1 else [jobs]):
            confidence(args, size, j)
    if args.delays:
        delay_register(args)
    if args.repeat >= 1:
        futures_and_cold(args)
    decide_sizes(args)
    return 0


def futures_and_cold(args) -> None:
    n, jobs = args.samples, args.jobs
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

    if not args.cold:
        return
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


def decide_sizes(args) -> None:
    for size in [int(x) for x in args.decide.split(",") if x.strip()]:
        with tempfile.TemporaryDirectory() as tmp:
            js = Path(tmp) / "d.json"
            r = timed_cli("futures", args.workbook, "--samples", str(size), "--seed", str(args.seed),
                          "--decide-by", str(args.decide_by), "-o", str(Path(tmp) / "d.xlsx"), "--json", str(js))
            doc = json.loads(js.read_text())
        futures = doc["futures"]
        public = sum(f["public_cost_meur"] for f in futures) / len(futures)
        short = sum(sum(f["shortfall_mt"].values()) for f in futures) / len(futures)
        print(f"decide-by {args.decide_by}, {size} futures: {r['wall']:.1f} s wall, {r['own'] + r['workers']:.1f} s "
              f"CPU; expected public cost {public:,.0f} M€, expected shortfall {short:.2f} Mt/yr (objective "
              f"{doc['expected_cost_meur']:,.0f} M€ with the penalty), VSS {doc['vss_meur']:,.1f} M€, "
              f"P(target met) {doc['p_target_met']:.3f}; load average {os.getloadavg()[0]:.2f}")


def confidence(args, n: int, jobs: int) -> None:
    """Planning to a confidence level over n futures of the default, in this process (the program) and on
    ``jobs`` local processes (each future planned on its own, and the fresh futures of the validation)."""
    from optimiser.analysis.confidence import plan_to_confidence

    _, base, _ = load(args.workbook)
    if args.on_time:
        from dataclasses import replace

        base = replace(base, uncertainty=tuple(r for r in base.uncertainty if r.op != "shift"))
    futures = draw(base, n, args.seed)
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    run = plan_to_confidence(base, futures, args.level, decide_by=args.confidence_decide_by,
                             validate=args.validate, seed=args.seed, jobs=jobs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    solve = sum(p.seconds_solve for p in run.plans if p.attainable)
    valid = sum(p.seconds_validate for p in run.plans)
    s = run.size
    print(f"confidence {args.level}{' (shift rows left out)' if args.on_time else ''}, {n} futures, {jobs} process(es), validated on {args.validate}: {wall:.1f} s wall "
          f"(this process {cpu:.1f} s CPU); program {s.columns:,} columns, {s.rows:,} rows, {s.nonzeros:,} nonzeros, "
          f"{s.binaries} binaries; built in {run.seconds_build:.1f} s, futures on their own {run.seconds_alone:.1f} s, "
          f"most attainable {run.best.seconds_solve:.1f} s, levels {solve:.1f} s, validation {valid:.1f} s; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"  most attainable: {run.max_attainable:.1%} of the futures")
    for p in run.plans:
        val = ("" if p.p_target_met_validation is None else
               f", out of sample {p.p_target_met_validation:.1%} ({p.p_target_met_validation_ci[0]:.1%}–"
               f"{p.p_target_met_validation_ci[1]:.1%})")
        short = ", ".join(f"{y}: {v:.2f} Mt/yr" for y, v in p.expected_shortfall_mt.items())
        print(f"  p = {p.confidence:g}: {'attainable' if p.attainable else 'NOT attainable'}; expected public cost "
              f"{p.expected_public_cost_meur:,.0f} M€ (the program priced {p.program_cost_meur:,.0f} M€), expected "
              f"shortfall {short}; P in sample {p.p_target_met:.1%}{val}; MIP gap {p.mip_gap:.2e}")
    # the same question as a user asks it: the command end to end (start-up, drawing, the program, the validation,
    # the workbook and the JSON written)
    if not args.on_time:
        cli = ["futures", args.workbook, "--samples", str(n), "--seed", str(args.seed), "--confidence", args.level,
               "--validate", str(args.validate), "--jobs", str(jobs)]
        if args.confidence_decide_by:
            cli += ["--decide-by", str(args.confidence_decide_by)]
        with tempfile.TemporaryDirectory() as tmp:
            r = timed_cli(*cli, "-o", str(Path(tmp) / "c.xlsx"), "--json", str(Path(tmp) / "c.json"))
        print(f"  policymix {' '.join(cli[:1] + cli[2:])}, end to end: {r['wall']:.1f} s wall, CPU {r['own']:.1f} s "
              f"the command + {r['workers']:.1f} s its workers")
    if run.best.reasons is not None:
        why = run.best.reasons
        print(f"  missed in {why.missed} futures ({why.alone} of them no plan meets); limits: "
              + "; ".join(f"{lim.words} ({lim.futures})" for lim in why.limits[:3])
              + "; inputs: " + "; ".join(f"{i.name} ({i.effect:+.2f})" for i in why.inputs[:3]))


def delay_register(args) -> None:
    from optimiser.analysis.delays import delays

    _, base, _ = load(args.workbook)
    years = [int(x) for x in args.delays.split(",")]
    t0 = time.perf_counter()
    run = delays(base, years=years)
    wall = time.perf_counter() - t0
    print(f"delays {args.delays}: {len(run.delays)} items × years in {wall:.1f} s in process "
          f"({run.updates} warm re-solves, {run.builds} builds)")
    with tempfile.TemporaryDirectory() as tmp:
        r = timed_cli("delays", args.workbook, "--years", args.delays, "-o", str(Path(tmp) / "d.xlsx"), "--json",
                      str(Path(tmp) / "d.json"))
    print(f"  policymix delays --years {args.delays}, end to end: {r['wall']:.1f} s wall")
    for d in sorted(run.delays, key=lambda d: -(d.abatement_lost_mt + (d.extra_public_cost_meur or 0) / 1e4))[:6]:
        print(f"  {d.item} +{d.years} yr: {d.abatement_lost_mt:.2f} Mt/yr lost with the plan fixed; re-planned "
              f"{d.extra_public_cost_meur or 0:,.0f} M€ more, {d.shortfall_mt or 0:.2f} Mt/yr short")


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks: end-to-end time of the default plan, and the Pyomo → HiGHS hand-off.

    python bench/bench_plan.py                 # default workbook, 7 runs each
    python bench/bench_plan.py --runs 11 --workbook my.xlsx --scale 1 10 50
    python bench/bench_plan.py --baseline ../old-checkout   # 1. side by side with another version

Prints medians (and min–max) measured side by side on this machine; nothing
here asserts a time. Figures:

1. ``policymix plan`` as a user runs it (fresh Python process, imports, read,
   solve, plan workbook and JSON written), with the stress headline over 30
   futures (the default has an uncertainty sheet; goal ≤ 1.5 s) and without it
   (``--futures 0``; goal ≤ 1.0 s).
2. In-process stage times of one plan (read, build, hand-off + solve,
   extract, write), and what the canonical stages add to the solve: the same
   model solved to the least-cost vertex HiGHS ends at (``Solver.canonical``
   off), side by side.
3. The hand-off choice: Pyomo's standard-form compiler passed to highspy (what
   the planner uses) against Pyomo's APPSI HiGHS interface, on the workbook's
   model and on copies with every measure replicated ×N.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimiser.model.build import build_model  # noqa: E402
from optimiser.pipeline import default_workbook  # noqa: E402
from optimiser.input.read import read_workbook  # noqa: E402
from optimiser.model.solve import Solver  # noqa: E402
from optimiser.input.tables import to_input, to_tables  # noqa: E402


def fmt(samples: list[float]) -> str:
    return f"median {statistics.median(samples):7.3f} s  (min {min(samples):.3f}, max {max(samples):.3f}, n={len(samples)})"


def end_to_end(workbook: Path, runs: int, trees: tuple[Path, ...] = (ROOT,), extra: tuple[str, ...] = ()
               ) -> list[list[float]]:
    """``policymix plan`` in a fresh process, ``runs`` times for each source tree, interleaved (so the trees
    share the machine's noise); one list of seconds per tree."""
    times: list[list[float]] = [[] for _ in trees]
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(runs):
            for n, tree in enumerate(trees):
                out = Path(tmp) / f"p{k}-{n}.xlsx"
                env = dict(os.environ, PYTHONPATH=str(tree))
                t0 = time.perf_counter()
                proc = subprocess.run([sys.executable, "-m", "optimiser", "plan", str(workbook), "-o", str(out),
                                       "--json", str(Path(tmp) / f"p{k}-{n}.json"), *extra], capture_output=True, text=True,
                                      env=env, cwd=tmp)
                times[n].append(time.perf_counter() - t0)
                if proc.returncode not in (0, 3):
                    raise SystemExit(f"plan failed in {tree} ({proc.returncode}): {proc.stderr}")
    return times


def stages(workbook: Path, runs: int) -> dict[str, list[float]]:
    from optimiser.model.extract import extract
    from optimiser.report.plan import write_plan

    out: dict[str, list[float]] = {"read": [], "build": [], "hand-off + solve": [], "extract": [], "write plan": [],
                                   "solve": [], "solve, no stages": []}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(runs):
            t0 = time.perf_counter()
            inp = read_workbook(workbook).input
            t1 = time.perf_counter()
            built = build_model(inp)
            t2 = time.perf_counter()
            sol = Solver(built).solve()
            t3 = time.perf_counter()
            result = extract(built, sol)
            t4 = time.perf_counter()
            write_plan(result, Path(tmp) / f"s{k}.xlsx")
            t5 = time.perf_counter()
            for name, a, b in (("read", t0, t1), ("build", t1, t2), ("hand-off + solve", t2, t3),
                               ("extract", t3, t4), ("write plan", t4, t5)):
                out[name].append(b - a)
            # the solve alone, with and without the canonical stages, on fresh instances, alternating
            for canonical, name in ((True, "solve"), (False, "solve, no stages")):
                solver = Solver(build_model(inp))
                solver.canonical = canonical
                t6 = time.perf_counter()
                solver.solve()
                out[name].append(time.perf_counter() - t6)
    return out


def replicate(inp, factor: int):
    """The input with every measure (and its usage) copied ``factor`` times; limits scaled alike."""
    if factor == 1:
        return inp
    t = copy.deepcopy(to_tables(inp))
    measures, usage = [], []
    for k in range(factor):
        for r in t["measures"]:
            r2 = dict(r, measure_id=f"{r['measure_id']}~{k}")
            r2["exclusive_group"] = f"{r['exclusive_group']}~{k}" if r.get("exclusive_group") else ""
            r2["eligible_instruments"] = tuple(r["eligible_instruments"])
            measures.append(r2)
        for r in t["usage"]:
            usage.append(dict(r, measure_id=f"{r['measure_id']}~{k}"))
    t["measures"], t["usage"] = measures, usage
    for r in t["budgets"] + t["resources"]:
        for y in inp.years:
            r[y] = r[y] * factor
    for r in t["instruments"]:
        if r.get("period_budget_meur") is not None:
            r["period_budget_meur"] *= factor
    for r in t["settings"]:
        if r["key"] == "target_reduction_mt":
            r["value"] *= factor
    t["targets"] = [dict(r, reduction_mt=r["reduction_mt"] * factor) for r in t["targets"]]
    t["scenarios"] = []
    return to_input(t)


def handoff(inp, runs: int) -> dict[str, list[float]]:
    """Hand-off alone (model → HiGHS instance) and one plain solve, for both routes, on the same model."""
    import pyomo.environ as pyo
    from pyomo.contrib.appsi.solvers.highs import Highs as AppsiHighs

    res: dict[str, list[float]] = {"ours hand-off": [], "ours solve": [], "APPSI hand-off": [], "APPSI solve": []}
    objectives = {}
    for _ in range(runs):
        built = build_model(inp)
        t0 = time.perf_counter()
        solver = Solver(built)
        t1 = time.perf_counter()
        solver.highs.run()
        t2 = time.perf_counter()
        res["ours hand-off"].append(t1 - t0)
        res["ours solve"].append(t2 - t1)
        objectives["ours"] = solver.highs.getInfo().objective_function_value

        built = build_model(inp)
        opt = AppsiHighs()
        opt.config.stream_solver = False
        opt.config.load_solution = True
        t0 = time.perf_counter()
        opt.set_instance(built.model)
        t1 = time.perf_counter()
        opt.solve(built.model)
        t2 = time.perf_counter()
        res["APPSI hand-off"].append(t1 - t0)
        res["APPSI solve"].append(t2 - t1)
        objectives["APPSI"] = pyo.value(built.model.objective)
    a, b = objectives.values()
    assert abs(a - b) <= 1e-6 * max(1.0, abs(a)), objectives
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbook", type=Path, default=default_workbook())
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scale", type=int, nargs="*", default=[1, 10])
    parser.add_argument("--baseline", type=Path, help="another source tree of policymix, timed side by side in 1.")
    args = parser.parse_args()
    inp = read_workbook(args.workbook).input
    print(f"workbook: {args.workbook} ({len(inp.measures)} measures, {len(inp.years)} years)")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")

    trees = (ROOT,) + ((args.baseline.resolve(),) if args.baseline else ())
    for title, extra in (("as a user runs it: with the stress headline over 30 futures where the workbook has an "
                          "uncertainty sheet (goal: ≤ 1.5 s)", ()),
                         ("with --futures 0: the plan alone (goal: ≤ 1.0 s)", ("--futures", "0"))):
        print(f"\n1. policymix plan, end to end in a fresh process, {title}")
        results = end_to_end(args.workbook, args.runs, trees, extra)
        print("   this tree  " + fmt(results[0]))
        if args.baseline:
            print(f"   baseline   {fmt(results[1])}   ({args.baseline})")
            print(f"   this / baseline: {statistics.median(results[0]) / statistics.median(results[1]):.3f}× (medians)")

    print("\n2. stages of one plan, in process")
    timed = stages(args.workbook, args.runs)
    for name, samples in timed.items():
        print(f"   {name:18s} {fmt(samples)}")
    added = statistics.median(timed["solve"]) - statistics.median(timed["solve, no stages"])
    print(f"   the canonical stages add {added * 1000:.1f} ms to the solve (medians)")

    print("\n3. hand-off to HiGHS: Pyomo standard-form compiler → highspy (ours) vs Pyomo's APPSI interface")
    for factor in args.scale:
        big = replicate(inp, factor)
        res = handoff(big, max(3, args.runs // 2))
        med = {k: statistics.median(v) for k, v in res.items()}
        print(f"   ×{factor:<3d} {len(big.measures):5d} measures: hand-off ours {med['ours hand-off']:7.3f} s, "
              f"APPSI {med['APPSI hand-off']:7.3f} s (APPSI / ours = {med['APPSI hand-off'] / med['ours hand-off']:4.1f}×); "
              f"solve ours {med['ours solve']:6.3f} s, APPSI {med['APPSI solve']:6.3f} s (same optimum)")


if __name__ == "__main__":
    main()

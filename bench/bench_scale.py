"""Benchmark at plant level: ``policymix plan`` on 1 000 – 50 000 measures against bare HiGHS on the same model.

    python bench/bench_scale.py                       # the default workbook, 1 000 / 4 000 / 10 000 LP,
                                                      # 1 000 / 4 000 with lumpy projects; ~15 min
    python bench/bench_scale.py --sizes 1000 --lumpy-sizes   # quick: one LP size, no MILP
    python bench/bench_scale.py --large               # also 50 000 measures (LP; takes an hour or more)
    python bench/bench_scale.py --no-docs             # print only; do not rewrite docs/performance.md
    python bench/bench_scale.py --baseline /tmp/before --sequential --runs 3   # side by side (see below)
    python bench/bench_scale.py --from old-default.xlsx --sizes 10000 ...      # the measures of another workbook

The workbooks are made by :func:`optimiser.input.synthetic.plant_level` (the
default workbook's measures replicated and perturbed, seeded; limits scaled
alike) and cached in ``--cache``. For every workbook, each in a fresh Python
process, one after the other:

1. ``policymix plan WORKBOOK -o OUT.xlsx --json OUT.json --futures 0`` as a user runs it
   (``--futures N``: with the stress headline over N futures, which the workbooks' uncertainty
   sheet otherwise adds: N more models solved, not part of the goals below),
   with the time of each stage recorded by wrappers around the pipeline's
   functions (import, read, build, hand-off, HiGHS, shadow-price probes,
   extract, write), the CPU time and the peak memory of the process (``wait4``);
2. the model exactly as the planner passes it to HiGHS, written by HiGHS's own
   ``writeModel`` (MPS), then solved by bare highspy once per algorithm (dual
   simplex, primal simplex, interior point; a MILP with HiGHS's defaults):
   only ``Highs.run`` is timed;
3. for the sizes in ``--sweep-sizes``, a target sweep of a few points on one
   HiGHS instance: the time of a warm point (update + solve + extract).

HiGHS's runs inside a plan are told apart by what they solve: the least-cost
solve (an LP; or a MIP, or one LP per whole assignment of the lumpy decisions,
and the LP with them fixed), the shadow-price probes, and the canonical
stages (least cash, lowest cash peak, last rule; docs/model.md section 5d).
``--baseline TREE`` runs every plan and sweep also on another source tree
(the commit before, say: ``git archive HEAD~1 | tar -x -C /tmp/before``),
alternately with this one, and adds a table of the two side by side;
``--sequential`` also plans with the plan workbook's input sheets always
written while HiGHS solves, and always after it (report.plan.BACKGROUND on,
off; by default a plan writes them beside HiGHS when a processor is free).

The ratio is the plan's end-to-end time over the fastest bare HiGHS run. The
goals of issues 16 and 20 are checked at the end, and the table (with the machine and
the command line) is written into docs/performance.md between its markers.
Nothing here asserts a time: 2 shared cores are noisy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench_scale: begin (written by bench/bench_scale.py) -->", "<!-- bench_scale: end -->"
ALGORITHMS = ("dual", "primal", "ipm")
#: HiGHS options of each bare run.
BARE_OPTIONS = {
    "dual": {"solver": "simplex", "simplex_strategy": 1},
    "primal": {"solver": "simplex", "simplex_strategy": 4},
    "ipm": {"solver": "ipm"},
    "pdlp": {"solver": "pdlp"},
    "mip": {},  # plus the planner's MIP presolve options (optimiser.model.solve.mip_presolve)
    "mip-default": {},  # HiGHS's defaults (--mip-default): Fourier-Motzkin presolve on
}
GOALS = {
    "lp10k_ratio": 2.0,  # 10 000-measure LP end to end ≤ 2.0 × bare HiGHS (best algorithm); issue 20
    "lp10k_beyond": 1.5,  # the goal beyond it
    "lumpy4k_s": 60.0,  # 4 000 measures with lumpy projects planned in ≤ 60 s
    "sweep10k_s": 3.0,  # a warm sweep point at 10 000 ≤ 3 s
    "default_s": 1.0,  # the default plan ≤ 1.0 s end to end
    "lp50k_gib": 24.0,  # 50 000 measures planned within 24 GiB
}


# ---------------------------------------------------------------- children (each in a fresh process)

def child_plan(workbook: str, out: str, stages_path: str, extra: list[str]) -> int:
    """``policymix plan`` through the CLI's own main, with every stage timed."""
    t0 = time.perf_counter()
    import highspy

    import optimiser.cli as cli

    t_import = time.perf_counter() - t0
    background = os.environ.get("POLICYMIX_BENCH_BACKGROUND")  # the input sheets written during the solve or not
    if background:
        import optimiser.report.plan as plan_writer

        plan_writer.BACKGROUND = background == "on"
    import optimiser.model.optimum as optimum
    import optimiser.model.solve as solve
    import optimiser.pipeline as pipeline
    import optimiser.report.plan as plan

    times: dict[str, float] = {}
    runs: list[tuple[str, float]] = []

    def timed(owner, name: str, stage: str):
        original = getattr(owner, name)  # fails loudly when the pipeline's names change

        def wrapper(*a, **k):
            s = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                times[stage] = times.get(stage, 0.0) + time.perf_counter() - s

        setattr(owner, name, wrapper)

    timed(pipeline, "read_workbook", "read")
    timed(optimum, "build_model", "build")
    timed(solve.Solver, "__init__", "hand-off")
    timed(solve.Solver, "solve", "solve")
    timed(optimum, "extract", "extract")
    timed(plan, "write_plan", "write plan")
    timed(pipeline, "write_json", "write json")
    watched = solve.run_watched  # every HiGHS run of the planner, with what it solves in words

    def counted_run(h, what, *a, **k):
        s = time.perf_counter()
        try:
            return watched(h, what, *a, **k)
        finally:
            runs.append((what, time.perf_counter() - s))

    solve.run_watched = counted_run
    t1 = time.perf_counter()
    code = cli.main(["plan", workbook, "-o", out, "--json", out + ".json", "--force", *extra])
    t_main = time.perf_counter() - t1
    doc = json.loads(Path(out + ".json").read_text()) if Path(out + ".json").exists() else {}
    Path(stages_path).write_text(json.dumps({
        "code": code, "import": t_import, "main": t_main, "stages": times, "runs": runs,
        "objective": doc.get("objective_meur"), "status": doc.get("status"),
    }))
    return 0


def child_save(workbook: str, mps: str, info_path: str, extra: list[str]) -> int:
    """The model exactly as the planner passes it to HiGHS, written by HiGHS (MPS)."""
    from optimiser.model.build import build_model
    from optimiser.model.solve import Solver
    from optimiser.pipeline import load

    overrides = [("set", extra[k + 1]) for k in range(0, len(extra), 2) if extra[k] == "--set"]
    _, inp, _ = load(workbook, overrides=overrides)
    solver = Solver(build_model(inp))
    solver.highs.writeModel(mps)
    Path(info_path).write_text(json.dumps({"columns": solver.n_col, "rows": solver.n_row,
                                           "integers": len(solver.integer_cols), "offset": solver.offset}))
    return 0


def child_bare(mps: str, algorithm: str, result_path: str, time_limit: float) -> int:
    """Bare highspy: read the model, set the algorithm, time ``run`` alone."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(mps)
    for k, v in BARE_OPTIONS[algorithm].items():
        h.setOptionValue(k, v)
    if algorithm == "mip":
        from optimiser.model.solve import mip_presolve

        mip_presolve(h)
    h.setOptionValue("time_limit", float(time_limit))
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    Path(result_path).write_text(json.dumps({
        "seconds": seconds, "status": h.modelStatusToString(h.getModelStatus()),
        "objective": info.objective_function_value,
        "simplex_iterations": info.simplex_iteration_count, "ipm_iterations": info.ipm_iteration_count,
    }))
    return 0


def child_sweep(workbook: str, result_path: str, points: int) -> int:
    """A target sweep on one live HiGHS instance: the time of each point (update + solve + extract)."""
    from optimiser.analysis.sweep import parse_varies, sweep
    from optimiser.pipeline import load

    _, base, _ = load(workbook)
    t = base.settings.target_reduction_mt
    values = [round(t * (1 + f), 4) for f in (0.0, -0.005, 0.005, -0.01, 0.01, -0.015, 0.015, -0.02)[:points]]
    run = sweep(base, parse_varies([("set", "settings:target_reduction_mt=" + ",".join(map(str, values)))]))
    Path(result_path).write_text(json.dumps({
        "points": [{"note": p.solver_note, "seconds": p.seconds, "solve_seconds": p.solve_seconds,
                    "status": p.status} for p in run.points],
    }))
    return 0


# ---------------------------------------------------------------- the parent

def spawn(args: list[str], timeout: float, tree: Path = ROOT, *, env_extra: dict | None = None,
          cpu: list | None = None) -> tuple[int | None, float, float]:
    """Run ``python bench_scale.py --child …`` in a fresh process, on the policymix of source tree ``tree``:
    (exit code or None on timeout, seconds, peak resident memory in MB); the CPU seconds it used are appended to
    ``cpu``."""
    env = dict(os.environ, PYTHONPATH=str(tree), **(env_extra or {}))
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = t0 + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.terminate()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except ChildProcessError:
                pass
            return None, time.perf_counter() - t0, 0.0
        time.sleep(0.02)
    seconds = time.perf_counter() - t0
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0,):
        print(f"   child {args[0]} failed ({proc.returncode}): {err[-1500:]}", file=sys.stderr)
    return proc.returncode, seconds, usage.ru_maxrss / 1024


def workbook_for(measures: int | None, lumpy: int, seed: int, cache: Path, source: Path | None = None) -> Path:
    """The cached plant-level workbook (made once per measures/lumpy/seed/source workbook; the source is the
    shipped default unless given)."""
    sys.path.insert(0, str(ROOT))
    from optimiser.pipeline import default_workbook

    default = source or default_workbook()
    if measures is None:
        return default
    digest = hashlib.sha256(default.read_bytes() + (ROOT / "optimiser" / "input" / "synthetic.py").read_bytes())
    path = cache / f"plants-{measures}-lumpy{lumpy}-seed{seed}-{digest.hexdigest()[:10]}.xlsx"
    if not path.exists():
        from optimiser.input.read import read_workbook
        from optimiser.input.synthetic import plant_level
        from optimiser.input.tables import to_tables
        from optimiser.report.inputs import write_input_workbook

        cache.mkdir(parents=True, exist_ok=True)
        inp = plant_level(read_workbook(default).input, measures, seed=seed, lumpy=lumpy)
        write_input_workbook(to_tables(inp), inp.years, path)
    return path


def measure_case(label: str, workbook: Path, args, tmp: Path, *, runs: int, bare: bool, sweep: bool) -> dict:
    case: dict = {"label": label, "workbook": str(workbook)}
    extra = list(args.extra)
    trees = [("", ROOT, {})] + ([("baseline", args.baseline.resolve(), {})] if args.baseline else []) \
        + ([("background", ROOT, {"POLICYMIX_BENCH_BACKGROUND": "on"}),
            ("sequential", ROOT, {"POLICYMIX_BENCH_BACKGROUND": "off"})] if args.sequential else [])
    plans: dict[str, list[dict]] = {name: [] for name, _tree, _env in trees}
    for k in range(runs):
        for name, tree, env_extra in trees:  # the variants alternately: they share the machine's noise
            out = tmp / f"{label}-{name}{k}.xlsx"
            stages = tmp / f"{label}-{name}{k}.stages.json"
            cpu: list = []
            code, seconds, peak = spawn(["plan", str(workbook), str(out), str(stages), *extra], args.timeout, tree,
                                        env_extra=env_extra, cpu=cpu)
            if code is None:
                plans[name].append({"seconds": seconds, "timeout": True, "peak_mb": 0.0})
                continue
            info = json.loads(stages.read_text()) if stages.exists() else {}
            plans[name].append(dict(info, seconds=seconds, peak_mb=peak, cpu=cpu[0] if cpu else None))
            print(f"   {label}{f' ({name})' if name else ''}: plan run {k + 1}: {seconds:.2f} s (CPU "
                  f"{cpu[0] if cpu else 0:.2f} s), peak {peak:,.0f} MB, exit {info.get('code')}", flush=True)
    for name, found in plans.items():
        best = sorted(found, key=lambda p: p["seconds"])[len(found) // 2]  # the median run, with its stages
        target = case if not name else case.setdefault(name, {})
        target["plan"] = best
        target["plan_runs"] = [p["seconds"] for p in found]
        target["all"] = found
    if bare:
        mps = tmp / f"{label}.mps"
        info_path = tmp / f"{label}.model.json"
        code, _, _ = spawn(["save", str(workbook), str(mps), str(info_path), *extra], args.timeout)
        if code == 0:
            case["model"] = json.loads(info_path.read_text())
            algorithms = (["mip"] + (["mip-default"] if args.mip_default else [])) if case["model"]["integers"] \
                else list(args.algorithms)
            case["bare"] = {}
            for alg in algorithms:
                res_path = tmp / f"{label}.{alg}.json"
                code, seconds, peak = spawn(["bare", str(mps), alg, str(res_path), str(args.bare_time_limit)],
                                            args.timeout)
                res = json.loads(res_path.read_text()) if code == 0 and res_path.exists() else \
                    {"seconds": seconds, "status": "no result"}
                res["peak_mb"] = peak
                res["objective_total"] = (res.get("objective") or 0.0) + case["model"]["offset"]
                case["bare"][alg] = res
                print(f"   {label}: bare HiGHS {alg}: {res['seconds']:.2f} s ({res['status']})", flush=True)
            mps.unlink(missing_ok=True)
    for name, tree, _env in [t for t in trees if t[0] not in ("sequential", "background")] if sweep else []:
        res_path = tmp / f"{label}-{name}.sweep.json"
        code, _, peak = spawn(["sweep", str(workbook), str(res_path), str(args.sweep_points)], args.timeout, tree)
        if code == 0:
            target = case if not name else case.setdefault("baseline", {})
            target["sweep"] = json.loads(res_path.read_text())
            target["sweep"]["peak_mb"] = peak
            warm = [p["seconds"] for p in target["sweep"]["points"] if p["note"] == "warm re-solve"]
            print(f"   {label}{' (baseline)' if name else ''}: sweep warm points {', '.join(f'{s:.2f}' for s in warm)} s",
                  flush=True)
    return case


def _s(v) -> str:
    if v is None:
        return ""
    return f"{v:.3f}" if v < 1 else f"{v:.2f}" if v < 100 else f"{v:.0f}"


def best_bare(case: dict) -> tuple[str, float] | None:
    ok = {a: r["seconds"] for a, r in case.get("bare", {}).items()
          if r.get("status") == "Optimal" and a != "mip-default"}
    return min(ok.items(), key=lambda kv: kv[1]) if ok else None


def table(cases: list[dict]) -> list[str]:
    head = ("| case | cols × rows | plan s | CPU s | import | read | build | hand-off | HiGHS | probes | canonical stages "
            "| extract | write | peak MB | bare dual | bare primal | bare IPM | bare MIP | bare MIP, HiGHS defaults "
            "| ratio | warm sweep point s |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for c in cases:
        p = c["plan"]
        st = p.get("stages", {})
        runs = p.get("runs", [])
        model = c.get("model", {})
        size = f"{model['columns']:,} × {model['rows']:,}" if model else ""
        bare = c.get("bare", {})
        best = best_bare(c)
        plan_s = f"> {p['seconds']:.0f} (timeout)" if p.get("timeout") else _s(p["seconds"])
        if len(c["plan_runs"]) > 1:
            plan_s += f" (median of {len(c['plan_runs'])})"
        ratio = f"{p['seconds'] / best[1]:.2f}× ({best[0]})" if best and not p.get("timeout") else ""
        warm = [x["seconds"] for x in c.get("sweep", {}).get("points", []) if x["note"] == "warm re-solve"]
        highs_main, probes, stages = run_kinds(runs)
        write = (st.get("write plan") or 0.0) + (st.get("write json") or 0.0) if st else None

        def b(alg):
            r = bare.get(alg)
            if r is None:
                return ""
            return _s(r["seconds"]) if r.get("status") == "Optimal" else f"{_s(r['seconds'])} ({r['status']})"

        lines.append("| " + " | ".join([
            c["label"], size, plan_s, _s(p.get("cpu")), _s(p.get("import")), _s(st.get("read")), _s(st.get("build")),
            _s(st.get("hand-off")), _s(highs_main), _s(probes), _s(stages), _s(st.get("extract")), _s(write),
            f"{p.get('peak_mb', 0):,.0f}", b("dual"), b("primal"), b("ipm"), b("mip"), b("mip-default"), ratio,
            _s(statistics.median(warm)) if warm else "",
        ]) + " |")
    return lines


def run_kinds(runs) -> tuple[float | None, float | None, float | None]:
    """The HiGHS runs of a plan summed by kind: (the least-cost solve — the LP, or the MIP or the LPs of the
    lumpy decisions' whole assignments and the LP with them fixed —, the shadow-price probes, the canonical
    stages). A tree without canonical stages has None for them."""
    if not runs:
        return None, None, None
    probes = sum(t for what, t in runs if "shadow-price" in what)
    stages = [t for what, t in runs if "canonical" in what]
    main = sum(t for what, t in runs if "shadow-price" not in what and "canonical" not in what)
    return main, probes, (sum(stages) if stages else None)


def side_by_side(cases: list[dict]) -> list[str]:
    """Each case's plan, end to end, against the baseline tree's (and, with --sequential, against this tree with
    the input sheets written after the solve), run alternately: medians of wall and CPU time, the plan workbook
    and JSON written after the solve, the least-cost HiGHS solve, and the ratio to the best bare HiGHS run."""
    sequential = any(c.get("sequential") for c in cases)
    head = ["case", "plan s, this tree", "plan s, baseline", "this / baseline", "CPU s, this tree", "CPU s, baseline",
            "write s, this tree", "write s, baseline", "HiGHS s, this tree", "HiGHS s, baseline", "canonical stages s",
            "ratio to bare, this tree", "ratio to bare, baseline"]
    if sequential:
        head += ["plan s, input sheets always during the solve", "HiGHS s, during", "plan s, always after the solve",
                 "HiGHS s, after", "write s, after"]
    head += ["warm sweep point s, this tree", "warm sweep point s, baseline"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def med(runs: dict, key: str) -> float | None:
        values = [r.get(key) for r in runs.get("all", []) if r.get(key) is not None]
        return statistics.median(values) if values else None

    def write(plan: dict) -> float | None:
        st = plan.get("stages", {})
        return (st.get("write plan") or 0.0) + (st.get("write json") or 0.0) if st else None

    for c in cases:
        base = c.get("baseline")
        if not base:
            continue
        this_s, base_s = statistics.median(c["plan_runs"]), statistics.median(base["plan_runs"])
        main, _probes, stages = run_kinds(c["plan"].get("runs", []))
        base_main, _p, _s_ = run_kinds(base["plan"].get("runs", []))
        best = best_bare(c)
        warm = [x["seconds"] for x in c.get("sweep", {}).get("points", []) if x["note"] == "warm re-solve"]
        base_warm = [x["seconds"] for x in base.get("sweep", {}).get("points", []) if x["note"] == "warm re-solve"]
        row = [c["label"], _s(this_s), _s(base_s), f"{this_s / base_s:.2f}×", _s(med(c, "cpu")), _s(med(base, "cpu")),
               _s(write(c["plan"])), _s(write(base["plan"])), _s(main), _s(base_main), _s(stages),
               f"{this_s / best[1]:.2f}×" if best else "", f"{base_s / best[1]:.2f}×" if best else ""]
        if sequential:
            bg, seq = c.get("background") or {}, c.get("sequential") or {}
            row += [_s(statistics.median(bg["plan_runs"])) if bg.get("plan_runs") else "",
                    _s(run_kinds(bg["plan"].get("runs", []))[0]) if bg.get("plan") else "",
                    _s(statistics.median(seq["plan_runs"])) if seq.get("plan_runs") else "",
                    _s(run_kinds(seq["plan"].get("runs", []))[0]) if seq.get("plan") else "",
                    _s(write(seq["plan"])) if seq.get("plan") else ""]
        row += [_s(statistics.median(warm)) if warm else "", _s(statistics.median(base_warm)) if base_warm else ""]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def goals(cases: list[dict]) -> list[str]:
    by = {c["label"]: c for c in cases}
    out = []

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**missed**"

    c = by.get("default (41, MILP)")
    if c:
        s = c["plan"]["seconds"]
        out.append(f"- default plan ≤ {GOALS['default_s']:g} s end to end: {s:.2f} s — {verdict(s <= GOALS['default_s'])}")
    c = by.get("10 000 LP")
    if c and best_bare(c):
        alg, bare = best_bare(c)
        s = c["plan"]["seconds"]
        out.append(f"- 10 000-measure LP ≤ {GOALS['lp10k_ratio']:g} × bare HiGHS ({alg}, {bare:.2f} s): "
                   f"{s:.2f} s = {s / bare:.2f}× — {verdict(s <= GOALS['lp10k_ratio'] * bare)}; the goal beyond, "
                   f"{GOALS['lp10k_beyond']:g}×: {verdict(s <= GOALS['lp10k_beyond'] * bare)}")
    c = by.get("4 000 lumpy")
    if c:
        p = c["plan"]
        s = p["seconds"]
        ok = not p.get("timeout") and p.get("code") in (0, 3) and s <= GOALS["lumpy4k_s"]
        out.append(f"- 4 000 measures with lumpy projects ≤ {GOALS['lumpy4k_s']:g} s: "
                   f"{'> ' if p.get('timeout') else ''}{s:.1f} s — {verdict(ok)}")
    c = by.get("10 000 LP")
    warm = [x["seconds"] for x in (c or {}).get("sweep", {}).get("points", []) if x["note"] == "warm re-solve"]
    if warm:
        s = statistics.median(warm)
        out.append(f"- warm sweep point at 10 000 ≤ {GOALS['sweep10k_s']:g} s: median {s:.2f} s "
                   f"({len(warm)} points) — {verdict(s <= GOALS['sweep10k_s'])}")
    c = by.get("50 000 LP")
    if c:
        p = c["plan"]
        gib = p.get("peak_mb", 0) / 1024
        ok = not p.get("timeout") and p.get("code") in (0, 3) and gib <= GOALS["lp50k_gib"]
        out.append(f"- 50 000 measures within {GOALS['lp50k_gib']:g} GiB: {p['seconds']:.0f} s, peak "
                   f"{gib:.1f} GiB — {verdict(ok)}")
    return out


def write_docs(lines: list[str]) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Performance\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN not in text:
        text += "\n" + BEGIN + "\n" + END + "\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(head + BEGIN + "\n" + "\n".join(lines) + "\n" + END + tail)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "plan":
            return child_plan(rest[0], rest[1], rest[2], rest[3:])
        if kind == "save":
            return child_save(rest[0], rest[1], rest[2], rest[3:])
        if kind == "bare":
            return child_bare(rest[0], rest[1], rest[2], float(rest[3]))
        if kind == "sweep":
            return child_sweep(rest[0], rest[1], int(rest[2]))
        raise SystemExit(f"unknown child {kind}")

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 4000, 10000], help="LP sizes (measures)")
    parser.add_argument("--lumpy-sizes", type=int, nargs="*", default=[1000, 4000],
                        help="sizes of the variant with lumpy projects")
    parser.add_argument("--lumpy", type=int, default=3, help="lumpy measures in that variant (default 3)")
    parser.add_argument("--large", action="store_true", help="also 50 000 measures (LP)")
    parser.add_argument("--no-default", action="store_true", help="skip the default workbook")
    parser.add_argument("--default-runs", type=int, default=5, help="fresh-process runs of the default plan")
    parser.add_argument("--runs", type=int, default=1, help="fresh-process runs of each plant-level plan")
    parser.add_argument("--algorithms", nargs="*", default=list(ALGORITHMS), choices=list(BARE_OPTIONS))
    parser.add_argument("--no-bare", action="store_true", help="skip the bare HiGHS runs")
    parser.add_argument("--mip-default", action="store_true",
                        help="also solve MIPs bare with HiGHS's default presolve (slow: > 10 min at 4 000 lumpy)")
    parser.add_argument("--sweep-sizes", type=int, nargs="*", default=[10000])
    parser.add_argument("--sweep-points", type=int, default=6)
    parser.add_argument("--bare-time-limit", type=float, default=3600.0)
    parser.add_argument("--timeout", type=float, default=4 * 3600.0, help="seconds before a child is stopped")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "policymix-bench-scale")
    parser.add_argument("--set", dest="extra", action="append", default=[], type=lambda s: ("--set", s),
                        metavar="SHEET:ID:COLUMN=VALUE", help="an override for every plan (e.g. settings:solver=dual)")
    parser.add_argument("--futures", type=int, default=0, metavar="N",
                        help="the plan's stress headline over N futures where the workbook has an uncertainty sheet "
                             "(default 0: left out; the plan of the goals is the least-cost LP, and the stress test "
                             "solves N models more — bench/bench_plan.py times the default with it)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/performance.md")
    parser.add_argument("--baseline", type=Path, help="another source tree of policymix (e.g. the commit before, "
                        "from git archive): every plan and sweep also run there, alternately, and compared")
    parser.add_argument("--from", dest="source", type=Path, metavar="WORKBOOK",
                        help="replicate the measures of this workbook instead of the shipped default's (e.g. an "
                             "earlier default, to measure the same model as an earlier run)")
    parser.add_argument("--sequential", action="store_true",
                        help="also plan with the input sheets always written during the solve, and always after it "
                             "(by default a plan decides by the machine's load)")
    args = parser.parse_args()
    args.extra = [x for pair in args.extra for x in pair] + ["--futures", str(args.futures)]
    sizes = list(args.sizes) + ([50000] if args.large and 50000 not in args.sizes else [])

    todo: list[tuple[str, int | None, int]] = []
    if not args.no_default:
        todo.append(("default (41, MILP)", None, 0))
    todo += [(f"{n:,} LP".replace(",", " "), n, 0) for n in sizes]
    todo += [(f"{n:,} lumpy".replace(",", " "), n, args.lumpy) for n in args.lumpy_sizes]
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {sys.version.split()[0]}", flush=True)
    cases = []
    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        for label, n, lumpy in todo:
            wb = workbook_for(n, lumpy, args.seed, args.cache, args.source)
            print(f"{label}: {wb}", flush=True)
            cases.append(measure_case(label, wb, args, tmp, runs=args.default_runs if n is None else args.runs,
                                      bare=not args.no_bare, sweep=n in args.sweep_sizes))
    import pyomo

    from optimiser import __version__
    from optimiser.model.solve import solver_version

    lines = table(cases)
    verdicts = goals(cases)
    cmd = "python bench/bench_scale.py " + " ".join(sys.argv[1:])
    doc = [
        f"Measured {time.strftime('%Y-%m-%d')} with `{cmd.strip()}`: policymix {__version__}, "
        f"{solver_version()} (highspy), Pyomo {pyomo.version.version}, Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} cores (shared: figures are noisy). Seconds; "
        f"lumpy variant: {args.lumpy} lumpy measures; seed {args.seed}.",
        "",
        *lines,
        "",
        "Goals (issues 16 and 20):",
        "",
        *verdicts,
    ]
    if args.baseline:
        doc += ["", f"Side by side with the tree {args.baseline.name} (its plans and sweeps run alternately with "
                    "this tree's; medians; \"HiGHS\" is the least-cost solve, without probes or stages):", "",
                *side_by_side(cases)]
    print()
    print("\n".join(doc))
    if not args.no_docs:
        write_docs(doc)
        print(f"\nwritten to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

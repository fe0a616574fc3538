"""What the terminal shows: a plan in a few sentences, the rules comparison, a strict run's conflicting
limits, sweep tables with a progress bar, comparisons (rich, imported lazily).

The progress bar goes to stderr and only when stderr is a terminal, so
pipes, logs and ``--json -`` stay clean. Tables go to the stream given (rich
prints plain text without colours when it is not a terminal). Limits are
named by their family's declaration (:mod:`optimiser.model.families`).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

from ..analysis.rules_gap import RulesGap
from ..analysis.simulate import RulesResult
from ..analysis.sweep import PROGRESS_MIN_POINTS
from ..model.families import TARGET, family
from ..model.results import PlanResult
from . import words
from .cash import cash_line


def plan_lines(result: PlanResult, *, alternatives_words: str | None = None, max_limits: int = 8) -> list[str]:
    """The plan in a few sentences: the answer, the target's marginal value, what must give, which limits bind."""
    r = result
    lines = [words.headline(r)]
    cash = cash_line(r)
    if cash:
        lines.append(cash)
    lines += words.what_must_give(r)
    if alternatives_words:
        lines.append(alternatives_words)
    lines += words.marginal_value(r)
    binding = words.policy_binding(r)
    if binding:
        held = "; with the least relaxation held" if r.relaxation_total is not None else ""
        lines.append(f"Binding limits ({len(binding)}; largest shadow prices first{held}):")
        for name, key, val in binding[:max_limits]:
            lines.append(f"  {words.limit_sentence(r, name, key, val)}")
        if len(binding) > max_limits:
            lines.append(f"  … and {len(binding) - max_limits} more (Summary sheet)")
    else:
        lines.append("No budget or resource limit binds.")
    lines.append(words.headroom_sentence(r))
    return lines


def limit_sentence(result: PlanResult, name: str, key, value: float) -> str:
    """'one more MW of Grid capacity, Zeeland in 2030 saves 0.41 M€' and the like."""
    return words.limit_sentence(result, name, key, value)


def iis_lines(iis: list[dict]) -> list[str]:
    """A strict run's conflicting limits: policy limits one per line, single-measure limits folded."""
    lines = ["Target cannot be met without a shortfall (--strict). Conflicting limits:"]
    single: dict[str, list[str]] = {}
    for item in iis:
        f = family(item["kind"])
        if f.kind == "policy":
            lines.append(f"  - {item['text']}")
        else:
            single.setdefault(f.name, []).append(str(item.get("name") or item["id"]))
    for name, ids in single.items():
        f = family(name)
        lines.append(f"  - {len(ids)} {f.label('en')} limits of single measures ({f.where('en', id='')}): "
                     + ", ".join(ids))
    if not iis:
        lines.append("  (the solver could not isolate them)")
    return lines


@contextmanager
def sweep_progress(enabled: bool = True):
    """Yields (on_start, on_point) callbacks for :func:`optimiser.pipeline.run_sweep`.

    Shows a bar when stderr is a terminal and the sweep has more than
    PROGRESS_MIN_POINTS points; otherwise the callbacks do nothing.
    """
    state: dict = {}

    def on_start(total: int) -> None:
        if not enabled or total <= PROGRESS_MIN_POINTS or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        progress = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
        progress.start()
        state["progress"] = progress
        state["task"] = progress.add_task("", total=total)

    def on_point(done: int, total: int, point) -> None:
        progress = state.get("progress")
        if progress is not None:
            text = "rebuilt" if point.rebuilt else ("FAILED" if not point.ok else "")
            progress.update(state["task"], completed=done, description=text)

    try:
        yield on_start, on_point
    finally:
        if "progress" in state:
            state["progress"].stop()


#: Width of tables written to a pipe or file when the environment gives none (COLUMNS): wide enough that no
#: header is cut; a table wider than this is printed at its own width rather than wrapped.
PIPE_WIDTH = 160


def _console(file, renderable=None):
    """A rich console for ``file``: the terminal's width on a terminal; piped, COLUMNS if set, else
    PIPE_WIDTH, widened to the table's own width so that no header is cut."""
    import os

    from rich.console import Console

    if file.isatty():
        return Console(file=file, soft_wrap=False)
    try:
        width = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        width = PIPE_WIDTH
    console = Console(file=file, soft_wrap=False, width=max(40, width))
    if renderable is not None:
        from rich.measure import Measurement

        wide = Console(file=file, width=10_000)
        need = Measurement.get(wide, wide.options, renderable).maximum
        if need > console.width:
            console = Console(file=file, soft_wrap=False, width=need)
    return console


def _print(console, renderable) -> None:
    """Print a table; to a pipe or file without the padding to the console's width."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    console.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def _num(v, digits: int = 1) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:,.{digits}f}"


def print_sweep(run, file=None, max_rows: int = 200) -> None:
    """One line per point: the varied values, status, public cost, abatement, the marginal €/t and the slope."""
    from rich.table import Table

    file = file or sys.stdout
    T = run.base.settings.target_year
    maximising = run.base.settings.objective == "max-abatement"
    slopes = run.slopes()
    table = Table(title=f"Sweep of {run.source_file or 'the input'} ({len(run.points)} points)", title_justify="left")
    table.add_column("#", justify="right")
    for v in run.varies:
        table.add_column(v.header, justify="right")
    table.add_column("status")
    table.add_column("public cost (M€)", justify="right")
    table.add_column(f"abatement {T} (Mt/yr)", justify="right")
    table.add_column(f"shortfall {T} (Mt/yr)", justify="right")
    per = (run.varies[0].unit or "unit") if run.varies and run.varies[0].op == "set" else "unit of the factor"
    if not maximising:
        table.add_column(f"target shadow price {T} (M€ per Mt/yr)", justify="right")
        table.add_column(f"cost slope from the previous point (M€ per {per})", justify="right")
    else:
        table.add_column(f"abatement slope from the previous point (Mt/yr per {per})", justify="right")
    table.add_column("solver")
    for p in run.points[:max_rows]:
        status = {"target_met": "met", "target_not_met": "NOT met"}.get(p.status, "FAILED")
        cells = [str(p.number), *[_num(p.values.get(v.key), 3) if isinstance(p.values.get(v.key), float)
                                  else str(p.values.get(v.key)) for v in run.varies],
                 status, _num(p.public_cost_meur), _num(p.abatement_mt.get(T), 3), _num(p.shortfall_mt.get(T), 3)]
        if not maximising:
            cells.append(_num(p.shadow.get((TARGET, T)) if p.ok else None, 0))
        cells.append(_num(slopes.get(p.number), 0 if not maximising else 4))
        cells.append("rebuilt" if p.rebuilt else ("first build" if p.number == 1 else "warm"))
        table.add_row(*cells)
    console = _console(file, table)
    _print(console, table)
    if len(run.points) > max_rows:
        console.print(f"… {len(run.points) - max_rows} more points in the workbook")
    for line in run.rebuild_summary():
        console.print(line, highlight=False)
    if run.mip:
        console.print("Lumpy measures: the shadow prices are those of the LP with the binaries fixed at each point's "
                      "optimum; the cost slope shows what the cost does between points.", highlight=False)
    failed = run.failed
    for p in failed[:10]:
        console.print(f"point {p.number}: FAILED: {p.message}", highlight=False)
    if len(failed) > 10:
        console.print(f"… {len(failed) - 10} more failed points (see the workbook)", highlight=False)


def print_comparison(cmp, file=None) -> None:
    from rich.table import Table

    file = file or sys.stdout
    a, b = cmp.a, cmp.b
    console = _console(file)
    console.print(f"A: {a['path']}  ({a['scenario']}, {a['status'].replace('_', ' ')}, "
                  f"public cost {a['public_cost_meur']:,.1f} M€)", highlight=False)
    console.print(f"B: {b['path']}  ({b['scenario']}, {b['status'].replace('_', ' ')}, "
                  f"public cost {b['public_cost_meur']:,.1f} M€)", highlight=False)
    if cmp.same:
        console.print("No differences: the plans agree on status, cost, targets, spend, measures and shadow prices.")
        return
    table = Table(title=f"{len(cmp.differences)} differences", title_justify="left")
    for name, justify in (("section", "left"), ("item", "left"), ("A", "right"), ("B", "right"),
                          ("B − A", "right"), ("unit", "left"), ("note", "left")):
        table.add_column(name, justify=justify)
    for d in cmp.differences:
        digits = 3 if "Mt" in d.unit and "M€" not in d.unit else 1
        if d.section == "measures":
            fmt = lambda v: "—" if v is None else f"{v:.1%}"  # noqa: E731
            change = "—" if d.change is None else f"{d.change:+.1%}"
        else:
            fmt = lambda v, digits=digits: _num(v, digits)  # noqa: E731
            change = "—" if d.change is None else f"{d.change:+,.{digits}f}"
        table.add_row(d.section, d.item, fmt(d.a), fmt(d.b), change, d.unit, d.note)
    _print(_console(file, table), table)


# ---------------------------------------------------------------- rules vs optimum

def summary_lines(gap: RulesGap) -> list[str]:
    """The comparison in a few sentences (for the terminal and docs)."""
    T = gap.target_year
    r, same, spend = gap.rules, gap.at_rules_abatement, gap.at_rules_spending
    lines = [
        f"Rules: {r.abatement_mt[T]:.2f} Mt/yr realised in {T} for {r.public_cost_meur:,.0f} M€ committed "
        f"({r.committed_idle_meur:,.0f} M€ of it idle: granted to projects that cannot be realised).",
        f"Optimum: {gap.optimum.abatement_mt[T]:.2f} Mt/yr in {T} for {gap.optimum.public_cost_meur:,.0f} M€ "
        f"(target {gap.optimum.target_mt[T]:.2f} Mt/yr).",
        f"Extra public cost of the rules for their abatement: {gap.extra_public_cost_meur:,.0f} M€ "
        f"(the optimum reaches {r.abatement_mt[T]:.2f} Mt/yr for {same.public_cost_meur:,.0f} M€).",
        f"Extra abatement of the optimum with the rules' spending: {gap.extra_abatement_mt:.2f} Mt/yr "
        f"({spend.abatement_mt[T]:.2f} Mt/yr for {spend.public_cost_meur:,.0f} M€).",
    ]
    rules_only, optimum_only = gap.funded_by_one_only(same)
    if rules_only or optimum_only:
        lines.append(f"At the same abatement, funded by the rules only: {', '.join(rules_only) or 'none'}; "
                     f"by the optimum only: {', '.join(optimum_only) or 'none'}.")
    if gap.granted_not_realised:
        lines.append(f"Granted but not (fully) realised: {', '.join(gap.granted_not_realised)}.")
    return lines


def simulation_lines(rules: RulesResult) -> list[str]:
    T = rules.input.settings.target_year
    counts: dict[str, int] = {}
    for o in rules.outcomes.values():
        counts[o.outcome] = counts.get(o.outcome, 0) + 1
    met = "target met" if rules.target_met else (
        "target NOT met (" + ", ".join(f"{y}: {v:.2f} Mt short" for y, v in rules.shortfall_mt.items() if v > 0) + ")")
    return [
        f"Rules simulation ({' → '.join(rules.run_order) or 'no instrument allocates'}): {met}; "
        f"{rules.abatement_mt[T]:.2f} Mt/yr realised in {T} for {rules.public_cost_meur:,.0f} M€ committed, "
        f"{rules.committed_idle_meur:,.0f} M€ of it idle.",
        "Measures: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + ".",
    ]


# ---------------------------------------------------------------- futures

@contextmanager
def futures_progress(enabled: bool = True):
    """Yields (on_start, on_progress, on_stage) for ``run("futures", …)``: a bar with futures per second and the
    time left, on stderr and only on a terminal; a decide-by run shows its stages instead."""
    state: dict = {}

    def _start(total: int | None) -> None:
        if not enabled or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, SpinnerColumn,
                                   TextColumn, TimeRemainingColumn)
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task):
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.1f} futures/s" if speed else "… futures/s")

        if total is None:
            progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), console=Console(stderr=True),
                                transient=True)
        else:
            progress = Progress(TextColumn("futures"), BarColumn(), MofNCompleteColumn(), Rate(),
                                TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        progress.start()
        state["progress"] = progress
        state["task"] = progress.add_task("", total=total)

    def on_start(total: int) -> None:
        _start(total)

    def on_progress(done: int, total: int) -> None:
        if "progress" in state:
            state["progress"].update(state["task"], completed=done)

    def on_stage(text: str) -> None:
        if "progress" not in state:
            _start(None)
        if "progress" in state:
            state["progress"].update(state["task"], description=text)

    try:
        yield on_start, on_progress, on_stage
    finally:
        if "progress" in state:
            state["progress"].stop()


def _pct(v: float) -> str:
    return f"{100 * v:.1f} %"


def futures_lines(run, max_items: int = 8) -> list[str]:
    """A futures run in a few sentences: P(target met) with its interval, cost, robust core, drivers, how it ran."""
    lo, hi = run.p_target_met_ci
    n = len(run.results)
    what = {"wait_and_see": "wait and see (each future planned on its own)",
            "stress_test": f"stress test of {run.plan_file} (its commitments fixed)",
            "decide_by": f"decide by {run.decision.year if run.decision else ''}, adapt later"}[run.mode]
    lines = [f"Futures: {n:,} drawn by Latin hypercube sampling (seed {run.seed}); {what}.",
             f"P(target met) = {_pct(run.p_target_met)} (95 % Wilson interval {_pct(lo)}–{_pct(hi)}): "
             f"{run.met:,} of {n:,} futures meet every target."]
    median, p90 = run.cost_quantile(0.5), run.cost_quantile(0.9)
    if median is not None:
        lines.append(f"Public cost: median {median:,.0f} M€, 90th percentile {p90:,.0f} M€.")
    core = run.robust_core()
    lines.append(f"Robust core (funded in ≥ 90 % of futures): {len(core)} measure{'' if len(core) == 1 else 's'}"
                 + (": " + ", ".join(core[:max_items]) + (" …" if len(core) > max_items else "") if core else ""))
    contingent = run.contingent()
    if contingent:
        lines.append(f"Contingent (funded in some futures): {len(contingent)} measures: "
                     + ", ".join(contingent[:max_items]) + (" …" if len(contingent) > max_items else ""))
    d = run.decision
    if d is not None:
        now = [f"{m} {v:.0%} in {y}" for m, ys in d.here_and_now.items() for y, v in ys.items()]
        lines.append(f"Commit now (by {d.year}, the same in every future): "
                     + (", ".join(now[:max_items]) + (" …" if len(now) > max_items else "") if now else "nothing"))
        vss = f"{d.vss_meur:,.1f} M€ (EEV {d.eev_meur:,.0f} M€)" if d.vss_meur is not None else "unbounded"
        lines.append(f"Expected cost {d.expected_cost_meur:,.0f} M€ (shortfall penalty included); value of the "
                     f"stochastic solution {vss}.")
    movers = [drv for drv in run.drivers if drv.rho_shortfall is not None][:3]
    if movers:
        lines.append("Moves the shortfall most: " + ", ".join(f"{drv.label} (ρ {drv.rho_shortfall:+.2f})"
                                                             for drv in movers))
    if run.failed:
        lines.append(f"{len(run.failed)} futures FAILED (no plan): see the Futures sheet.")
    if run.mode == "wait_and_see":
        lines.append(f"Models built: {run.builds} (a structure a worker had not seen); {run.updates:,} futures re-solved "
                     f"on a kept model; {run.workers}; {run.seconds:.1f} s ({n / max(run.seconds, 1e-9):,.0f} futures/s).")
    else:
        lines.append(f"{run.workers}; {run.seconds:.1f} s.")
    return lines

"""Terminal output of sweeps and comparisons: a progress bar and tables (rich, imported lazily).

The progress bar goes to stderr and only when stderr is a terminal, so
pipes, logs and ``--json -`` stay clean. Tables go to the stream given (rich
prints plain text without colours when it is not a terminal).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

from .sweep import PROGRESS_MIN_POINTS


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


def _console(file):
    from rich.console import Console

    return Console(file=file, soft_wrap=False, width=None if file.isatty() else 200)


def _num(v, digits: int = 1) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:,.{digits}f}"


def print_sweep(run, file=None, max_rows: int = 200) -> None:
    """One line per point: the varied values, status, public cost, abatement and the marginal €/t."""
    from rich.table import Table

    file = file or sys.stdout
    T = run.base.settings.target_year
    table = Table(title=f"Sweep of {run.source_file or 'the input'} ({len(run.points)} points)", title_justify="left")
    table.add_column("#", justify="right")
    for v in run.varies:
        table.add_column(v.header, justify="right")
    table.add_column("status")
    table.add_column("public cost (M€)", justify="right")
    table.add_column(f"abatement {T} (Mt/yr)", justify="right")
    table.add_column(f"shortfall {T} (Mt/yr)", justify="right")
    table.add_column(f"target shadow price {T} (€/t)", justify="right")
    table.add_column("solver")
    for p in run.points[:max_rows]:
        status = {"target_met": "met", "target_not_met": "NOT met"}.get(p.status, "FAILED")
        table.add_row(str(p.number), *[_num(p.values.get(v.key), 3) if isinstance(p.values.get(v.key), float)
                                       else str(p.values.get(v.key)) for v in run.varies],
                      status, _num(p.public_cost_meur), _num(p.abatement_mt.get(T), 3),
                      _num(p.shortfall_mt.get(T), 3), _num(p.shadow.get(("target", T)) if p.ok else None, 0),
                      "rebuilt" if p.rebuilt else ("first build" if p.number == 1 else "warm"))
    console = _console(file)
    console.print(table)
    if len(run.points) > max_rows:
        console.print(f"… {len(run.points) - max_rows} more points in the workbook")
    for p in run.points:
        if p.rebuilt:
            console.print(f"point {p.number}: model {p.solver_note}", highlight=False)
    for p in run.failed:
        console.print(f"point {p.number}: FAILED: {p.message}", highlight=False)


def print_comparison(cmp, file=None) -> None:
    from rich.table import Table

    file = file or sys.stdout
    console = _console(file)
    a, b = cmp.a, cmp.b
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
    console.print(table)

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
from ..lang import _, ngettext, num
from ..model.families import family
from ..model.fields import TERMINAL, field
from ..model.results import PlanResult
from . import words
from .cash import cash_line
from .columns import headline_columns, optional_columns


def plan_lines(result: PlanResult, *, alternatives_words: str | None = None, max_limits: int = 8) -> list[str]:
    """The plan in a few sentences: the answer, the target's marginal value, what must give, which limits bind."""
    from .answers import stress_sentence

    r = result
    lines = [words.headline(r)]
    stress = stress_sentence(r)
    if stress:
        lines.append(stress)
    cash = cash_line(r)
    if cash:
        lines.append(cash)
    lines += words.what_must_give(r)
    if alternatives_words:
        lines.append(alternatives_words)
    lines += words.marginal_value(r)
    binding = words.policy_binding(r)
    if binding:
        if r.relaxation_total is not None:
            lines.append(_("Binding limits ({n}; largest shadow prices first; with the least relaxation held):",
                           n=len(binding)))
        else:
            lines.append(_("Binding limits ({n}; largest shadow prices first):", n=len(binding)))
        for name, key, val in binding[:max_limits]:
            lines.append(f"  {words.limit_sentence(r, name, key, val)}")
        if len(binding) > max_limits:
            lines.append("  " + _("… and {n} more ({sheet} sheet)", n=len(binding) - max_limits, sheet=_("Summary")))
    else:
        lines.append(_("No budget or resource limit binds."))
    lines.append(words.headroom_sentence(r))
    return lines


def limit_sentence(result: PlanResult, name: str, key, value: float) -> str:
    """'one more MW of Grid capacity, Zeeland in 2030 saves 0.41 M€' and the like."""
    return words.limit_sentence(result, name, key, value)


def iis_lines(iis: list[dict]) -> list[str]:
    """A strict run's conflicting limits: policy limits one per line, single-measure limits folded."""
    lines = [_("Target cannot be met without a shortfall (--strict). Conflicting limits:")]
    single: dict[str, list[str]] = {}
    for item in iis:
        f = family(item["kind"])
        if f.kind == "policy":
            lines.append(f"  - {item['text']}")
        else:
            single.setdefault(f.name, []).append(str(item.get("name") or item["id"]))
    for name, ids in single.items():
        f = family(name)
        lines.append("  - " + _("{n} {label} limits of single measures ({where}): {ids}", n=len(ids),
                                  label=f.text("label"), where=f.text("where", id=""), ids=", ".join(ids)))
    if not iis:
        lines.append("  " + _("(the solver could not isolate them)"))
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
            text = _("rebuilt") if point.rebuilt else (_("FAILED") if not point.ok else "")
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
    return num(v, f",.{digits}f")


def print_sweep(run, file=None, max_rows: int = 200) -> None:
    """One line per point: the varied values, then the point's figures the terminal shows (status, public cost,
    abatement and shortfall in the target year, the target's marginal value, the slopes of public cost and of the
    objective), and how it was solved."""
    from rich.table import Table

    file = file or sys.stdout
    T = run.base.settings.target_year
    table = Table(title=_("Sweep of {source} ({n} points)", source=run.source_file or _("the input"),
                          n=len(run.points)), title_justify="left")
    table.add_column("#", justify="right")
    for v in run.varies:
        table.add_column(v.header, justify="right")
    first = run.varies[0] if run.varies else None
    per = (_(first.unit) if first.unit else _("unit")) if first and first.op == "set" else _("unit of the factor")
    figures = optional_columns(headline_columns(run.base, TERMINAL, target_years=[T], per=per, short=True),
                               [p.headline for p in run.points])
    for c in figures:
        table.add_column(c.header, justify="right" if c.field.fmt is not None else "left")
    table.add_column(_("solver"))
    for p in run.points[:max_rows]:
        cells = [str(p.number), *[_num(p.values.get(v.key), 3) if isinstance(p.values.get(v.key), float)
                                  else str(p.values.get(v.key)) for v in run.varies]]
        cells += [c.text(p.headline) for c in figures]
        cells.append(_("rebuilt") if p.rebuilt else (_("first build") if p.number == 1 else _("warm")))
        table.add_row(*cells)
    console = _console(file, table)
    _print(console, table)
    if len(run.points) > max_rows:
        console.print(_("… {n} more points in the workbook", n=len(run.points) - max_rows))
    for line in run.rebuild_summary():
        console.print(line, highlight=False)
    if run.mip:
        console.print(_("Lumpy measures: the shadow prices are those of the LP with the binaries fixed at each point's "
                        "optimum; the slope of public cost shows what the public cost does between points."),
                      highlight=False)
    failed = run.failed
    for p in failed[:10]:
        console.print(_("point {n}: FAILED: {message}", n=p.number, message=p.message), highlight=False)
    if len(failed) > 10:
        console.print(_("… {n} more failed points (see the workbook)", n=len(failed) - 10), highlight=False)


def print_comparison(cmp, file=None) -> None:
    from rich.table import Table

    file = file or sys.stdout
    a, b = cmp.a, cmp.b
    console = _console(file)
    status = field("status")
    for side, plan in (("A", a), ("B", b)):
        console.print(_("{side}: {path}  ({scenario}, {status}, public cost {cost} M€)", side=side, path=plan["path"],
                        scenario=plan["scenario"], status=status.shown(plan["status"]),
                        cost=num(plan["public_cost_meur"], ",.1f")), highlight=False)
    if cmp.same:
        console.print(_("No differences: the plans agree on status, cost, targets, spend, measures and shadow prices."))
        return
    table = Table(title=_("{n} differences", n=len(cmp.differences)), title_justify="left")
    for name, justify in ((_("section"), "left"), (_("item"), "left"), ("A", "right"), ("B", "right"),
                          ("B − A", "right"), (_("unit"), "left"), (_("note"), "left")):
        table.add_column(name, justify=justify)
    for d in cmp.differences:
        digits = 3 if "Mt" in d.unit and "M€" not in d.unit else 1
        if d.section == "measures":
            fmt = lambda v: "—" if v is None else num(v, ".1%")  # noqa: E731
            change = "—" if d.change is None else num(d.change, "+.1%")
        else:
            fmt = lambda v, digits=digits: _num(v, digits)  # noqa: E731
            change = "—" if d.change is None else num(d.change, f"+,.{digits}f")
        table.add_row(_(d.section), d.item, fmt(d.a), fmt(d.b), change, d.unit, d.note)
    _print(_console(file, table), table)


# ---------------------------------------------------------------- rules vs optimum

def summary_lines(gap: RulesGap) -> list[str]:
    """The comparison in a few sentences (for the terminal and docs)."""
    T = gap.target_year
    r, same, spend = gap.rules, gap.at_rules_abatement, gap.at_rules_spending
    lines = [
        _("Rules: {abatement} Mt/yr realised in {year} for {cost} M€ committed ({idle} M€ of it idle: granted to "
          "projects that cannot be realised).", abatement=num(r.abatement_mt[T], ".2f"), year=T,
          cost=num(r.public_cost_meur, ",.0f"), idle=num(r.committed_idle_meur, ",.0f")),
        _("Optimum: {abatement} Mt/yr in {year} for {cost} M€ (target {target} Mt/yr).",
          abatement=num(gap.optimum.abatement_mt[T], ".2f"), year=T, cost=num(gap.optimum.public_cost_meur, ",.0f"),
          target=num(gap.optimum.target_mt[T], ".2f")),
        _("Extra public cost of the rules for their abatement: {extra} M€ (the optimum reaches {abatement} Mt/yr for "
          "{cost} M€).", extra=num(gap.extra_public_cost_meur, ",.0f"), abatement=num(r.abatement_mt[T], ".2f"),
          cost=num(same.public_cost_meur, ",.0f")),
        _("Extra abatement of the optimum with the rules' spending: {extra} Mt/yr ({abatement} Mt/yr for {cost} M€).",
          extra=num(gap.extra_abatement_mt, ".2f"), abatement=num(spend.abatement_mt[T], ".2f"),
          cost=num(spend.public_cost_meur, ",.0f")),
    ]
    rules_only, optimum_only = gap.funded_by_one_only(same)
    if rules_only or optimum_only:
        lines.append(_("At the same abatement, funded by the rules only: {rules}; by the optimum only: {optimum}.",
                       rules=", ".join(rules_only) or _("none"), optimum=", ".join(optimum_only) or _("none")))
    if gap.granted_not_realised:
        lines.append(_("Granted but not (fully) realised: {ids}.", ids=", ".join(gap.granted_not_realised)))
    return lines


def simulation_lines(rules: RulesResult) -> list[str]:
    T = rules.input.settings.target_year
    counts: dict[str, int] = {}
    for o in rules.outcomes.values():
        counts[o.outcome] = counts.get(o.outcome, 0) + 1
    met = _("target met") if rules.target_met else _("target NOT met ({short})", short=", ".join(
        _("{year}: {amount} Mt short", year=y, amount=num(v, ".2f")) for y, v in rules.shortfall_mt.items() if v > 0))
    return [
        _("Rules simulation ({order}): {met}; {abatement} Mt/yr realised in {year} for {cost} M€ committed, {idle} M€ "
          "of it idle.", order=" → ".join(rules.run_order) or _("no instrument allocates"), met=met,
          abatement=num(rules.abatement_mt[T], ".2f"), year=T, cost=num(rules.public_cost_meur, ",.0f"),
          idle=num(rules.committed_idle_meur, ",.0f")),
        _("Measures: {counts}.", counts=", ".join(f"{n} {_(k)}" for k, n in counts.items())),
    ]


# ---------------------------------------------------------------- futures and delays

@contextmanager
def futures_progress(enabled: bool = True, unit: str | None = None):
    """Yields (on_start, on_progress, on_stage) for ``run("futures", …)`` and ``run("delays", …)``: on stderr and only
    on a terminal, the stage of a long run (futures drawn, each planned on its own, the program, the validation)
    with a bar of what is done in it, its rate and the time left."""
    state: dict = {}

    def _start() -> None:
        if not enabled or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, SpinnerColumn,
                                   TextColumn, TimeRemainingColumn)
        from rich.text import Text

        label = unit or _("futures")

        class Rate(ProgressColumn):
            def render(self, task):
                speed = task.finished_speed or task.speed
                return Text(_("{rate} {unit}/s", rate=num(speed, ",.1f"), unit=label) if speed and task.total
                            else "")

        progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            Rate(), TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        progress.start()
        state["progress"] = progress
        state["task"] = progress.add_task(label, total=None)

    def on_start(total: int) -> None:
        if "progress" not in state:
            _start()
        if "progress" in state:
            state["progress"].reset(state["task"], total=total, completed=0)

    def on_progress(done: int, total: int) -> None:
        if "progress" not in state:
            _start()
        if "progress" in state:
            task = next(t for t in state["progress"].tasks if t.id == state["task"])
            if task.total != total or done < task.completed:  # a new stage's bar
                state["progress"].reset(state["task"], total=total, completed=0, description=task.description)
            state["progress"].update(state["task"], completed=done)

    def on_stage(text: str) -> None:
        if "progress" not in state:
            _start()
        if "progress" in state:  # a new stage: a new task, of no known length until its progress says
            state["progress"].remove_task(state["task"])
            state["task"] = state["progress"].add_task(text, total=None)

    try:
        yield on_start, on_progress, on_stage
    finally:
        if "progress" in state:
            state["progress"].stop()


def _pct(v: float) -> str:
    return num(100 * v, ".1f") + " %"


def _list(items: list[str], most: int) -> str:
    return ", ".join(items[:most]) + (" …" if len(items) > most else "")


def futures_lines(run, max_items: int = 8) -> list[str]:
    """A futures run in a few sentences: for a confidence run its answer first (what it costs to be p sure, or the
    most that can be and what limits it); P(target met) with its interval; the expected public cost and
    shortfall; the abatement reached in at least 50, 80 and 95 % of the futures; the cash the instruments pay;
    the robust core; what to commit now; the drivers; how it ran."""
    from . import answers

    lo, hi = run.p_target_met_ci
    n = len(run.results)
    c = run.confidence
    what = {"wait_and_see": _("wait and see (each future planned on its own)"),
            "stress_test": _("stress test of {plan} (its commitments fixed)", plan=run.plan_file),
            "decide_by": _("decide by {year}, adapt later", year=run.decision.year if run.decision else ""),
            "confidence": _("planning to a confidence level")}[run.mode]
    lines = [_("Futures: {n} drawn by Latin hypercube sampling (seed {seed}); {what}.", n=num(n, ",d"), seed=run.seed,
               what=what)]
    if c is not None:
        lines += answers.confidence_lines(run)
    lines.append(_("P(target met) = {p} (95 % Wilson interval {low}–{high}): {met} of {n} futures meet every target.",
                   p=_pct(run.p_target_met), low=_pct(lo), high=_pct(hi), met=num(run.met, ",d"), n=num(n, ",d")))
    for text in [answers.expected_line(run), *answers.sure_lines(run), answers.cash_line(run)]:
        if text:
            lines.append(text)
    core = run.robust_core()
    lines.append(ngettext("Robust core (funded in ≥ 90 % of futures): {n} measure",
                          "Robust core (funded in ≥ 90 % of futures): {n} measures", len(core))
                 + (": " + _list(core, max_items) if core else ""))
    contingent = run.contingent()
    if contingent:
        lines.append(_("Contingent (funded in some futures): {n} measures: {ids}", n=len(contingent),
                       ids=_list(contingent, max_items)))
    if run.decision is not None:
        lines += answers.decide_lines(run, max_items)
    movers = [drv for drv in run.drivers if drv.rho_shortfall is not None][:3]
    if movers:
        lines.append(_("Moves the shortfall most: {drivers}", drivers=", ".join(
            f"{drv.label} (ρ {num(drv.rho_shortfall, '+.2f')})" for drv in movers)))
    if run.failed:
        lines.append(_("{n} futures FAILED (no plan): see the Futures sheet.", n=len(run.failed)))
    if run.mode == "wait_and_see":
        lines.append(_("Models built: {builds} (a structure a worker had not seen); {updates} futures re-solved on a "
                       "kept model; {workers}; {seconds} s ({rate} futures/s).", builds=run.builds,
                       updates=num(run.updates, ",d"), workers=run.workers, seconds=num(run.seconds, ".1f"),
                       rate=num(n / max(run.seconds, 1e-9), ",.0f")))
    else:
        lines.append(_("{workers}; {seconds} s.", workers=run.workers, seconds=num(run.seconds, ".1f")))
    return lines


def print_curve(run, file=None) -> None:
    """The cost-of-confidence curve of a confidence run with several levels: one row per level (the fields of
    views ``curve`` and ``level``)."""
    from rich.table import Table

    from ..model.fields import CURVE, LEVEL
    from .columns import record_columns

    c = run.confidence
    if c is None or len(c.plans) < 2:
        return
    file = file or sys.stdout
    cols = record_columns(run.base, (CURVE, LEVEL), target_years=sorted(run.base.targets))
    table = Table(title=_("The cost of confidence ({n} futures)", n=num(c.samples, ",d")), title_justify="left")
    for col in cols:
        table.add_column(col.field.header(run.base, col.key, short=True), justify="right")
    for p in c.plans:
        table.add_row(*[col.field.text(p.record.get(col.field, col.key)) if col.field.fmt is not None else
                        str(col.of_record(p.record) or "—") for col in cols])
    _print(_console(file, table), table)


def print_delays(register, file=None, max_rows: int = 30) -> None:
    """The delay register: one row per item and years of delay, those that cost most first (the fields of view
    ``delays``)."""
    from rich.table import Table

    from ..model.fields import DELAYS, run_fields
    from .answers import ranked_delays

    file = file or sys.stdout
    inp = register.base
    fields_ = run_fields(DELAYS)
    table = Table(title=_("What each delay costs ({n} items × years of delay, those that cost most first)",
                          n=len(register.delays)), title_justify="left")
    table.add_column(_("item"))
    table.add_column(_("name"), max_width=40, no_wrap=True, overflow="ellipsis")
    table.add_column(_("years of delay"), justify="right")
    for f in fields_:
        table.add_column(f.header(inp, short=True), justify="right")
    ranked = ranked_delays(register)
    for d in ranked[:max_rows]:
        table.add_row(d.item, d.name if d.name != d.item else "", str(d.years),
                      *[f.text(d.record.get(f)) for f in fields_])
    console = _console(file, table)
    _print(console, table)
    if len(ranked) > max_rows:
        console.print(_("… {n} more rows in the workbook", n=len(ranked) - max_rows), highlight=False)


def delays_lines(register) -> list[str]:
    from . import answers

    return answers.delay_lines(register) + [
        _("{n} re-plans in {seconds} s ({updates} warm re-solves, {builds} model builds).", n=len(register.delays),
          seconds=num(register.seconds, ".1f"), updates=register.updates, builds=register.builds)]

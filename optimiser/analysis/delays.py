"""What each delay costs (docs/model.md section 17, ``policymix delays``): a register of the delays to prevent.

Items: every stock resource whose capacity rises within the horizon (a grid reinforcement, a CO2 store, a
hydrogen supply) and every lumpy measure. A delay of k years:

- of a resource: its capacity series moves k years later (the ``shift`` of an override: the value in year t
  becomes the value of year t − k; before start_year, the start_year value);
- of a lumpy measure: its lead time grows by k years.

Per item and k, two numbers:

- **with the plan fixed**: the abatement the plan loses in the target year — the plan's commitments in the
  delayed input, with recourse (:func:`optimiser.analysis.recourse.evaluate`: what cannot run stands idle);
- **re-planned**: the plan of least public cost for the delayed input (a warm re-solve on one kept HiGHS
  instance where the delay leaves the model's structure as it is — a capacity series moved; a lead time
  changes the structure and is built anew), and against the plan of the undelayed input: the extra public cost
  and the shortfall left.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..input.data import InputError, PlanInput, Problem, ScenarioRow
from ..input.scenario import apply_overrides
from ..lang import _, current
from ..model.fields import Record
from ..model.index import with_penalty
from .futures import ChunkResult, Payload, _State, _wait_and_see, plan_commitments
from .recourse import evaluate, repriced

#: The scenario name the override rows of a delay carry.
DELAY = "delay"


@dataclass
class Delay:
    """One item delayed by ``years`` (field names as the JSON of docs/model.md section 17)."""

    item: str  # resource or measure id
    kind: str  # "resource" | "measure"
    years: int
    abatement_lost_mt: float  # target year, the plan fixed (recourse)
    extra_public_cost_meur: float | None  # re-planned, against the plan of the undelayed input
    shortfall_mt: float | None  # re-planned: the shortfall left in the target year(s), summed
    name: str = ""  # the item in words
    solver_note: str = ""  # re-solved on the kept model, or built for a new structure
    extra_shortfall_mt: float | None = None  # re-planned: the shortfall left beyond that of the undelayed re-plan

    @property
    def record(self) -> Record:
        """Its figures as the result-field registry declares them (view ``delays``)."""
        return Record(self)


@dataclass
class DelayRun:
    years: list[int]
    delays: list[Delay]  # per item, per k, in the order of the items (resources, then lumpy measures)
    plan_abatement_mt: float  # the plan's target-year abatement without delay (with recourse)
    plan_cost_meur: float  # the re-planned baseline: the least public cost of the undelayed input
    plan_shortfall_mt: float
    builds: int = 0
    updates: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    base: PlanInput | None = None  # the undelayed input (the command sets it, with where it came from)
    plan_file: str = ""  # the plan workbook fixed (--plan), else ""
    source_file: str = ""
    source_sha256: str = ""
    overrides: list[str] = field(default_factory=list)

    @property
    def scenario_name(self) -> str:
        return self.base.settings.scenario_name if self.base is not None else ""

    @property
    def failed(self) -> list[Delay]:
        """The delays whose re-plan has no solution."""
        return [d for d in self.delays if d.extra_public_cost_meur is None]


def items(inp: PlanInput) -> list[tuple[str, str]]:
    """(kind, id): the stock resources whose capacity rises within the horizon, then the lumpy measures."""
    out = []
    for r, res in inp.resources.items():
        caps = [res.capacity[y] for y in inp.years]
        if res.kind == "stock" and any(b > a + 1e-12 for a, b in zip(caps, caps[1:])):
            out.append(("resource", r))
    out += [("measure", m) for m, meas in inp.measures.items() if meas.lumpy]
    return out


def delayed(inp: PlanInput, kind: str, ident: str, k: int) -> PlanInput:
    """The input with ``ident`` delayed by ``k`` years."""
    if kind == "resource":
        row = ScenarioRow(DELAY, "resources", ident, "*", "shift", int(k))
    else:
        row = ScenarioRow(DELAY, "measures", ident, "lead_time_years", "add", int(k))
    return apply_overrides(inp, [row])


def check_years(years) -> list[int]:
    try:
        out = sorted({int(y) for y in years})
    except (TypeError, ValueError):
        out = []
    if not out or any(y < 1 or y > 50 for y in out):
        raise InputError(Problem(_("--years {years}: expected whole numbers of years from 1 to 50, e.g. 1,2",
                                   years=",".join(map(str, years)) if not isinstance(years, str) else years)))
    return out


def delays(inp: PlanInput, *, commitments: dict[tuple[str, int], float] | None = None,
           split: dict[str, dict[str, float]] | None = None, years=(1,), on_progress=None) -> DelayRun:
    """What a delay of each of ``years`` costs, for every item (:func:`items`).

    ``commitments``/``split``: the plan fixed (as :func:`optimiser.analysis.futures.plan_commitments` gives
    them); default: the plan of ``inp`` itself.
    """
    started = time.perf_counter()
    ks = check_years(years)
    inp = with_penalty(inp)  # one P for the plan and every delayed input
    notes: list[str] = []
    if commitments is None:
        commitments, split, how = plan_commitments(inp)
        notes.append(_("the plan fixed: {how}", how=how))
    start = inp.settings.start_year
    T = inp.settings.target_year
    new = {k: v for k, v in commitments.items() if k[1] >= start and v > 0}
    base_ev = evaluate(inp, new, repriced(inp, new, split or {}), cash=False)
    state = _State(Payload(inp, "wait_and_see", lang=current()))
    counts = ChunkResult(results=[])
    baseline = _wait_and_see(state, inp, 0, counts)
    if not baseline.ok:
        raise InputError(Problem(_("the workbook's own plan could not be made: {message}", message=baseline.message)))
    todo = [(kind, ident, k) for kind, ident in items(inp) for k in ks]
    out: list[Delay] = []
    for n, (kind, ident, k) in enumerate(todo, start=1):
        late = delayed(inp, kind, ident, k)
        ev = evaluate(late, new, repriced(late, new, split or {}), cash=False)
        lost = base_ev.abatement_mt.get(T, 0.0) - ev.abatement_mt.get(T, 0.0)
        replanned = _wait_and_see(state, late, n, counts)
        name = (inp.resources[ident].name if kind == "resource" else inp.measures[ident].name) or ident
        if replanned.ok:
            extra = replanned.public_cost_meur - baseline.public_cost_meur
            short = sum(replanned.shortfall_mt.values())
        else:
            extra = short = None
        extra_short = None if short is None else _clean(short - sum(baseline.shortfall_mt.values()))
        out.append(Delay(ident, kind, k, _clean(lost), None if extra is None else _clean(extra),
                         None if short is None else _clean(short), name, replanned.solver_note, extra_short))
        if on_progress is not None:
            on_progress(n, len(todo))
    return DelayRun(ks, out, base_ev.abatement_mt.get(T, 0.0), baseline.public_cost_meur,
                    sum(baseline.shortfall_mt.values()), counts.builds, counts.updates,
                    time.perf_counter() - started, notes)


def _clean(v: float) -> float:
    return 0.0 if abs(v) < 1e-6 else v

"""Decisions already taken (docs/model.md section 12, sheet ``committed``) as the model sees them.

Plain arithmetic on the input, before any model exists:

- a decision of the past (year < start_year) is a constant: it operates from
  year + L_m (counts toward the targets, uses stock resources), and it reduces
  what is left to commit: x_{m,y} ≤ u_m − past share (and Σ_{m∈g} x ≤ 1 − the
  group's past share). Its money is sunk: in no budget, not in the objective.
  Its commitment year lies before the plan, so it uses no flow resource in it.
- a forced decision (year ≥ start_year) is a lower bound d_{m,year} ≥ share
  (the ``committed`` constraint family).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..input.data import PlanInput


@dataclass
class Decisions:
    """The decisions of sheet ``committed``, aggregated for the model."""

    past_share: dict[str, float] = field(default_factory=dict)  # measure → Σ past shares
    past_group: dict[str, float] = field(default_factory=dict)  # exclusive group → Σ past shares of its members
    past_operating: dict[tuple[str, int], float] = field(default_factory=dict)  # (m, y) → past share operating in y
    past_use: dict[tuple[str, int], float] = field(default_factory=dict)  # (r, y) → stock use by past decisions
    past_abatement: dict[int, float] = field(default_factory=dict)  # y → Σ A_m · past share operating in y
    forced: dict[tuple[str, int], float] = field(default_factory=dict)  # (m, y) → share that must be committed

    def left(self, inp: PlanInput, m: str) -> float:
        """u_m − past share: what is left to commit of measure m."""
        return inp.measures[m].max_share - self.past_share.get(m, 0.0)


def decisions(inp: PlanInput) -> Decisions:
    """Aggregate the rows of sheet ``committed`` (already validated: known measures, shares that fit)."""
    out = Decisions()
    if not inp.committed:
        return out
    years = inp.years
    past_share: dict[str, float] = defaultdict(float)
    for c in inp.past_decisions:
        m = inp.measures[c.measure_id]
        past_share[c.measure_id] += c.share
        if m.exclusive_group:
            out.past_group[m.exclusive_group] = out.past_group.get(m.exclusive_group, 0.0) + c.share
        for y in years:
            if c.year + m.lead_time_years <= y:
                out.past_operating[(c.measure_id, y)] = out.past_operating.get((c.measure_id, y), 0.0) + c.share
    out.past_share = dict(past_share)
    for (mid, y), share in out.past_operating.items():
        out.past_abatement[y] = out.past_abatement.get(y, 0.0) + inp.measures[mid].abatement_mt * share
    for (mid, r), a in inp.usage.items():
        res = inp.resources.get(r)
        if a == 0 or res is None or res.kind != "stock" or mid not in past_share:
            continue
        for y in years:
            share = out.past_operating.get((mid, y), 0.0)
            if share:
                out.past_use[(r, y)] = out.past_use.get((r, y), 0.0) + a * share
    for c in inp.forced_decisions:
        out.forced[(c.measure_id, c.year)] = out.forced.get((c.measure_id, c.year), 0.0) + c.share
    return out

"""What every run of many plans records (a sweep, a futures run): its base input and where it came from.

:class:`optimiser.analysis.sweep.SweepRun` and :class:`optimiser.analysis.futures.FuturesRun` extend it; the
About sheets and the JSON read these fields the same way for both (the points and the futures each carry a
:class:`optimiser.model.fields.Headline`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..input.data import PlanInput


@dataclass
class Run:
    """The base input of a run (its overrides applied), its source file and SHA-256, the solver, the notes on
    the input, and how long the run took (s)."""

    base: PlanInput
    source_file: str = field(default="", kw_only=True)
    source_sha256: str = field(default="", kw_only=True)
    solver_name: str = field(default="HiGHS", kw_only=True)
    seconds: float = field(default=0.0, kw_only=True)
    notes: list[str] = field(default_factory=list, kw_only=True)

    @property
    def scenario_name(self) -> str:
        return self.base.settings.scenario_name

    @property
    def outcomes(self) -> list:
        """What the run made, one each (a sweep's points, the futures' results): each has ``ok``."""
        raise NotImplementedError

    @property
    def failed(self) -> list:
        """The outcomes without a plan."""
        return [x for x in self.outcomes if not x.ok]

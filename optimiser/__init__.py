"""policymix: least-public-cost policy mix for Dutch industrial decarbonisation.

The Python API (:mod:`optimiser.api`)::

    import optimiser
    p = optimiser.plan()                                     # the shipped default workbook
    p.measures.head()                                        # pandas DataFrames
    q = optimiser.plan(set={"prices:co2_price_eur_per_t:*": 130}, target_reduction_mt=25)
    optimiser.compare(p, q).differences
    s = optimiser.sweep(vary={"settings:target_reduction_mt": range(10, 25, 2)})
    optimiser.simulate()                                     # the instruments' own rules
    f = optimiser.futures(samples=200, seed=1)               # how likely is the target
    f.p_target_met, f.futures.head()                         # one row per future

The names below are loaded on first use (a module-level ``__getattr__``), so
``import optimiser`` and the command line (``optimiser.cli``) stay cheap: no
solver, no pandas until they are asked for.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Top-level name → the module (under optimiser) it comes from. Every command of the record
#: (optimiser/commands.py) is a function of optimiser.api; one entry here makes it a top-level name.
_LAZY = {
    "plan": "api", "sweep": "api", "simulate": "api", "compare": "api", "futures": "api", "rules_gap": "api",
    "check": "api", "template": "api", "replan": "api", "delays": "api",
    "Plan": "api", "Sweep": "api", "Comparison": "api", "Futures": "api", "RulesGap": "api", "Check": "api",
    "Replan": "api", "Delays": "api",
    "LANGUAGES": "api",
    "InputError": "input.data", "Problem": "input.data",
    "SolverFailure": "model.optimum", "TargetInfeasible": "model.optimum",
    "default_workbook": "pipeline",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'optimiser' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

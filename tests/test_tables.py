"""Tables ↔ typed input: a round trip loses nothing (the plan's effective inputs rely on it)."""

from dataclasses import replace

from builders import measure, tables, yearly
from optimiser.input.tables import to_input, to_tables


def _strip_rows(inp):
    return replace(
        inp,
        measures={k: replace(m, row=None) for k, m in inp.measures.items()},
        instruments={k: replace(i, row=None) for k, i in inp.instruments.items()},
        resources={k: replace(r, row=None) for k, r in inp.resources.items()},
        scenarios=tuple(replace(o, row=None) for o in inp.scenarios),
    )


def test_round_trip_keeps_every_field():
    t = tables(
        measures=[measure("a", 1.0, 50, lumpy="no", exclusive_group="g", max_share=0.5, capex_meur=12.0),
                  measure("b", 2.0, -5, eligible="", lumpy="yes", lead_time_years=1, earliest_year=2025)],
        instruments=[{"instrument_id": "G", "cost_weight": 0.25, "capex_share_cap": 0.4, "eur_per_t_cap": 300.0,
                      "period_budget_meur": 99.0, "source": "S1"}],
        resources=[{"resource_id": "grid", "kind": "stock", "unit": "MW", **yearly(5.0), "source": "S2"}],
        usage=[{"measure_id": "a", "resource_id": "grid", "amount": -3.0, "source": "S3"}],
        targets=[{"year": 2025, "reduction_mt": 0.5}],
        scenarios=[{"scenario": "x", "sheet": "budgets", "id": "G", "column": "*", "op": "scale", "value": 2.0}],
    )
    first = to_input(t)
    again = to_input(to_tables(first))
    assert _strip_rows(again) == _strip_rows(first)
    assert again.measures["a"].lumpy is False and again.measures["b"].lumpy is True
    assert again.measures["b"].eligible_instruments == ()

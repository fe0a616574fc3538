"""docs/notebooks/what-if.ipynb runs in a real Jupyter kernel (nbclient + ipykernel), and its stored outputs (what a
reader sees without running it) are what that run gives, so it never goes stale."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("nbclient", reason="nbclient is a test extra: pip install '.[test]'")
pytest.importorskip("ipykernel", reason="ipykernel is a test extra: pip install '.[test]'")
pytest.importorskip("matplotlib", reason="matplotlib is a test extra: pip install '.[test]'")

ROOT = Path(__file__).resolve().parent.parent


def _runner():
    spec = importlib.util.spec_from_file_location("run_notebook", ROOT / "docs" / "run_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runner():
    return _runner()


@pytest.fixture(scope="module")
def fresh(runner):
    """The notebook run once in a fresh kernel."""
    return runner.execute(timeout=300)


@pytest.fixture(scope="module")
def stored(runner):
    import nbformat

    return nbformat.read(runner.NOTEBOOK, as_version=4)


def test_the_what_if_notebook_runs_and_shows_the_plans(fresh):
    import optimiser

    outputs = [o for c in fresh.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the MACC and the price-of-ambition curve
    text = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    # the notebook's plan is the API's (and the CLI's) plan of the advice's workbook
    assert repr(optimiser.plan("ser-2023")) in text
    for what_if in ("CO2 price 130 €/t", "grid 20 % tighter", "Tata two years later", "public cost"):
        assert what_if in text


def test_the_stored_outputs_are_what_a_run_gives(runner, stored, fresh):
    """Every number and word of every code cell's stored output, as a fresh run gives it; when this fails, a change
    moved the notebook's numbers: python docs/run_notebook.py --save stores the new ones."""
    found = runner.differences(stored, fresh)
    assert not found, "\n".join(found + ["run python docs/run_notebook.py --save to store what a run gives"])


def _plan_output(nb):
    """The first cell's output: the plan's repr, with its public cost."""
    return nb.cells[1].outputs[0]["data"]


def test_a_stored_number_that_a_run_does_not_give_is_found(runner, fresh):
    """The notebook once showed 6,571.6 M€ and a penalty of 10,000 €/t where a run gave 6,264.0 and 100,000."""
    cost = f"{fresh.cells[1].outputs[0]['data']['text/plain']}"
    assert "public cost 6,264.0 M€" in cost  # the advice's workbook, as the README quotes it
    stale = copy.deepcopy(fresh)
    _plan_output(stale)["text/plain"] = cost.replace("6,264.0", "6,571.6")
    (found,) = runner.differences(stale, fresh)
    assert found.startswith("cell 1 ") and "stored 6571.6, a run gives 6264" in found
    sweep = next(k for k, c in enumerate(fresh.cells) if c.cell_type == "code" and "optimiser.sweep" in c.source)
    table = fresh.cells[sweep].outputs[-1]["data"]["text/plain"]
    assert "100000.000000" in table  # the shortfall penalty of the last point
    stale = copy.deepcopy(fresh)
    stale.cells[sweep].outputs[-1]["data"]["text/plain"] = table.replace("100000.000000", " 10000.000000")
    assert [f"stored 10000, a run gives 100000" in f for f in runner.differences(stale, fresh)] == [True]


def test_whitespace_timings_and_html_are_not_differences(runner, fresh):
    calm = copy.deepcopy(fresh)
    data = _plan_output(calm)
    data["text/plain"] = "  " + data["text/plain"].replace(" ", "   ") + "\n"
    data["text/html"] = "<b>another rendering</b>"
    calm.cells[1].outputs.append({"output_type": "stream", "name": "stdout", "text": "solved in 0.84 s\n"})
    fresh_with_timing = copy.deepcopy(fresh)
    fresh_with_timing.cells[1].outputs.append({"output_type": "stream", "name": "stdout", "text": "solved in 1.3 s\n"})
    assert runner.differences(calm, fresh_with_timing) == []


def test_a_missing_or_extra_output_or_picture_is_a_difference(runner, fresh):
    short = copy.deepcopy(fresh)
    short.cells[1].outputs = []
    assert runner.differences(short, fresh)[0].startswith("cell 1 ")
    macc = next(k for k, c in enumerate(fresh.cells) if c.cell_type == "code" and "image/png" in str(c.outputs))
    blank = copy.deepcopy(fresh)
    blank.cells[macc].outputs = [o for o in blank.cells[macc].outputs if "image/png" not in o.get("data", {})]
    assert any(f"cell {macc} " in f for f in runner.differences(blank, fresh))

"""docs/notebooks/what-if.ipynb runs in a real Jupyter kernel (nbclient + ipykernel), so it never goes stale."""

from __future__ import annotations

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


def test_the_what_if_notebook_runs_and_shows_the_plans():
    import optimiser

    nb = _runner().execute(timeout=300)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the MACC and the price-of-ambition curve
    text = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    # the notebook's plan is the API's (and the CLI's) plan of the advice's workbook
    assert repr(optimiser.plan("ser-2023")) in text
    for what_if in ("CO2 price 130 €/t", "grid 20 % tighter", "Tata two years later", "public cost"):
        assert what_if in text

"""Execute docs/notebooks/what-if.ipynb in a real Jupyter kernel (the tests do; ``--save`` stores the outputs).

    python docs/run_notebook.py           # run it: fails on the first cell that raises
    python docs/run_notebook.py --check   # run it and compare with the stored outputs: exit 1 when they differ
    python docs/run_notebook.py --save    # run it and write the outputs (plots, tables) into the notebook

The stored outputs are what a reader of the notebook sees (on GitHub, without running it), so they must be what a
run gives: :func:`differences` compares every code cell's text outputs, stored and fresh, number by number (within
a relative 1e-5) and word by word (whitespace aside); the pictures are compared by count and size. After a change
that moves the notebook's numbers, ``--save`` stores the new outputs (and the diff shows what moved).

Needs the test extra (``pip install '.[test]'``: nbclient, nbformat, ipykernel, matplotlib).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "notebooks" / "what-if.ipynb"


def execute(path: Path = NOTEBOOK, *, timeout: int = 600):
    """The notebook executed in a fresh python3 kernel (run in a temporary folder, with this source tree
    importable), as an nbformat notebook."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + saved if saved else "")  # the kernel inherits it
    try:
        with tempfile.TemporaryDirectory() as tmp:
            client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=timeout, record_timing=False,
                                             resources={"metadata": {"path": tmp}})
            client.execute()
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved
    return nb


#: A number as a text output shows it: 6264.013846, 6,264.0, -40.471385, 1e+05, 20.2 (a thousands comma is read out).
NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")
#: Lines that say how long something took (they differ from run to run): left out of the comparison.
TIMING = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:s|ms|seconds?)\b(?!\w)|\bfutures/s\b|\bCPU times\b|\bWall time\b")
#: Two numbers agree within this relative difference (or this absolute one, near 0).
RELATIVE, ABSOLUTE = 1e-5, 1e-9


def _texts(cell) -> list[str]:
    """A code cell's text outputs, in order: what it printed and the plain text of what it showed."""
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            out.append(o.get("text", ""))
        elif o.get("output_type") in ("execute_result", "display_data"):
            out.append(o.get("data", {}).get("text/plain", ""))
        elif o.get("output_type") == "error":
            out.append(f"{o.get('ename')}: {o.get('evalue')}")
    return ["".join(t) if isinstance(t, list) else t for t in out]


def _words_and_numbers(text: str) -> tuple[list[str], list[float]]:
    """The text without its timing lines, as its words (numbers replaced by #) and its numbers."""
    kept = "\n".join(line for line in text.splitlines() if not TIMING.search(line))
    numbers = [float(n.replace(",", "")) for n in NUMBER.findall(kept)]
    return NUMBER.sub("#", kept).split(), numbers


def _images(cell) -> list[str]:
    return [o.get("data", {}).get("text/plain", "image") for o in cell.get("outputs", [])
            if "image/png" in o.get("data", {})]


def differences(stored, fresh) -> list[str]:
    """Where the stored outputs of a notebook differ from a fresh run's, one sentence per cell that differs (empty:
    none). ``stored`` and ``fresh`` are the same notebook (nbformat), before and after running it."""
    found = []
    code = [(k, a, b) for k, (a, b) in enumerate(zip(stored.cells, fresh.cells)) if a.cell_type == "code"]
    if len(stored.cells) != len(fresh.cells):
        return [f"{len(stored.cells)} cells stored, {len(fresh.cells)} run"]
    for k, a, b in code:
        where = f"cell {k} ({a.source.splitlines()[0][:60] if a.source else 'empty'!r})"
        old, new = _texts(a), _texts(b)
        if len(old) != len(new):
            found.append(f"{where}: {len(old)} text outputs stored, {len(new)} in a fresh run")
            continue
        for t_old, t_new in zip(old, new):
            (w_old, n_old), (w_new, n_new) = _words_and_numbers(t_old), _words_and_numbers(t_new)
            if w_old != w_new:
                first = next((i for i, (x, y) in enumerate(zip(w_old, w_new)) if x != y), min(len(w_old), len(w_new)))
                found.append(f"{where}: stored {' '.join(w_old[first:first + 6])!r}, a run gives "
                             f"{' '.join(w_new[first:first + 6])!r}")
                break
            moved = [(x, y) for x, y in zip(n_old, n_new) if not math.isclose(x, y, rel_tol=RELATIVE, abs_tol=ABSOLUTE)]
            if moved:
                found.append(f"{where}: stored {moved[0][0]:g}, a run gives {moved[0][1]:g} "
                             f"({len(moved)} numbers differ)")
                break
        if _images(a) != _images(b):
            found.append(f"{where}: pictures stored {_images(a)}, a run gives {_images(b)}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--save", action="store_true", help="write the outputs into the notebook")
    what.add_argument("--check", action="store_true", help="exit 1 when the stored outputs are not what a run gives")
    args = parser.parse_args()
    nb = execute()
    if args.check:
        import nbformat

        found = differences(nbformat.read(NOTEBOOK, as_version=4), nb)
        for line in found:
            print(f"{NOTEBOOK.name}: {line}", file=sys.stderr)
        if found:
            print("run python docs/run_notebook.py --save to store what a run gives", file=sys.stderr)
            return 1
        print(f"{NOTEBOOK}: the stored outputs are what a run gives")
    elif args.save:
        import nbformat

        nbformat.write(nb, NOTEBOOK)
        print(f"executed and saved {NOTEBOOK}")
    else:
        print(f"executed {NOTEBOOK}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Execute docs/notebooks/what-if.ipynb in a real Jupyter kernel (the tests do; ``--save`` stores the outputs).

    python docs/run_notebook.py           # run it: fails on the first cell that raises
    python docs/run_notebook.py --save    # run it and write the outputs (plots, tables) into the notebook

Needs the test extra (``pip install '.[test]'``: nbclient, nbformat, ipykernel, matplotlib).
"""

from __future__ import annotations

import argparse
import os
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", action="store_true", help="write the outputs into the notebook")
    args = parser.parse_args()
    nb = execute()
    if args.save:
        import nbformat

        nbformat.write(nb, NOTEBOOK)
        print(f"executed and saved {NOTEBOOK}")
    else:
        print(f"executed {NOTEBOOK}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())

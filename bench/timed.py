"""Run the policymix command line and record its CPU time: ``python bench/timed.py RECORD.json ARGS…``.

Calls ``optimiser.cli.main(ARGS)`` in this process, exactly as the ``policymix`` entry point does, and
then writes {"self": CPU seconds of this process, "children": CPU seconds of its worker processes} to
RECORD.json (resource.getrusage), whatever the exit code. Used by bench/bench_futures.py.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def cpu(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    record, args = Path(sys.argv[1]), sys.argv[2:]
    from optimiser.cli import main as cli

    code = 0
    try:
        code = cli(args) or 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        record.write_text(json.dumps({"self": cpu(resource.RUSAGE_SELF),
                                      "children": cpu(resource.RUSAGE_CHILDREN)}))
    return code


if __name__ == "__main__":
    sys.exit(main())

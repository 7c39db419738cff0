"""The outputs pinned by ``test_pinned_outputs.py``: analyze, plan and the sequential looks for
the three data shapes (a unit table, assignment and event logs, summary statistics).

Regenerate the pinned files (only when a change of output is intended, and say which in the
commit) with::

    .venv/bin/python -m tests.experiment.pinned_outputs
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from proxymetric import analyze
from proxymetric.analysis.sequential import analyze_sequential
from proxymetric.design.plan import plan
from proxymetric.report.json import to_json

from ..data.test_summary import asos_spec

ROOT = Path(__file__).resolve().parents[2]
PINNED = Path(__file__).resolve().parent / "pinned"
COOKIE = ROOT / "examples" / "cookie-cats" / "proxymetric.yaml"
CHECKOUT = ROOT / "examples" / "checkout-events" / "proxymetric.yaml"

OUTPUTS: dict[str, Callable[[], Any]] = {
    "analyze-units": lambda: analyze(COOKIE),
    "analyze-events": lambda: analyze(CHECKOUT),
    "analyze-summary": lambda: analyze(asos_spec("591c2c", (1, 2, 4))),
    "plan-units": lambda: plan(COOKIE, units_per_day=3000),
    "plan-events": lambda: plan(CHECKOUT),
    "plan-summary": lambda: plan(asos_spec("591c2c", (1, 2, 4)), units_per_day=20000),
    "sequential-events": lambda: analyze_sequential(CHECKOUT),
    "sequential-summary": lambda: analyze_sequential(asos_spec("058875", (4, 1))),
}


def output(name: str) -> Any:
    """The JSON of output ``name``, as plain Python."""
    return json.loads(to_json(OUTPUTS[name]()))


def main() -> None:
    PINNED.mkdir(exist_ok=True)
    for name in OUTPUTS:
        path = PINNED / f"{name}.json"
        path.write_text(json.dumps(output(name), indent=1, sort_keys=True) + "\n")
        print(f"wrote {path}")  # noqa: T201


if __name__ == "__main__":
    main()

"""Time `check_spec` on the five worked examples (in process, imports excluded).

Run: .venv/bin/python benchmarks/bench_check.py. The figures go in benchmarks/README.md.
The check reads no data; its cost is the value model's Monte Carlo run (the spec's draws)
and the sizing of each test. `--no-value` times the checklist with the value section removed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from proxymetric.check import check_spec
from proxymetric.spec import load_spec

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NAMES = ["nsfw-moderation", "rag-headquarters", "support-automation", "ads-load", "recommender"]


def main() -> None:
    """Print the best of 5 runs per example."""
    without_value = "--no-value" in sys.argv
    for name in NAMES:
        spec = load_spec(EXAMPLES / name / "proxymetric.yaml")
        if without_value:
            spec = spec.model_copy(update={"value": None})
        times = []
        for _ in range(5):
            start = time.perf_counter()
            card = check_spec(spec)
            times.append(time.perf_counter() - start)
        rows = len(card.rows)
        print(
            f"{name:20s} {rows} metrics  best {min(times) * 1000:7.1f} ms  "
            f"median {sorted(times)[2] * 1000:7.1f} ms"
        )


if __name__ == "__main__":
    main()

"""Benchmark `plan` and `analyze --sequential` against the fixed-horizon `analyze` query.

`plan` and the sequential looks read an event-level experiment in one query grouped by variant
and day of first assignment (instead of by variant only), with every covariance between the
metrics' columns. This script times, on the event logs of `bench_analyze.py` (generated into
`benchmarks/_data/`, kept between runs), side by side (one warm-up, then the contenders take
turns for --repeat rounds; medians):

  (a) proxymetric.analyze  (the fixed-horizon analysis: one query, moments per variant);
  (b) proxymetric.design.plan  (one query per variant and day, accrual fit, MDE, verdicts);
  (c) analyze_sequential  (the same query, then the mSPRT and boundaries at every look).

    .venv/bin/python benchmarks/bench_plan.py                         # 5M events, 500k units
    .venv/bin/python benchmarks/bench_plan.py --events 50000000 --event-units 5000000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyze import event_spec, make_events

from proxymetric import analyze
from proxymetric.analysis.sequential import analyze_sequential
from proxymetric.design import plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--event-units", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    db = make_events(args.events, args.event_units)
    spec = event_spec(db)
    contenders: dict[str, Callable[[], object]] = {
        "analyze": lambda: analyze(spec),
        "plan": lambda: plan(spec),
        "analyze_sequential": lambda: analyze_sequential(spec),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():
        fn()  # warm-up
    for _ in range(args.repeat):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["analyze"])
    print(f"{args.events:,} events, {args.event_units:,} units, {args.repeat} rounds (median)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:20s} {median:7.3f} s   {median / base:5.2f}x analyze")


if __name__ == "__main__":
    main()

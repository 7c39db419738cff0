"""Bradley-Terry with a bootstrap: aggregated counts versus refitting a logistic regression.

1 million judgments among 50 systems, 10% ties, 1,000 bootstrap rounds. proxymetric fits on the
win counts of each pair and resamples items as a multinomial over distinct item patterns; the
common approach refits a logistic regression (scikit-learn, lbfgs, no penalty) on one row per
judgment, ties as two half-weighted rows, for every bootstrap round (rows resampled). The
baseline is timed on a few rounds and scaled to 1,000; its strengths are checked against ours.

    .venv/bin/python benchmarks/bench_pairwise.py
    .venv/bin/python benchmarks/bench_pairwise.py --judgments 1000000 --per-item 50
    .venv/bin/python benchmarks/bench_pairwise.py --per-item 50 --interleave /path/to/before/src

``--interleave SRC`` measures the sources under SRC (another checkout's ``src``) against these,
side by side: pairs of fresh processes, before then after, each timing ``--repeat`` calls;
it prints each pair's CPU and wall medians with the load average, then the medians of both.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse

from proxymetric.pairwise import Judgments, bradley_terry


def generate(n: int, systems: int, per_item: int, seed: int) -> Judgments:
    rng = np.random.default_rng(seed)
    strength = rng.normal(0.0, 1.0, systems)
    a = rng.integers(0, systems, n)
    b = (a + rng.integers(1, systems, n)) % systems
    p = 1.0 / (1.0 + np.exp(-(strength[a] - strength[b])))
    t = np.minimum(0.1, 2 * np.minimum(p, 1 - p))
    u = rng.random(n)
    y = np.where(u < p - t / 2, 1.0, np.where(u < p + t / 2, 0.5, 0.0))
    return Judgments.from_codes(a, b, y, np.arange(n) // per_item)


def logistic_fit(j: Judgments, rows: np.ndarray) -> np.ndarray:
    """One logistic regression on the given rows (one per judgment, ties split in two)."""
    from sklearn.linear_model import LogisticRegression

    s = len(j.systems)
    a, b, y = j.system_a[rows], j.system_b[rows], j.outcome[rows]
    tie = y == 0.5
    a2 = np.r_[a, a[tie]]
    b2 = np.r_[b, b[tie]]
    y2 = np.r_[np.where(tie, 1.0, y), np.zeros(int(tie.sum()))]
    w2 = np.r_[np.where(tie, 0.5, 1.0), np.full(int(tie.sum()), 0.5)]
    n = a2.size
    x = sparse.csr_matrix(
        (np.r_[np.ones(n), -np.ones(n)], (np.r_[np.arange(n), np.arange(n)], np.r_[a2, b2])),
        shape=(n, s),
    )
    model = LogisticRegression(C=np.inf, fit_intercept=False, max_iter=1000, tol=1e-8)
    model.fit(x, y2, sample_weight=w2)
    coef = model.coef_.ravel()
    return np.asarray(coef - coef.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judgments", type=int, default=1_000_000)
    parser.add_argument("--systems", type=int, default=50)
    parser.add_argument("--per-item", type=int, default=1, help="judgments per item")
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-rounds", type=int, default=3)
    parser.add_argument("--interleave", metavar="SRC", help="before sources to compare with")
    parser.add_argument("--pairs", type=int, default=5, help="pairs of runs with --interleave")
    args = parser.parse_args()
    if args.interleave:
        interleave(args)
        return

    t0 = time.perf_counter()
    j = generate(args.judgments, args.systems, args.per_item, seed=1)
    print(f"generate + code {args.judgments:,} judgments: {time.perf_counter() - t0:.2f} s")

    times, cpu = [], []
    fit = None
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fit = bradley_terry(j, n_bootstrap=args.bootstrap, seed=0)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    assert fit is not None
    ours = statistics.median(times)
    print(
        f"proxymetric bradley_terry, {args.bootstrap} bootstrap rounds: median {ours:.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}) over {args.repeat} runs; "
        f"CPU median {statistics.median(cpu):.2f} s"
    )
    if args.baseline_rounds == 0:
        return

    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    full = logistic_fit(j, np.arange(len(j)))
    t_full = time.perf_counter() - t0
    by_name = {s.system: s.strength for s in fit.systems}
    diff = np.abs(full - np.array([by_name[n] for n in j.systems])).max()
    print(f"logistic regression, one fit: {t_full:.2f} s (max |strength difference| {diff:.1e})")
    t0 = time.perf_counter()
    for _ in range(args.baseline_rounds):
        logistic_fit(j, rng.integers(0, len(j), len(j)))
    per_round = (time.perf_counter() - t0) / args.baseline_rounds
    baseline = t_full + per_round * args.bootstrap
    print(
        f"logistic regression refit per bootstrap round: {per_round:.2f} s -> "
        f"{args.bootstrap} rounds about {baseline:,.0f} s"
    )
    print(f"speed-up: {baseline / ours:,.0f}x")


def interleave(args: argparse.Namespace) -> None:
    """Alternate fresh processes on the before sources and on these; print their medians."""
    import proxymetric

    sources = {"before": args.interleave, "after": str(Path(proxymetric.__file__).parents[1])}
    argv = [sys.executable, __file__, "--baseline-rounds", "0"]
    argv += ["--judgments", str(args.judgments), "--systems", str(args.systems)]
    argv += ["--per-item", str(args.per_item), "--bootstrap", str(args.bootstrap)]
    argv += ["--repeat", str(args.repeat)]
    pattern = re.compile(r"median ([0-9.]+) s .* CPU median ([0-9.]+) s")
    seen: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for k in range(args.pairs):
        for side, src in sources.items():
            env = {**os.environ, "PYTHONPATH": src}
            out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
            found = pattern.search(out.stdout)
            assert found is not None, out.stdout
            wall, cpu = float(found.group(1)), float(found.group(2))
            seen[side].append((cpu, wall))
            load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
            print(f"pair {k + 1} {side:6}: CPU {cpu:.2f} s, wall {wall:.2f} s (load {load})")
    for side, runs in seen.items():
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        print(f"{side}: median CPU {cpu:.2f} s, wall {wall:.2f} s over {len(runs)} runs")


if __name__ == "__main__":
    main()

"""The review-band policy at scale: one million scored examples, 1,000 bootstrap rounds.

    .venv/bin/python benchmarks/bench_classifier_policy.py                  # 1M, 1,000 rounds
    .venv/bin/python benchmarks/bench_classifier_policy.py --examples 100000 --bootstrap 200

Generates scores of bad (N(1.5, 1)) and good (N(0, 1)) examples at a 10% sample prevalence,
costs with lognormal and beta uncertainty, a production prevalence as a beta and a review
capacity, then times :func:`proxymetric.classifier.find_policy` end to end: the exact search
over every pair of the candidate thresholds (4,096 quantiles of the scores by default), the
bootstrap that re-chooses both thresholds in every round, the naive one, the cost draws and
the cost curve. ``--weighted`` times the weighted path (each round resamples the examples).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from proxymetric.classifier import PolicyCosts, find_policy
from proxymetric.value import Beta, LogNormal


def main() -> None:
    """Time the search and the bootstrap; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1_000_000)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--weighted", action="store_true")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    n = args.examples
    y = rng.random(n) < 0.1
    score = np.where(y, rng.normal(1.5, 1.0, n), rng.normal(0.0, 1.0, n))
    weight = rng.uniform(0.5, 2.0, n) if args.weighted else None
    costs = PolicyCosts(
        missed=LogNormal.from_median_p90(2.0, 8.0),
        false_block=LogNormal.from_median_p90(0.5, 2.0),
        review=0.10,
        reviewer_miss_rate=Beta.from_mean_sd(0.05, 0.02),
        reviewer_false_block_rate=Beta.from_mean_sd(0.01, 0.005),
    )
    common = {
        "prevalence": Beta.from_mean_sd(0.02, 0.005),
        "volume": 1_000_000.0,
        "review_capacity": 20_000.0,
        "weight": weight,
    }
    exact = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        find_policy(score, y, costs, n_bootstrap=0, **common)  # type: ignore[arg-type]
        exact.append(time.perf_counter() - start)
    full, cpu = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = find_policy(score, y, costs, n_bootstrap=args.bootstrap, **common)  # type: ignore[arg-type]
        full.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    best = result.policy("best")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{n:,} examples{' (weighted)' if args.weighted else ''}, "
        f"{result.n_thresholds:,} candidate thresholds"
    )
    print(f"search and curve, no bootstrap: median {np.median(exact):.3f} s of {args.repeat}")
    print(
        f"with {args.bootstrap:,} re-chosen bootstrap rounds: median {np.median(full):.3f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in full)}); CPU time {np.median(cpu):.3f} s"
    )
    print(
        f"best policy: t_low {best.t_low:.4f}, t_high {best.t_high:.4f}, profit "
        f"{best.profit:,.0f} [{best.profit_ci_lower:,.0f}, {best.profit_ci_upper:,.0f}] a day; "
        f"peak memory {peak:,.0f} MiB"
    )


if __name__ == "__main__":
    main()

"""Planning and sequential statistics: speed of the calculators and of a peeking simulation.

    .venv/bin/python benchmarks/bench_design.py
    .venv/bin/python benchmarks/bench_design.py --sims 100000 --looks 30

Times, per call: :func:`proxymetric.design.power_analysis` solving units, MDE and power, next to
statsmodels' ``NormalIndPower.solve_power`` on the same question (a peer, not the
implementation); :func:`~proxymetric.design.feasibility`; the Lan-DeMets boundaries for 5 and 20
looks; and :func:`~proxymetric.stats.sequential.always_valid_pvalues` vectorised over a grid of
simulated A/A experiments x daily looks, with the false positive rates it finds.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from scipy import stats
from statsmodels.stats.power import NormalIndPower

from proxymetric.design import AccrualModel, feasibility, power_analysis
from proxymetric.stats.sequential import (
    always_valid_pvalues,
    group_sequential_boundaries,
    tuned_mixing_variance,
)


def _per_call(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sims", type=int, default=10_000)
    parser.add_argument("--looks", type=int, default=30)
    parser.add_argument("--per-look", type=int, default=200)
    args = parser.parse_args()

    sm = NormalIndPower()
    fixed300 = AccrualModel.fixed(300)
    rows: list[tuple[str, Callable[[], object]]] = [
        ("power_analysis: units (proportion)",
         lambda: power_analysis("proportion", 0.05, mde=0.005)),
        ("power_analysis: MDE (proportion)",
         lambda: power_analysis("proportion", 0.05, units_per_variant=150)),
        ("power_analysis: power (mean)",
         lambda: power_analysis("mean", 10.0, sd=10.0, units_per_variant=100, mde=1.0)),
        ("statsmodels NormalIndPower.solve_power: nobs1",
         lambda: sm.solve_power(0.1, power=0.8, alpha=0.05)),
        ("statsmodels NormalIndPower.solve_power: effect",
         lambda: sm.solve_power(None, nobs1=150, power=0.8, alpha=0.05)),
        ("feasibility (fixed population)",
         lambda: feasibility(fixed300, "proportion", 0.05, target_mde=0.005)),
        ("group_sequential_boundaries, 5 looks",
         lambda: group_sequential_boundaries([0.2, 0.4, 0.6, 0.8, 1.0])),
        ("group_sequential_boundaries, 20 looks",
         lambda: group_sequential_boundaries(list(np.linspace(0.05, 1, 20)))),
    ]  # fmt: skip
    for name, fn in rows:
        print(f"{name:<50} {_per_call(fn, 20) * 1e3:9.3f} ms per call")

    rng = np.random.default_rng(1)
    sims, looks, per, rate = args.sims, args.looks, args.per_look, 0.1
    n = per * np.arange(1, looks + 1, dtype=float)
    start = time.perf_counter()
    xc = rng.binomial(per, rate, size=(sims, looks)).cumsum(axis=1)
    xt = rng.binomial(per, rate, size=(sims, looks)).cumsum(axis=1)
    simulate = time.perf_counter() - start
    start = time.perf_counter()
    effect = (xt - xc) / n
    var = (xc * (n - xc) + xt * (n - xt)) / (n * n * (n - 1))
    tau2 = tuned_mixing_variance(2 * rate * (1 - rate) / (per * looks))
    p = always_valid_pvalues(effect, var, tau2)
    analyse = time.perf_counter() - start
    fixed = 2 * stats.norm.sf(np.abs(effect) / np.sqrt(var))
    print(
        f"A/A peeking, {sims:,} experiments x {looks} looks: simulate {simulate:.3f} s, "
        f"mSPRT on all looks {analyse:.3f} s"
    )
    print(
        f"  false positives: fixed-horizon at the last look {np.mean(fixed[:, -1] < 0.05):.4f}, "
        f"at any look {np.mean((fixed < 0.05).any(axis=1)):.4f}, "
        f"mSPRT {np.mean(p[:, -1] <= 0.05):.4f}"
    )


if __name__ == "__main__":
    main()

"""Coverage study: the interval of the shrunk program impact, at registry sizes 300 to 10,000.

For each size ``K``, ``R`` registries are simulated with a known truth: true effects
``N(0.001, 0.01^2)``, standard errors ``Uniform(0.005, 0.02)``, a change ships when its estimate
is significantly positive (``z > 1.96``); the truth is the summed true effects of the shipped
changes. The coverage of the nominal 95% interval of ``program_impact`` is counted twice: with
the prior's estimation error (the default, bootstrap refits of the prior) and treating the fitted
prior as known (``bootstrap=0``), with its binomial sd ``sqrt(0.95 x 0.05 / R)``. A last row
uses a sparse distribution of true effects (80% exactly zero, the rest ``N(0.002, 0.02^2)``),
where the normal prior of the shrinkage is wrong.

Run: ``.venv/bin/python benchmarks/bench_impact_coverage.py``. Figures are in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from proxymetric.proxies import program_impact
from proxymetric.proxies.simulation import simulate_program


def study(k: int, r: int, seed: int, *, sparse: bool = False) -> dict[str, float]:
    """Return the coverages (with and without the prior's error) and the mean error."""
    rng = np.random.default_rng(seed)
    with_prior = known = 0
    errors = []
    for i in range(r):
        table, truth = simulate_program(rng, k, sparse=sparse)
        imp = program_impact(table, "revenue", value_per_unit=1.0, units=1.0, seed=i)
        plug = program_impact(table, "revenue", value_per_unit=1.0, units=1.0, bootstrap=0)
        with_prior += imp.shrunk_money_ci_lower <= truth <= imp.shrunk_money_ci_upper
        known += plug.shrunk_money_ci_lower <= truth <= plug.shrunk_money_ci_upper
        errors.append((imp.shrunk_money - truth) / imp.shrunk_money_se)
    return {
        "with_prior": with_prior / r,
        "known": known / r,
        "sd": float(np.sqrt(0.95 * 0.05 / r)),
        "mean_z": float(np.mean(errors)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registries", type=int, nargs=4, default=[1000, 600, 300, 200])
    args = parser.parse_args()
    print(
        "| experiments | registries | coverage with the prior's error | prior as known | binomial sd | mean error / se | time |"
    )
    print("|---|---|---|---|---|---|---|")
    runs = [(k, r, False) for k, r in zip((300, 1000, 3000, 10_000), args.registries, strict=True)]
    runs.append((1000, args.registries[1], True))
    for k, r, sparse in runs:
        t = time.perf_counter()
        out = study(k, r, seed=k, sparse=sparse)
        label = f"{k:,}" + (" (sparse true effects)" if sparse else "")
        print(
            f"| {label} | {r} | {out['with_prior']:.3f} | {out['known']:.3f} | {out['sd']:.3f} "
            f"| {out['mean_z']:+.2f} | {time.perf_counter() - t:.0f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()

"""Simulated A/A tests: rejection rate and interval coverage at their nominal levels.

Each case simulates N = 2000 A/A experiments with a fixed seed. Under a correct test the number
of rejections at alpha = 0.05 is Binomial(N, 0.05): its standard deviation is
sqrt(0.05 * 0.95 / 2000) = 0.0049, so the tolerance of 0.0195 is 4 standard deviations (a false
failure about once in 16,000 runs of a correct test). Coverage of the 95% interval of a true
effect of zero is the complement and has the same tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest

from proxymetric.stats import Moments, Statistic, compare

N_SIM = 2000
ALPHA = 0.05
TOL = 4 * np.sqrt(ALPHA * (1 - ALPHA) / N_SIM)


def _simulate(kind: str, rng: np.random.Generator, n: int) -> tuple[Moments, Moments]:
    def arm() -> Moments:
        if kind == "mean":
            y = rng.lognormal(1.0, 1.0, n)  # skewed, like revenue
            return Moments.from_rows(["y"], y)
        if kind == "proportion":
            return Moments.from_rows(["y"], rng.binomial(1, 0.1, n).astype(float))
        if kind == "ratio":
            views = rng.poisson(3, n) + 1.0
            clicks = rng.binomial(views.astype(int), rng.beta(2, 18, n)).astype(float)
            return Moments.from_rows(["n", "d"], np.column_stack([clicks, views]))
        x = rng.gamma(2.0, 5.0, n)  # cuped: outcome correlated with its pre-period
        y = 0.7 * x + rng.gamma(2.0, 2.0, n)
        return Moments.from_rows(["y", "x"], np.column_stack([y, x]))

    return arm(), arm()


@pytest.mark.parametrize("kind", ["mean", "proportion", "ratio", "cuped"])
def test_aa_rejection_rate_and_coverage(kind: str) -> None:
    rng = np.random.default_rng({"mean": 1, "proportion": 2, "ratio": 3, "cuped": 4}[kind])
    metric = Statistic("n", "d") if kind == "ratio" else Statistic("y")
    covariate = Statistic("x") if kind == "cuped" else None
    rejections = covered = 0
    for _ in range(N_SIM):
        c, t = _simulate(kind, rng, 400)
        cmp = compare(c, t, metric, covariate)
        rejections += cmp.difference.pvalue < ALPHA
        covered += cmp.difference.ci_lower <= 0 <= cmp.difference.ci_upper
    assert abs(rejections / N_SIM - ALPHA) < TOL
    assert abs(covered / N_SIM - (1 - ALPHA)) < TOL


def test_noninferiority_test_is_exact_at_the_margin() -> None:
    # At a true relative effect of exactly -margin the non-inferiority null holds with
    # equality, so the one-sided test rejects at rate alpha (same binomial tolerance).
    rng = np.random.default_rng(5)
    margin, p_c = 0.05, 0.3
    p_t = p_c * (1 - margin)
    rejections = 0
    for _ in range(N_SIM):
        c = Moments.from_rows(["y"], rng.binomial(1, p_c, 3000).astype(float))
        t = Moments.from_rows(["y"], rng.binomial(1, p_t, 3000).astype(float))
        p = compare(c, t, Statistic("y"), margin=margin).noninferiority_pvalue
        rejections += p is not None and p < ALPHA
    assert abs(rejections / N_SIM - ALPHA) < TOL


def test_relative_interval_covers_a_true_lift() -> None:
    rng = np.random.default_rng(6)
    covered = 0
    for _ in range(N_SIM):
        c = Moments.from_rows(["y"], rng.exponential(10.0, 500))
        t = Moments.from_rows(["y"], rng.exponential(10.0 * 1.1, 500))
        r = compare(c, t, Statistic("y")).relative
        covered += r.ci_lower <= 0.1 <= r.ci_upper
    assert abs(covered / N_SIM - (1 - ALPHA)) < TOL

"""Label budgets: the closed forms against brute force and against simulated PPI++ intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from proxymetric.errors import ProxymetricError
from proxymetric.judges import cheapest_mix, human_labels_needed, interval_width, ppi_mean


def _variance(n: float, big_n: float, sd: float, rho: float) -> float:
    """The PPI++ variance at the optimal lam, by minimising the quadratic in lam numerically:
    Var(lam) = (sd^2 - 2 lam c + lam^2 sd^2) / n + lam^2 sd^2 / N with judge sd = human sd
    (without judge-only items there is nothing to impute: lam = 0)."""
    lam = np.linspace(-1, 2, 300_001) if big_n else np.zeros(1)
    c = rho * sd * sd
    v = (sd**2 - 2 * lam * c + lam**2 * sd**2) / n + (lam**2 * sd**2 / big_n if big_n else 0)
    return float(v.min())


@pytest.mark.parametrize(
    ("n", "big_n", "rho"), [(100, 1000, 0.8), (400, 10_000, 0.9), (50, 0, 0.7)]
)
def test_width_is_the_minimum_over_lam(n: int, big_n: int, rho: float) -> None:
    """Reference: a grid minimisation of the PPI++ variance over lam (to 1e-5 relative)."""
    w = interval_width(n, big_n, human_sd=0.4, correlation=rho, confidence_level=0.9)
    z = 1.6448536269514722
    assert w == pytest.approx(2 * z * math.sqrt(_variance(n, big_n, 0.4, rho)), rel=1e-5)


def test_planned_width_matches_simulated_ppi_intervals() -> None:
    """Simulation: 300 data sets at the plan's human labels give a mean PPI++ width within 2%
    of the target (the width's sampling sd over 300 runs is well under 1%)."""
    plan = human_labels_needed(0.06, human_sd=0.5, correlation=0.8, judge_labels=5000)
    widths = []
    rng = np.random.default_rng(3)
    for _ in range(300):
        m = plan.human_labels + 5000
        latent = rng.standard_normal(m)
        y = (latent > 0).astype(float)
        # a judge whose labels correlate 0.8 with people's: flip a share of them
        flip = rng.random(m) < 0.1
        f = np.where(flip, 1 - y, y)
        h = np.full(m, np.nan)
        h[: plan.human_labels] = y[: plan.human_labels]
        r = ppi_mean(h, f)
        widths.append(r.estimate_ci_upper - r.estimate_ci_lower)
    assert np.mean(widths) == pytest.approx(0.06, rel=0.02)
    assert plan.human_only_labels > 2 * plan.human_labels


def test_labels_needed_is_the_smallest_that_reaches_the_width() -> None:
    for rho in (0.0, 0.5, 0.95):
        p = human_labels_needed(0.05, human_sd=0.5, correlation=rho, judge_labels=2000)
        assert interval_width(p.human_labels, 2000, human_sd=0.5, correlation=rho) <= 0.05
        assert interval_width(p.human_labels - 1, 2000, human_sd=0.5, correlation=rho) > 0.05
    useless = human_labels_needed(0.05, human_sd=0.5, correlation=0.0, judge_labels=2000)
    assert useless.human_labels == useless.human_only_labels


def test_cheapest_mix_against_brute_force() -> None:
    """Reference: an exhaustive search over (n, N) on a grid of N step 1 for each n."""
    sd, rho, ch, cj = 0.5, 0.85, 1.0, 0.02
    m = cheapest_mix(
        0.1, human_sd=sd, correlation=rho, cost_per_human_label=ch, cost_per_judge_label=cj
    )
    best = math.inf
    z = 1.959963984540054
    for n in range(1, m.human_only_labels + 1):
        for big_n in (0, *range(1, 3000)):
            v = sd**2 / n * (1 - rho**2 * big_n / (big_n + n))
            if 2 * z * math.sqrt(v) <= 0.1:
                best = min(best, ch * n + (cj * (n + big_n) if big_n else 0.0))
                break
    assert m.cost == pytest.approx(best)
    assert m.width <= 0.1 + 1e-12
    assert m.human_only_cost == ch * m.human_only_labels
    assert m.saving == m.human_only_cost - m.cost


def test_expensive_judge_labels_leave_people_alone() -> None:
    m = cheapest_mix(
        0.1, human_sd=0.5, correlation=0.5, cost_per_human_label=1.0, cost_per_judge_label=5.0
    )
    assert (m.judge_labels, m.human_labels) == (0, m.human_only_labels)


def test_a_cap_on_judge_labels_is_kept() -> None:
    m = cheapest_mix(0.05, human_sd=0.5, correlation=0.9, cost_per_human_label=1.0,
                     cost_per_judge_label=0.0, max_judge_labels=500)  # fmt: skip
    assert m.judge_labels <= 500
    assert m.width <= 0.05


def test_bad_plans_are_named() -> None:
    with pytest.raises(ProxymetricError, match=r"`correlation` == 1\.5"):
        human_labels_needed(0.05, human_sd=0.5, correlation=1.5, judge_labels=10)
    with pytest.raises(ProxymetricError, match="`target_width` == 0"):
        cheapest_mix(
            0, human_sd=0.5, correlation=0.5, cost_per_human_label=1, cost_per_judge_label=1
        )

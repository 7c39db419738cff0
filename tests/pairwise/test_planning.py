"""Judgment planning: closed-form sample sizes and the next-pairs design."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from scipy.stats import binom, norm

from proxymetric.errors import ProxymetricError
from proxymetric.pairwise import Judgments, judgments_needed, next_pairs
from proxymetric.pairwise.bradley_terry import SCORE_SCALE, _aggregate, _fit, _information

Simulate = Callable[..., tuple[Judgments, npt.NDArray[np.float64]]]  # see conftest.py


def test_published_numbers_of_the_issue() -> None:
    """Reference: the figures quoted for this feature (about 780 decided votes for a 55% win
    rate, about 190 for 60%, alpha 0.05, power 0.8) and the closed form of Fleiss et al."""
    assert judgments_needed(0.55).non_tie_judgments == 783
    assert judgments_needed(0.60).non_tie_judgments == 194
    za, zb = norm.ppf(0.975), norm.ppf(0.8)
    n = ((za * 0.5 + zb * math.sqrt(0.6 * 0.4)) / 0.1) ** 2
    assert judgments_needed(0.60).non_tie_judgments == math.ceil(n)
    plan = judgments_needed(0.55, tie_rate=0.2)
    assert plan.judgments == math.ceil(783 / 0.8)


@pytest.mark.parametrize("win_rate", [0.55, 0.6, 0.7, 0.4])
def test_planned_power_is_met_exactly(win_rate: float) -> None:
    """Reference: exact binomial power (scipy.stats.binom) of the two-sided normal test at
    the planned n. The normal approximation is accurate to about 1-2 points of power at these
    sizes, so power must lie within 0.8 +- 0.03."""
    n = judgments_needed(win_rate).non_tie_judgments
    k = np.arange(n + 1)
    z = (k / n - 0.5) / math.sqrt(0.25 / n)
    reject = np.abs(z) > norm.ppf(0.975)
    power = binom.pmf(k, n, win_rate)[reject].sum()
    assert power == pytest.approx(0.8, abs=0.03)


def test_bad_plan_parameters() -> None:
    with pytest.raises(ProxymetricError, match=r"`win_rate` == 0.5 equals `baseline`"):
        judgments_needed(0.5)
    with pytest.raises(ProxymetricError, match=r"`power` == 1.2, must be < 1"):
        judgments_needed(0.6, power=1.2)


def test_next_pairs_targets_the_least_judged_system(simulate_judgments: Simulate) -> None:
    """Construction: four systems with 400 judgments each pair except system 3, compared only
    10 times with system 0. Its interval is the widest, so the first suggestion must involve
    it, and the widest interval must shrink."""
    rng = np.random.default_rng(8)
    j, _ = simulate_judgments(rng, np.array([0.3, 0.1, -0.1, -0.3]), 3000)
    keep = (j.system_a != 3) & (j.system_b != 3)
    extra_a = np.zeros(10, dtype=np.int64)
    extra_b = np.full(10, 3)
    extra_y = np.array([1.0, 0.0] * 5)
    judgments = Judgments.from_codes(
        np.r_[j.system_a[keep], extra_a],
        np.r_[j.system_b[keep], extra_b],
        np.r_[j.outcome[keep], extra_y],
    )
    picks = next_pairs(judgments, n_pairs=3, batch=50)
    assert "3" in (picks[0].system_a, picks[0].system_b)
    assert picks[0].widest_ci_after < picks[0].widest_ci_before
    assert all(p.widest_ci_after <= p.widest_ci_before for p in picks)


def test_next_pairs_update_matches_direct_inverse(simulate_judgments: Simulate) -> None:
    """Reference: the Sherman-Morrison update equals the pseudo-inverse of the information
    matrix with the batch added directly (numpy.linalg.pinv), to 1e-9 relative."""
    rng = np.random.default_rng(9)
    j, _ = simulate_judgments(rng, np.array([0.5, 0.0, -0.2, -0.6, 0.1]), 600)
    pick = next_pairs(j, n_pairs=1, batch=40)[0]
    agg = _aggregate(j)
    w, n = agg.totals()
    theta = _fit(w[None], n[None], agg.pair_i, agg.pair_j, 5, np.zeros(1), 0.0)[0]
    info = _information(theta, n, agg.pair_i, agg.pair_j)
    a, b = int(pick.system_a), int(pick.system_b)
    p = 1 / (1 + np.exp(-(theta[a] - theta[b])))
    u = np.zeros(5)
    u[a], u[b] = 1.0, -1.0
    cov = np.linalg.pinv(info + 40 * p * (1 - p) * np.outer(u, u))
    width = 2 * norm.ppf(0.975) * SCORE_SCALE * math.sqrt(np.diag(cov).max())
    assert pick.widest_ci_after == pytest.approx(width, rel=1e-9)
    # and no other pair does better on the widest interval
    best = np.inf
    for x in range(5):
        for y in range(x + 1, 5):
            q = 1 / (1 + np.exp(-(theta[x] - theta[y])))
            v = np.zeros(5)
            v[x], v[y] = 1.0, -1.0
            c = np.linalg.pinv(info + 40 * q * (1 - q) * np.outer(v, v))
            best = min(best, float(np.diag(c).max()))
    assert width == pytest.approx(2 * norm.ppf(0.975) * SCORE_SCALE * math.sqrt(best), rel=1e-9)


def test_next_pairs_bad_input() -> None:
    j = Judgments.from_codes([0, 1], [1, 0], [1.0, 1.0])
    with pytest.raises(ProxymetricError, match=r"`batch` must be an integer >= 1; got 0"):
        next_pairs(j, batch=0)

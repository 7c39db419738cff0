"""Interleaving analysis on constructed click logs, against scipy and by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxymetric.errors import DataError
from proxymetric.interleaving import analyze_clicks, preference_from_counts, units_needed
from proxymetric.pairwise import judgments_needed


def _log() -> dict[str, list[object]]:
    """u1 clicks two a-items and one b-item (prefers a), u2 clicks one of each over two lists
    (tie), u3 clicks one b-item (prefers b), u4 clicks nothing, u5 clicks one a-item."""
    rows = [
        ("u1", 1, "m1", "a", 1), ("u1", 1, "m2", "b", 1), ("u1", 1, "m3", "a", 1),
        ("u2", 1, "m1", "b", 1), ("u2", 2, "m4", "a", 1), ("u2", 2, "m5", "b", 0),
        ("u3", 1, "m2", "a", 0), ("u3", 1, "m6", "b", 1),
        ("u4", 1, "m1", "a", 0), ("u4", 1, "m2", "b", 0),
        ("u5", 1, "m7", "a", True), ("u5", 1, "m8", "b", False),
    ]  # fmt: skip
    keys = ("unit", "list", "item", "team", "clicked")
    return {k: [r[i] for r in rows] for i, k in enumerate(keys)}


def test_constructed_log_by_hand() -> None:
    res = analyze_clicks(_log(), n_bootstrap=500)
    assert (res.wins_a, res.wins_b, res.ties) == (2, 1, 1)
    assert (res.units, res.units_without_clicks, res.lists, res.clicks) == (4, 1, 6, 7)
    assert res.preference_a == pytest.approx(2 / 3)
    assert res.delta == pytest.approx((2 + 0.5) / 4 - 0.5)
    assert res.winner == "none"


def test_pvalue_and_interval_match_scipy_and_statsmodels() -> None:
    """Reference: scipy.stats.binomtest (two-sided) and statsmodels proportion_confint
    (wilson) on the decided units."""
    from scipy.stats import binomtest
    from statsmodels.stats.proportion import proportion_confint

    res = preference_from_counts(130, 95, 75, n_bootstrap=10)
    assert res.pvalue == pytest.approx(binomtest(130, 225).pvalue, rel=1e-10)
    lo, hi = proportion_confint(130, 225, method="wilson")
    assert (res.preference_a_ci_lower, res.preference_a_ci_upper) == pytest.approx((lo, hi))
    assert res.winner == "a"


def test_bootstrap_interval_matches_resampling_units() -> None:
    """Reference: an independent bootstrap that resamples the 500 units themselves
    (numpy choice) 20000 times. Both percentile intervals carry Monte Carlo error of about
    0.0004 (quantile SE with B = 20000) on a grid of 1/1000; accept 0.003."""
    wins_a, wins_b, ties = 210, 170, 120
    res = preference_from_counts(wins_a, wins_b, ties, n_bootstrap=20000, seed=1)
    x = np.r_[np.full(wins_a, 0.5), np.full(wins_b, -0.5), np.zeros(ties)]
    rng = np.random.default_rng(2)
    boot = np.array([rng.choice(x, x.size).mean() for _ in range(20000)])
    lo, hi = np.quantile(boot, [0.025, 0.975])
    assert res.delta == pytest.approx(x.mean())
    assert res.delta_ci_lower == pytest.approx(lo, abs=0.003)
    assert res.delta_ci_upper == pytest.approx(hi, abs=0.003)


def test_planned_units_reach_the_planned_power() -> None:
    """Simulation: at the planned number of units for a 60% preference with half the units
    showing no preference, 1000 simulated experiments must reject at about 80%: binomial SE
    sqrt(.8*.2/1000) = 0.0126, plus the normal approximation's own error of about 0.01;
    accept 0.8 +- 0.05."""
    plan = units_needed(0.6, tie_rate=0.5)
    assert plan.decided_units == judgments_needed(0.6).non_tie_judgments
    assert plan.units == math.ceil(plan.decided_units / 0.5)
    rng = np.random.default_rng(3)
    draws = rng.multinomial(plan.units, [0.3, 0.2, 0.5], size=1000)
    rejected = [
        preference_from_counts(int(a), int(b), int(t), n_bootstrap=1).pvalue < 0.05
        for a, b, t in draws
    ]
    assert np.mean(rejected) == pytest.approx(0.8, abs=0.05)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"team": ["c"] * 12}, r"column `team` must hold 'a' or 'b'; got 'c' in 12 rows"),
        ({"clicked": ["maybe"] * 12}, r"column `clicked` must hold 0/1 or true/false; got 'maybe'"),
        ({"clicked": [2] * 12}, r"column `clicked` must hold 0/1 or true/false; got 2.0"),
    ],
)
def test_bad_click_logs(change: dict[str, list[object]], message: str) -> None:
    log = _log()
    log.update(change)
    with pytest.raises(DataError, match=message):
        analyze_clicks(log)


def test_missing_click_column() -> None:
    log = _log()
    del log["list"]
    with pytest.raises(DataError, match=r"no column 'list'; columns that exist: unit, item"):
        analyze_clicks(log)


@settings(max_examples=50, deadline=None)
@given(wins_a=st.integers(0, 200), wins_b=st.integers(0, 200), ties=st.integers(0, 50))
def test_swapping_rankers_mirrors_the_result(wins_a: int, wins_b: int, ties: int) -> None:
    """Property: swapping a and b flips delta and its interval, mirrors the preference and
    keeps the p-value."""
    if wins_a + wins_b + ties == 0:
        return
    ab = preference_from_counts(wins_a, wins_b, ties, n_bootstrap=50, seed=1)
    ba = preference_from_counts(wins_b, wins_a, ties, n_bootstrap=50, seed=1)
    assert ab.delta == pytest.approx(-ba.delta)
    assert ab.pvalue == pytest.approx(ba.pvalue, nan_ok=True)  # NaN when no unit decided
    if wins_a + wins_b:
        assert ab.preference_a == pytest.approx(1 - ba.preference_a)
        assert ab.preference_a_ci_lower == pytest.approx(1 - ba.preference_a_ci_upper)
    assert ab.delta_ci_lower <= ab.delta <= ab.delta_ci_upper
    assert {ab.winner, ba.winner} in ({"none"}, {"a", "b"})


def test_row_order_does_not_matter() -> None:
    log = _log()
    order = np.random.default_rng(0).permutation(len(log["unit"]))
    shuffled = {k: [v[i] for i in order] for k, v in log.items()}
    assert analyze_clicks(shuffled) == analyze_clicks(log)

"""Proportions with few events: Fisher's exact test and the Agresti-Caffo interval.

References: ``scipy.stats.fisher_exact`` and the closed form of the hypergeometric tails for
the p-values, ``statsmodels.stats.proportion.confint_proportions_2indep(method="agresti-caffo")``
for the interval. The A/A simulations run N = 4000 tests; the rejection rate of a test at
alpha = 0.05 is then within 3 binomial standard deviations, ``3 * sqrt(0.05 * 0.95 / 4000) =
0.0103``, of its true rate with probability 0.9987, so "at most alpha" is checked as
``rate <= alpha + 0.0103``.
"""

from __future__ import annotations

import math
from math import comb

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep

from proxymetric.errors import ProxymetricError
from proxymetric.stats import Moments, Statistic, compare
from proxymetric.stats.exact import (
    EXACT_BELOW,
    agresti_caffo,
    agresti_caffo_noninferiority_pvalue,
    binary_counts,
    fisher_exact_pvalue,
)

ALPHA = 0.05
N_SIM = 4000
SD3 = 3 * math.sqrt(ALPHA * (1 - ALPHA) / N_SIM)


def _binary(events: int, units: int) -> Moments:
    """The moments of ``units`` 0/1 values with ``events`` ones (sum of squares = events)."""
    return Moments.from_sums(["y"], units, [events], [[events]])


TABLES = [
    (0, 1000, 5, 1000),
    (5, 1000, 0, 1000),
    (3, 1000, 1, 300),
    (10, 20, 3, 15),
    (0, 12, 0, 12),
    (12, 12, 0, 15),
    (19, 5000, 40, 5000),
    (2, 100000, 9, 100000),
]


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_fisher_matches_scipy(table: tuple[int, int, int, int], alternative: str) -> None:
    x_c, n_c, x_t, n_t = table
    ref = sps.fisher_exact([[x_t, n_t - x_t], [x_c, n_c - x_c]], alternative=alternative)
    got = fisher_exact_pvalue(*table, alternative=alternative)  # type: ignore[arg-type]
    assert got == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)


def test_fisher_closed_form_of_5_against_0() -> None:
    # With 5 events in all, 1000 units per arm, the only tables as unlikely as (5, 0) are
    # (5, 0) and (0, 5): p = 2 C(1000, 5) / C(2000, 5) (the 0.062; Welch gives 0.025).
    closed = 2 * comb(1000, 5) / comb(2000, 5)
    assert closed == pytest.approx(0.0622, abs=5e-5)
    assert fisher_exact_pvalue(0, 1000, 5, 1000) == pytest.approx(closed, rel=1e-12)
    # One-sided: the upper tail is the single table (5 in treatment).
    assert fisher_exact_pvalue(0, 1000, 5, 1000, alternative="greater") == pytest.approx(
        comb(1000, 5) / comb(2000, 5), rel=1e-12
    )


def test_fisher_keeps_precision_with_large_arms() -> None:
    # Reference: the upper tail from the exact ratios of consecutive hypergeometric
    # probabilities in 40-digit decimal arithmetic (N = 2e7 units, K = 20 events).
    from decimal import Decimal, getcontext

    getcontext().prec = 40
    n, k_total = 10**7, 20
    ratios = [Decimal(1)]
    for k in range(k_total):
        ratios.append(
            ratios[-1] * Decimal((k_total - k) * (n - k)) / Decimal((k + 1) * (n - k_total + k + 1))
        )
    tail = float(sum(ratios[15:]) / sum(ratios))
    got = fisher_exact_pvalue(5, n, 15, n, alternative="greater")
    assert got == pytest.approx(tail, rel=1e-12)


@pytest.mark.parametrize("table", TABLES)
def test_agresti_caffo_matches_statsmodels(table: tuple[int, int, int, int]) -> None:
    x_c, n_c, x_t, n_t = table
    low, high = confint_proportions_2indep(x_t, n_t, x_c, n_c, method="agresti-caffo")
    ac = agresti_caffo(*table)
    assert ac.ci_lower == pytest.approx(low, rel=1e-10, abs=1e-14)
    assert ac.ci_upper == pytest.approx(high, rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("higher_is_better", [True, False])
def test_agresti_caffo_noninferiority_agrees_with_the_interval(higher_is_better: bool) -> None:
    # Duality with the (1 - 2 alpha) interval: the margin just inside and just outside its edge.
    counts = (4, 2000, 2, 2000)
    ac = agresti_caffo(*counts, confidence=1 - 2 * ALPHA)
    edge = -ac.ci_lower if higher_is_better else ac.ci_upper
    assert edge > 0

    def p(margin: float) -> float:
        return agresti_caffo_noninferiority_pvalue(
            *counts, margin, higher_is_better=higher_is_better
        )

    assert p(edge + 1e-9) < ALPHA < p(edge - 1e-9)
    assert p(edge) == pytest.approx(ALPHA, rel=1e-6)


def test_counts_need_whole_numbers_within_the_arm() -> None:
    with pytest.raises(ProxymetricError, match="0 <= events <= units"):
        fisher_exact_pvalue(5, 4, 0, 10)
    with pytest.raises(ProxymetricError, match="whole numbers"):
        agresti_caffo(1.5, 10, 0, 10)  # type: ignore[arg-type]


def test_binary_counts_recognises_0_1_moments_only() -> None:
    rng = np.random.default_rng(0)
    y = rng.binomial(1, 0.01, 3000).astype(float)
    assert binary_counts(Moments.from_rows(["y"], y), "y") == int(y.sum())
    counts = rng.poisson(0.01, 3000).astype(float) * 2  # whole, but not 0/1
    assert binary_counts(Moments.from_rows(["y"], counts), "y") is None
    # Summary statistics: a variance with ddof = 0 is still 0/1 data; a rounded mean is not.
    p = 7 / 1000
    assert binary_counts(Moments.from_summary(1000, {"y": p}, {"y": p * (1 - p)}), "y") == 7
    assert binary_counts(Moments.from_summary(1000, {"y": 0.0071}, {"y": 0.007}), "y") is None
    # 7.0004 events of 1000 with the spread of 7: not a count.
    spread = 7 * 993 / 1000 / 999
    assert binary_counts(Moments.from_summary(1000, {"y": 0.0070004}, {"y": spread}), "y") is None
    assert binary_counts(Moments.from_summary(1000, {"y": 0.007}, {"y": spread}), "y") == 7


def test_5_of_1000_against_0_is_not_significant() -> None:
    cmp = compare(_binary(0, 1000), _binary(5, 1000), Statistic("y"), proportion=True)
    d = cmp.difference
    assert d.test == "fisher_exact"
    ref = sps.fisher_exact([[5, 995], [0, 1000]]).pvalue
    assert d.pvalue == pytest.approx(ref, rel=1e-9)
    assert d.pvalue > ALPHA
    low, high = confint_proportions_2indep(5, 1000, 0, 1000, method="agresti-caffo")
    assert (d.ci_lower, d.ci_upper) == pytest.approx((low, high), rel=1e-10)
    assert d.ci_lower < 0 < d.ci_upper  # the interval agrees with the test: no reason needed
    assert d.effect == pytest.approx(0.005)
    assert not any("Fisher" in r for r in cmp.reasons)
    # Without the proportion flag the same moments are a mean: Welch's test, as before.
    welch = compare(_binary(0, 1000), _binary(5, 1000), Statistic("y")).difference
    assert welch.test == "welch"


def test_the_rule_switches_at_20_events_or_non_events() -> None:
    def test_of(x_c: int, x_t: int, n: int = 5000) -> str:
        cmp = compare(_binary(x_c, n), _binary(x_t, n), Statistic("y"), proportion=True)
        return cmp.difference.test

    assert EXACT_BELOW == 20
    assert test_of(20, 35) == "welch"
    assert test_of(19, 35) == "fisher_exact"
    assert test_of(35, 19) == "fisher_exact"
    assert test_of(4980, 4965) == "welch"  # 20 non-events
    assert test_of(4981, 4965) == "fisher_exact"  # 19 non-events


def test_a_disagreeing_interval_carries_a_reason() -> None:
    # 3 against 11 of 1000: Fisher's p = 0.057 while the Agresti-Caffo interval excludes 0.
    cmp = compare(_binary(3, 1000), _binary(11, 1000), Statistic("y"), proportion=True)
    assert cmp.difference.pvalue == pytest.approx(
        sps.fisher_exact([[11, 989], [3, 997]]).pvalue, rel=1e-9
    )
    assert cmp.difference.pvalue > ALPHA
    assert cmp.difference.ci_lower > 0
    assert any(
        "Agresti-Caffo interval of the effect excludes 0 while Fisher's exact test gives" in r
        for r in cmp.reasons
    )


def test_exact_test_uses_the_raw_counts_without_cuped() -> None:
    rng = np.random.default_rng(1)

    def arm(rate: float) -> Moments:
        y = rng.binomial(1, rate, 2000).astype(float)
        x = y + rng.normal(0, 0.1, 2000)  # a strong covariate
        return Moments.from_rows(["y", "x"], np.column_stack([y, x]))

    c, t = arm(0.002), arm(0.004)
    cmp = compare(c, t, Statistic("y"), Statistic("x"), proportion=True)
    x_c, x_t = round(c.mean_of("y") * 2000), round(t.mean_of("y") * 2000)
    ref = sps.fisher_exact([[x_t, 2000 - x_t], [x_c, 2000 - x_c]]).pvalue
    assert cmp.difference.pvalue == pytest.approx(ref, rel=1e-9)
    assert cmp.theta is None
    assert cmp.variance_reduction is None
    assert cmp.control.mean == pytest.approx(x_c / 2000)
    assert any("CUPED is not applied" in r for r in cmp.reasons)


def test_guardrail_with_few_events_uses_agresti_caffo_for_an_absolute_margin() -> None:
    counts = (6, 3000, 4, 3000)
    c, t = _binary(6, 3000), _binary(4, 3000)
    absolute = compare(c, t, Statistic("y"), proportion=True, margin=0.004, margin_type="absolute")
    ref = agresti_caffo_noninferiority_pvalue(*counts, 0.004)
    assert absolute.noninferiority_pvalue == pytest.approx(ref, rel=1e-12)
    # Closed form: one-sided normal tail of (p~_t - p~_c + margin) / se with p~ = (x+1)/(n+2).
    pt, pc = 5 / 3002, 7 / 3002
    z = (pt - pc + 0.004) / math.sqrt(pt * (1 - pt) / 3002 + pc * (1 - pc) / 3002)
    assert ref == pytest.approx(sps.norm.sf(z), rel=1e-12)
    relative = compare(c, t, Statistic("y"), proportion=True, margin=0.05)
    assert any("relies on the normal approximation" in r for r in relative.reasons)


@pytest.mark.parametrize(
    ("n_c", "n_t", "rate"),
    [(1000, 1000, 0.002), (1000, 300, 0.005), (5000, 500, 0.002)],
)
def test_false_positive_rate_at_small_counts(n_c: int, n_t: int, rate: float) -> None:
    # A/A tests at a small rate: the exact rule rejects at most alpha (within 3 sd, see the
    # module docstring). Welch's test on the same draws (scipy's ttest_ind_from_stats, the
    # reference) is far above alpha when the arms differ in size; with equal arms it is not
    # (its exact rate at 1000/1000 and 0.2% is 0.041: no variance when an arm has no event).
    rng = np.random.default_rng(n_c + n_t)
    x_c = rng.binomial(n_c, rate, N_SIM)
    x_t = rng.binomial(n_t, rate, N_SIM)
    ours = 0
    for a, b in zip(x_c.tolist(), x_t.tolist(), strict=True):
        cmp = compare(_binary(a, n_c), _binary(b, n_t), Statistic("y"), proportion=True)
        assert cmp.difference.test == "fisher_exact"
        ours += cmp.difference.pvalue < ALPHA
    assert ours / N_SIM <= ALPHA + SD3
    sd_c = np.sqrt(x_c * (n_c - x_c) / n_c / (n_c - 1))
    sd_t = np.sqrt(x_t * (n_t - x_t) / n_t / (n_t - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        ref = sps.ttest_ind_from_stats(x_t / n_t, sd_t, n_t, x_c / n_c, sd_c, n_c, equal_var=False)
    welch = np.mean(ref.pvalue < ALPHA)  # NaN (no variance in either arm) is no rejection
    if n_c != n_t:
        assert welch > ALPHA + SD3

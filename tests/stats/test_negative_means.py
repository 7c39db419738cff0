"""Relative effects and relative margins when the control mean is negative (a loss).

docs/architecture.md (statistical conventions): the relative effect is ``(t - c) / |c|``, with a
delta-method interval on the linear scale when the control mean is negative; relative margins
are fractions of ``|c|``; means of opposite signs leave the relative effect undefined. The
reference is the delta method computed directly with numpy and scipy's t quantile; the
simulations use N = 2000 runs and a tolerance of 4 binomial standard deviations,
``4 * sqrt(0.05 * 0.95 / 2000) = 0.0195`` (as in ``test_calibration.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from proxymetric.stats import (
    ArmEstimate,
    Moments,
    Statistic,
    arm_estimate,
    compare,
    noninferiority_pvalue,
    relative_difference,
)

N_SIM = 2000
ALPHA = 0.05
TOL = 4 * math.sqrt(ALPHA * (1 - ALPHA) / N_SIM)


def _arm(values: np.ndarray) -> ArmEstimate:
    return arm_estimate(Moments.from_rows(["y"], values), Statistic("y"))


def _exact(mean: float, sd: float, n: int, seed: int) -> np.ndarray:
    """``n`` values with exactly this mean and sample standard deviation."""
    z = np.random.default_rng(seed).normal(size=n)
    return np.asarray(mean + sd * (z - z.mean()) / z.std(ddof=1))


def _delta_reference(c: np.ndarray, t: np.ndarray, confidence: float) -> tuple[float, ...]:
    """(t - c)/|c| and its linear delta-method interval, computed directly (the reference)."""
    mc, mt = c.mean(), t.mean()
    grad_t, grad_c = 1 / abs(mc), mt / mc**2  # d/dmt and d/dmc of (mt - mc) / (-mc)
    a_t = grad_t**2 * t.var(ddof=1) / len(t)
    a_c = grad_c**2 * c.var(ddof=1) / len(c)
    df = (a_t + a_c) ** 2 / (a_t**2 / (len(t) - 1) + a_c**2 / (len(c) - 1))
    q = sps.t.ppf(0.5 + confidence / 2, df)
    rel = (mt - mc) / abs(mc)
    se = math.sqrt(a_t + a_c)
    return rel, rel - q * se, rel + q * se, se, df


def test_a_bigger_loss_is_a_negative_relative_effect() -> None:
    # -10 -> -12 is 20% worse: -20%, not +20% (m_t / m_c - 1).
    c, t = _exact(-10, 8, 400, 1), _exact(-12, 9, 380, 2)
    r = relative_difference(_arm(c), _arm(t))
    rel, lower, upper, se, df = _delta_reference(c, t, 0.95)
    assert rel == pytest.approx(-0.2, rel=1e-12)
    assert r.rel_effect == pytest.approx(rel, rel=1e-12)
    assert r.scale == "linear"
    assert r.ci_lower == pytest.approx(lower, rel=1e-10)
    assert r.ci_upper == pytest.approx(upper, rel=1e-10)
    assert r.linear_se == pytest.approx(se, rel=1e-10)
    assert r.df == pytest.approx(df, rel=1e-10)
    assert r.ci_upper < 0  # significantly worse, and the interval says so


def test_a_smaller_loss_and_a_loss_cut_to_zero_are_improvements() -> None:
    c = _exact(-10, 5, 300, 3)
    smaller = relative_difference(_arm(c), _arm(_exact(-8, 5, 300, 4)))
    assert smaller.rel_effect == pytest.approx(0.2, rel=1e-12)
    assert smaller.ci_lower > 0
    zero = relative_difference(_arm(c), _arm(_exact(0, 5, 300, 5)))
    _, lower, upper, _, _ = _delta_reference(c, _exact(0, 5, 300, 5), 0.95)
    assert zero.rel_effect == pytest.approx(1.0, abs=1e-12)
    assert (zero.ci_lower, zero.ci_upper) == pytest.approx((lower, upper), rel=1e-10)


def test_positive_means_keep_the_log_scale_interval() -> None:
    c, t = _exact(10, 3, 200, 6), _exact(11, 3, 200, 7)
    r = relative_difference(_arm(c), _arm(t))
    assert r.scale == "log"
    assert math.isnan(r.linear_se)
    s = math.sqrt(9 / (200 * 11**2) + 9 / (200 * 10**2))
    q = sps.t.ppf(
        0.975, (s**2) ** 2 / ((9 / (200 * 121)) ** 2 / 199 + (9 / (200 * 100)) ** 2 / 199)
    )
    assert r.ci_lower == pytest.approx(math.exp(math.log(1.1) - q * s) - 1, rel=1e-9)


@pytest.mark.parametrize(("m_c", "m_t"), [(-10.0, 2.0), (10.0, -2.0)])
def test_opposite_signs_leave_the_relative_effect_undefined(m_c: float, m_t: float) -> None:
    c, t = _exact(m_c, 4, 100, 8), _exact(m_t, 4, 100, 9)
    cmp = compare(Moments.from_rows(["y"], c), Moments.from_rows(["y"], t), Statistic("y"))
    assert math.isnan(cmp.relative.rel_effect)
    assert math.isnan(cmp.relative.ci_lower)
    assert cmp.difference.effect == pytest.approx(m_t - m_c)
    ref = sps.ttest_ind(t, c, equal_var=False).pvalue
    assert cmp.difference.pvalue == pytest.approx(ref, rel=1e-9)
    assert any("opposite signs" in r for r in cmp.reasons)
    p = noninferiority_pvalue(cmp.control, cmp.treatment, 0.05)
    assert math.isnan(p)  # a relative margin of an undefined relative effect is not tested


def test_guardrail_of_a_loss_5_8_percent_worse_is_not_non_inferior_at_5_percent() -> None:
    # The log-scale test read -10 -> -10.58 as a ratio of 1.058 (better) and passed it.
    control = _exact(-10, 9, 1000, 10)
    c, t = _arm(control), _arm(_exact(-10.58, 9, 1000, 11))
    assert relative_difference(c, t).rel_effect == pytest.approx(-0.058, rel=1e-9)
    assert noninferiority_pvalue(c, t, 0.05) > 0.5
    # ... while a loss 5.8% smaller passes the same margin: the reference is the one-sided t
    # test of (r + margin) / se with the delta-method se and df.
    better = _exact(-9.42, 9, 1000, 12)
    rel, _, _, se, df = _delta_reference(control, better, 0.95)
    ref = sps.t.sf((rel + 0.05) / se, df)
    assert ref < 0.01
    assert noninferiority_pvalue(c, _arm(better), 0.05) == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("higher_is_better", [True, False])
def test_relative_noninferiority_of_a_loss_agrees_with_the_linear_interval(
    higher_is_better: bool,
) -> None:
    # Duality: p < alpha exactly when the (1 - 2 alpha) interval is on the good side of the
    # margin (lower bound above -margin, or upper bound below +margin when lower is better).
    c, t = _arm(_exact(-20, 10, 800, 13)), _arm(_exact(-20.2, 10, 800, 14))
    r = relative_difference(c, t, confidence=0.90)
    edge = -r.ci_lower if higher_is_better else r.ci_upper
    assert edge > 0

    def p(margin: float) -> float:
        return noninferiority_pvalue(c, t, margin, higher_is_better=higher_is_better)

    assert p(edge + 1e-6) < 0.05
    assert p(edge - 1e-6) > 0.05
    assert p(edge) == pytest.approx(0.05, rel=1e-6)


def test_linear_interval_covers_a_true_relative_loss() -> None:
    # Coverage of the 95% linear interval at a true relative effect of -10% (-10 -> -11).
    rng = np.random.default_rng(15)
    covered = 0
    for _ in range(N_SIM):
        c = Moments.from_rows(["y"], rng.normal(-10, 6, 300))
        t = Moments.from_rows(["y"], rng.normal(-11, 7, 300))
        r = compare(c, t, Statistic("y")).relative
        covered += r.ci_lower <= -0.1 <= r.ci_upper
    assert abs(covered / N_SIM - (1 - ALPHA)) < TOL


@pytest.mark.parametrize("higher_is_better", [True, False])
def test_noninferiority_of_a_loss_is_exact_at_the_margin(higher_is_better: bool) -> None:
    # At a true relative effect of exactly -margin (+margin when lower is better) the null holds
    # with equality, so the one-sided test rejects at rate alpha.
    rng = np.random.default_rng(16 + higher_is_better)
    margin, m_c = 0.05, -10.0
    m_t = m_c - margin * abs(m_c) if higher_is_better else m_c + margin * abs(m_c)
    rejections = 0
    for _ in range(N_SIM):
        c = Moments.from_rows(["y"], rng.normal(m_c, 3, 1000))
        t = Moments.from_rows(["y"], rng.normal(m_t, 3, 1000))
        p = compare(c, t, Statistic("y"), margin=margin, higher_is_better=higher_is_better)
        rejections += p.noninferiority_pvalue is not None and p.noninferiority_pvalue < ALPHA
    assert abs(rejections / N_SIM - ALPHA) < TOL

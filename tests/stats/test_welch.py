"""Welch test, relative effect and non-inferiority against scipy and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from proxymetric.stats import (
    ArmEstimate,
    Moments,
    Statistic,
    arm_estimate,
    noninferiority_pvalue,
    relative_difference,
    welch_difference,
)
from proxymetric.stats.welch import welch_df


def _arms(c: np.ndarray, t: np.ndarray) -> tuple[ArmEstimate, ArmEstimate]:
    y = Statistic("y")
    return (
        arm_estimate(Moments.from_rows(["y"], c), y),
        arm_estimate(Moments.from_rows(["y"], t), y),
    )


@pytest.mark.parametrize("seed", range(5))
def test_welch_matches_scipy(seed: int) -> None:
    # Reference: scipy.stats.ttest_ind(equal_var=False): statistic, p-value, df and its CI.
    rng = np.random.default_rng(seed)
    c = rng.normal(10, 3, size=rng.integers(20, 200))
    t = rng.normal(10.5, 5, size=rng.integers(20, 200))
    ref = sps.ttest_ind(t, c, equal_var=False)
    ci = ref.confidence_interval(0.95)
    d = welch_difference(*_arms(c, t))
    assert d.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert d.pvalue == pytest.approx(ref.pvalue, rel=1e-9)
    assert d.df == pytest.approx(ref.df, rel=1e-10)
    assert d.ci_lower == pytest.approx(ci.low, rel=1e-9)
    assert d.ci_upper == pytest.approx(ci.high, rel=1e-9)


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_one_sided_matches_scipy(alternative: str) -> None:
    rng = np.random.default_rng(7)
    c, t = rng.normal(0, 1, 80), rng.normal(0.2, 1.5, 60)
    ref = sps.ttest_ind(t, c, equal_var=False, alternative=alternative)
    d = welch_difference(*_arms(c, t), alternative=alternative)  # type: ignore[arg-type]
    assert d.pvalue == pytest.approx(ref.pvalue, rel=1e-9)


def test_relative_interval_closed_form() -> None:
    # Reference: the formula of docs/architecture.md computed directly with numpy and scipy's t quantile.
    rng = np.random.default_rng(3)
    c, t = rng.normal(20, 4, 300), rng.normal(21, 5, 250)
    r = relative_difference(*_arms(c, t))
    mc, mt = c.mean(), t.mean()
    a_c, a_t = c.var(ddof=1) / (len(c) * mc**2), t.var(ddof=1) / (len(t) * mt**2)
    s = math.sqrt(a_c + a_t)
    df = (a_c + a_t) ** 2 / (a_c**2 / (len(c) - 1) + a_t**2 / (len(t) - 1))
    q = sps.t.ppf(0.975, df)
    assert r.rel_effect == pytest.approx(mt / mc - 1, rel=1e-12)
    assert r.ci_lower == pytest.approx(math.exp(math.log(mt / mc) - q * s) - 1, rel=1e-10)
    assert r.ci_upper == pytest.approx(math.exp(math.log(mt / mc) + q * s) - 1, rel=1e-10)


def test_welch_df_closed_form() -> None:
    # Equal variances and sizes: df = 2(n - 1).
    assert welch_df(0.5, 11, 0.5, 11) == pytest.approx(20.0)


def test_absolute_noninferiority_matches_shifted_scipy_test() -> None:
    # Reference: H0 effect <= -margin is Welch's test of (t + margin) vs c, alternative greater.
    rng = np.random.default_rng(4)
    c, t = rng.normal(5, 1, 400), rng.normal(4.95, 1.1, 420)
    margin = 0.2
    ref = sps.ttest_ind(t + margin, c, equal_var=False, alternative="greater").pvalue
    p = noninferiority_pvalue(*_arms(c, t), margin, margin_type="absolute")
    assert p == pytest.approx(ref, rel=1e-9)
    # Lower is better: H0 effect >= margin, i.e. Welch's test of (t - margin) vs c, less.
    ref_dec = sps.ttest_ind(t - margin, c, equal_var=False, alternative="less").pvalue
    p_dec = noninferiority_pvalue(
        *_arms(c, t), margin, margin_type="absolute", higher_is_better=False
    )
    assert p_dec == pytest.approx(ref_dec, rel=1e-9)


def test_relative_noninferiority_agrees_with_the_interval() -> None:
    # Duality: p < alpha exactly when the (1 - 2 alpha) relative interval's lower bound is above
    # -margin. The margin is placed just inside and just outside that bound.
    rng = np.random.default_rng(5)
    c, t = _arms(rng.normal(10, 2, 500), rng.normal(9.9, 2, 500))
    lower = relative_difference(c, t, confidence=0.90).ci_lower
    assert noninferiority_pvalue(c, t, -lower + 1e-6) < 0.05
    assert noninferiority_pvalue(c, t, -lower - 1e-6) > 0.05
    assert noninferiority_pvalue(c, t, -lower) == pytest.approx(0.05, rel=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_swapping_arms_flips_the_effect(seed: int) -> None:
    rng = np.random.default_rng(seed)
    c, t = rng.normal(3, 1, 30), rng.normal(3, 2, 25)
    ab = welch_difference(*_arms(c, t))
    ba = welch_difference(*reversed(_arms(c, t)))
    assert ba.effect == pytest.approx(-ab.effect, abs=1e-12)
    assert ba.pvalue == pytest.approx(ab.pvalue, rel=1e-9)
    assert ba.ci_lower == pytest.approx(-ab.ci_upper, rel=1e-9, abs=1e-12)

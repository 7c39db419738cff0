"""Accrual curves, MDE by duration and days for a target MDE."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from proxymetric.design import (
    AccrualModel,
    DesignSettings,
    days_for_mde,
    fit_accrual,
    mde_by_duration,
    power_analysis,
)
from proxymetric.errors import ProxymetricError


def test_power_law_fit_matches_numpy_polyfit_on_noisy_counts() -> None:
    # Reference: numpy's least-squares line through (log d, log units).
    rng = np.random.default_rng(0)
    d = np.arange(1, 22)
    units = np.maximum.accumulate(5000 * d**0.7 * np.exp(rng.normal(0, 0.02, d.size)))
    m = fit_accrual(units)
    slope, intercept = np.polyfit(np.log(d), np.log(units), 1)
    assert m.model == "power"
    assert m.shape == pytest.approx(slope, rel=1e-12)
    assert m.scale == pytest.approx(math.exp(intercept), rel=1e-12)
    assert m.shape == pytest.approx(0.7, abs=0.02)  # the simulated exponent
    assert m.days_observed == 21
    assert m.rmse == pytest.approx(np.sqrt(np.mean((m.predict(d) - units) ** 2)))


def test_saturating_fit_matches_scipy_curve_fit() -> None:
    # Reference: scipy.optimize.curve_fit of N (1 - exp(-d / tau)) on the same counts.
    rng = np.random.default_rng(1)
    d = np.arange(1, 29, dtype=float)
    units = np.maximum.accumulate(8000 * (1 - np.exp(-d / 9.0)) + rng.normal(0, 20, d.size))
    m = fit_accrual(units, model="saturating")
    (n_max, tau), _ = optimize.curve_fit(
        lambda x, n, t: n * (1 - np.exp(-x / t)), d, units, p0=[10_000, 10]
    )
    assert m.scale == pytest.approx(n_max, rel=1e-5)
    assert m.shape == pytest.approx(tau, rel=1e-5)
    assert m.days_for(2 * m.scale) == math.inf  # a closed audience never doubles
    assert m.days_for(float(m.predict(40.0))) == pytest.approx(40.0)


def test_fixed_population() -> None:
    m = fit_accrual([300, 300, 300], model="fixed")
    assert m.predict([1, 30]).tolist() == [300, 300]
    assert m.days_for(300) == 0.0
    assert m.days_for(301) == math.inf


@settings(max_examples=50, deadline=None)
@given(scale=st.floats(10, 1e6), shape=st.floats(0.2, 1.0), units=st.floats(1, 1e9))
def test_days_for_inverts_predict(scale: float, shape: float, units: float) -> None:
    m = AccrualModel("power", scale, shape, 14, 0.0)
    assert float(m.predict(m.days_for(units))) == pytest.approx(units, rel=1e-9)


def test_mde_by_duration_uses_the_units_of_each_duration() -> None:
    # Reference: the power calculator at the predicted units (closed form of the accrual curve).
    m = AccrualModel("power", 1000.0, 0.8, 14, 0.0)
    rows = mde_by_duration(m, "mean", 5.0, sd=3.0, days=[7, 14, 21, 28])
    for row in rows:
        total = math.floor(1000.0 * row.days**0.8)
        assert row.total_units == total
        ref = power_analysis("mean", 5.0, sd=3.0, total_units=total)
        assert row.mde == pytest.approx(ref.mde)
        assert row.rel_mde == pytest.approx(ref.mde / 5.0)
    mdes = [r.mde for r in rows]
    assert mdes == sorted(mdes, reverse=True)  # more days, smaller MDE
    # Sub-linear accrual: 4 weeks shrink the MDE by (28/7)^(-0.4) = 0.574, not by 1/2.
    assert mdes[3] / mdes[0] == pytest.approx(4**-0.4, rel=1e-3)


def test_days_for_mde() -> None:
    m = AccrualModel("power", 1000.0, 0.8, 14, 0.0)
    s = DesignSettings(alpha=0.05, power=0.9)
    r = days_for_mde(m, "proportion", 0.1, rel_mde=0.05, settings=s)
    need = power_analysis("proportion", 0.1, rel_mde=0.05, power=0.9)
    assert r.total_units == need.total_units
    assert r.days == math.ceil((need.total_units / 1000.0) ** (1 / 0.8))
    assert r.reachable
    fixed = days_for_mde(AccrualModel.fixed(300), "proportion", 0.05, mde=0.005)
    assert not fixed.reachable
    assert math.isnan(fixed.days)
    assert fixed.to_dict()["days"] is None


def test_too_few_units_give_an_undefined_mde() -> None:
    rows = mde_by_duration(AccrualModel.fixed(6), "proportion", 0.5, days=[7])
    assert math.isnan(rows[0].mde)


@pytest.mark.parametrize(
    ("units", "model", "message"),
    [
        ([], "power", "`cumulative_units` must be a non-empty list"),
        ([10, 0, 20], "power", "`cumulative_units` must be positive finite counts"),
        ([10, 20, 15], "power", "must be cumulative (non-decreasing)"),
        ([10], "saturating", "needs at least 2 days to fit a saturating curve"),
        ([10, 20], "linear", "`model` must be one of 'power', 'saturating', 'fixed'; got 'linear'"),
    ],
)
def test_fit_errors(units: list[float], model: str, message: str) -> None:
    with pytest.raises(ProxymetricError) as info:
        fit_accrual(units, model=model)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_duration_errors() -> None:
    with pytest.raises(ProxymetricError, match="`days` must be positive whole days; got 0"):
        mde_by_duration(AccrualModel.fixed(1000), "mean", 1.0, sd=1.0, days=[0])

"""Cost of testing and the value of a test, against closed forms and Monte Carlo."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from proxymetric.design import cost_of_testing, expected_positive_part
from proxymetric.errors import ProxymetricError


@pytest.mark.parametrize(("mean", "sd"), [(0.0, 1.0), (0.3, 0.2), (-1.0, 0.5), (2.0, 0.01)])
def test_expected_positive_part_matches_quadrature(mean: float, sd: float) -> None:
    # Reference: integral of x * pdf(x) over x > 0.
    ref, _ = integrate.quad(lambda x: x * stats.norm.pdf(x, mean, sd), 0, mean + 20 * sd)
    assert expected_positive_part(mean, sd) == pytest.approx(ref, rel=1e-7, abs=1e-12)


def test_point_guess_closed_form() -> None:
    # A sure +0.02 effect worth $10 a unit: the 5,000 control units lose 0.02 * 10 each, and the
    # 20,000 units a day outside the test wait 14 days for it.
    r = cost_of_testing(
        effect=0.02,
        value_per_unit=10.0,
        control_units=5000,
        treatment_units=5000,
        days=14,
        daily_units_outside_test=20_000,
    )
    assert r.expected_loss == pytest.approx(5000 * 0.2)
    assert r.cost_of_delay == pytest.approx(20_000 * 14 * 0.2)
    assert r.total_cost == pytest.approx(1000 + 56_000)
    assert r.prob_treatment_better == 1.0
    assert math.isnan(r.value_of_test)
    assert "give `horizon_units` and `standard_error`" in r.message
    worse = cost_of_testing(effect=-0.02, value_per_unit=10.0, control_units=0, treatment_units=300)
    assert worse.expected_loss == pytest.approx(300 * 0.2)
    assert worse.cost_of_delay == 0.0


def test_value_of_test_matches_monte_carlo() -> None:
    # Reference: simulate the prior, the test estimate and the ship decision on the posterior
    # mean. 2,000,000 draws; tolerance 4 Monte Carlo standard errors.
    mu, tau, se, value, horizon = 0.005, 0.02, 0.01, 3.0, 1e6
    r = cost_of_testing(
        effect=mu,
        effect_sd=tau,
        value_per_unit=value,
        control_units=10_000,
        treatment_units=10_000,
        horizon_units=horizon,
        standard_error=se,
    )
    rng = np.random.default_rng(3)
    effect = rng.normal(mu, tau, 2_000_000)
    estimate = effect + rng.normal(0, se, effect.size)
    posterior = mu + tau**2 / (tau**2 + se**2) * (estimate - mu)
    gain = value * horizon * (effect * (posterior > 0) - max(mu, 0))
    tol = 4 * gain.std() / math.sqrt(gain.size)
    assert r.value_of_test == pytest.approx(gain.mean(), abs=tol)
    # Expected loss in the test: simulated too (same draws).
    loss = value * 10_000 * (np.maximum(effect, 0) + np.maximum(-effect, 0))
    assert r.expected_loss == pytest.approx(loss.mean(), rel=0.01)
    assert r.prob_treatment_better == pytest.approx((effect > 0).mean(), abs=0.002)
    assert r.worth_testing == (r.value_of_test > r.total_cost)


@settings(max_examples=60, deadline=None)
@given(
    mu=st.floats(-1, 1),
    tau=st.floats(0.01, 1),
    se1=st.floats(0.001, 1),
    se2=st.floats(0.001, 1),
)
def test_value_of_test_is_bounded_and_grows_with_precision(
    mu: float, tau: float, se1: float, se2: float
) -> None:
    def value(se: float) -> float:
        return cost_of_testing(
            effect=mu,
            effect_sd=tau,
            value_per_unit=1.0,
            control_units=1,
            treatment_units=1,
            horizon_units=1000,
            standard_error=se,
        ).value_of_test

    small, large = sorted([se1, se2])
    evpi = cost_of_testing(
        effect=mu, effect_sd=tau, value_per_unit=1.0, control_units=1, treatment_units=1,
        horizon_units=1000,
    ).value_of_perfect_information  # fmt: skip
    assert -1e-9 <= value(large) <= value(small) + 1e-9 <= evpi + 2e-9


def test_errors() -> None:
    with pytest.raises(ProxymetricError, match=r"`value_per_unit` == -1\.0, must be >= 0"):
        cost_of_testing(effect=0.1, value_per_unit=-1.0, control_units=1, treatment_units=1)
    with pytest.raises(ProxymetricError, match=r"`standard_error` == 0\.0, must be > 0"):
        cost_of_testing(
            effect=0.1, value_per_unit=1.0, control_units=1, treatment_units=1, standard_error=0.0
        )

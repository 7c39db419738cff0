"""Distributions of value-model inputs against scipy.stats and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from proxymetric.errors import ProxymetricError
from proxymetric.value import (
    Beta,
    Constant,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
    measured_effect,
)

Q = np.array([0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999])
N = 200_000


def _reference_cases() -> list[tuple[object, object]]:
    """(our distribution, the same distribution in scipy.stats) pairs."""
    ln = LogNormal.from_median_p90(40.0, 150.0)
    pert = Pert(2.0, 3.0, 9.0)
    a, b = 1 + 4 * (3.0 - 2.0) / 7.0, 1 + 4 * (9.0 - 3.0) / 7.0
    return [
        (Normal(3.0, 2.0), stats.norm(3.0, 2.0)),
        (ln, stats.lognorm(s=ln.sigma, scale=math.exp(ln.mu))),
        (Uniform(-1.0, 4.0), stats.uniform(-1.0, 5.0)),
        (Triangular(1.0, 2.0, 6.0), stats.triang(c=0.2, loc=1.0, scale=5.0)),
        (Beta(9.0, 3.0), stats.beta(9.0, 3.0)),
        (pert, stats.beta(a, b, loc=2.0, scale=7.0)),
    ]


@pytest.mark.parametrize(("ours", "ref"), _reference_cases())
def test_quantiles_and_mean_match_scipy(ours: object, ref: object) -> None:
    # Reference: scipy.stats ppf and mean of the same distribution; rounding error only.
    np.testing.assert_allclose(ours.ppf(Q), ref.ppf(Q), rtol=1e-9)  # type: ignore[attr-defined]
    assert ours.mean == pytest.approx(ref.mean(), rel=1e-12)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("ours", "ref"), _reference_cases())
def test_draws_follow_the_distribution(ours: object, ref: object) -> None:
    # Reference: scipy.stats cdf. With N draws, the empirical cdf at a point has standard
    # error sqrt(p (1 - p) / N) <= 0.0011; we allow 5 standard errors at each of 5 quantiles.
    draws = ours.sample(np.random.default_rng(11), N)  # type: ignore[attr-defined]
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        point = ref.ppf(q)  # type: ignore[attr-defined]
        assert np.mean(draws <= point) == pytest.approx(q, abs=5 * math.sqrt(q * (1 - q) / N))


def test_parametrisations_by_moments_and_percentiles() -> None:
    # Closed forms: the lognormal by mean/sd has that mean and sd; the beta by mean/sd too;
    # the normal by a 90% interval has those 5th and 95th percentiles.
    ln = LogNormal.from_mean_sd(10.0, 5.0)
    ref = stats.lognorm(s=ln.sigma, scale=math.exp(ln.mu))
    assert (ref.mean(), ref.std()) == pytest.approx((10.0, 5.0), rel=1e-12)
    b = Beta.from_mean_sd(0.9, 0.03)
    assert (stats.beta(b.alpha, b.beta).mean(), stats.beta(b.alpha, b.beta).std()) == (
        pytest.approx((0.9, 0.03), rel=1e-12)
    )
    n = Normal.from_interval(90.0, 110.0)
    np.testing.assert_allclose(n.ppf(np.array([0.05, 0.95])), [90.0, 110.0], rtol=1e-12)


def test_measured_effect_is_normal_with_estimate_and_se() -> None:
    d = measured_effect(0.012, 0.004)
    # Reference: scipy.stats.norm(0.012, 0.004).ppf(0.975) = estimate + 1.96 se.
    assert d.ppf(np.array([0.975]))[0] == pytest.approx(stats.norm(0.012, 0.004).ppf(0.975))


def test_constant_consumes_no_randomness() -> None:
    rng = np.random.default_rng(3)
    assert Constant(2.5).sample(rng, 3).tolist() == [2.5, 2.5, 2.5]
    assert rng.random() == np.random.default_rng(3).random()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Normal(0.0, -1.0), "`sd` == -1.0, must be >= 0"),
        (lambda: Normal.from_interval(5.0, 1.0), "`p95` == 1.0, must be > `p05` (5.0)"),
        (lambda: LogNormal.from_median_p90(-1.0, 2.0), "`median` == -1.0, must be > 0"),
        (lambda: LogNormal.from_median_p90(3.0, 2.0), "`p90` == 2.0, must be > `median` (3.0)"),
        (lambda: Uniform(2.0, 1.0), "`high` == 1.0, must be > `low` (2.0)"),
        (lambda: Triangular(0.0, 5.0, 1.0), "low <= mode <= high"),
        (lambda: Pert(0.0, 0.0, 0.0), "low < high"),
        (lambda: Beta.from_mean_sd(0.5, 0.6), "`sd` == 0.6, must be < sqrt(mean * (1 - mean))"),
        (lambda: Beta(0.0, 1.0), "`alpha` == 0.0, must be > 0"),
        (lambda: measured_effect(float("nan"), 1.0), "`estimate` must be a finite number"),
    ],
)
def test_bad_parameters_are_named(build: object, message: str) -> None:
    with pytest.raises(ProxymetricError) as info:
        build()  # type: ignore[operator]
    assert message in str(info.value)


@settings(max_examples=50, deadline=None)
@given(
    low=st.floats(-1e3, 1e3),
    width=st.floats(1e-2, 1e3),
    frac=st.floats(0, 1),
    q=st.lists(st.floats(0.001, 0.999), min_size=2, max_size=8),
)
def test_three_point_quantiles_are_monotone_and_inside(
    low: float, width: float, frac: float, q: list[float]
) -> None:
    # Invariant: quantile functions are non-decreasing and stay within [low, high].
    high, mode = low + width, low + frac * width
    qs = np.sort(np.array(q))
    for dist in (Triangular(low, mode, high), Pert(low, mode, high)):
        values = dist.ppf(qs)
        assert np.all(np.diff(values) >= -1e-9 * width)
        assert np.all((values >= low - 1e-9 * width) & (values <= high + 1e-9 * width))

"""True-effect covariance estimators (Bibaut et al., KDD 2024) checked by simulation.

Reference: the known covariance ``TRUE_COV`` the simulator draws true effects from. Each check
averages R independent replications; the tolerance is 4 standard errors of that average
(``4 * sd_over_replications / sqrt(R)``), so a correct unbiased estimator fails with probability
below 1e-4 per entry, while the naive estimator's bias (the mean noise covariance) is many
standard errors away.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import multivariate_normal

from proxymetric.errors import ProxymetricError
from proxymetric.proxies.covariance import (
    correlation,
    crossfold_covariance,
    naive_covariance,
    nearest_psd,
    total_covariance,
    wrong_sign_probability,
)
from proxymetric.proxies.simulation import DEMO_TRUE_COV as TRUE_COV
from proxymetric.proxies.simulation import simulate_experiments as simulate

R = 200
K = 500


def _replicate() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20240825)
    out: dict[str, list[np.ndarray]] = {"naive": [], "total": [], "cross": []}
    for _ in range(R):
        sim = simulate(K, rng)
        out["naive"].append(naive_covariance(sim.effects))
        out["total"].append(total_covariance(sim.effects, sim.noise_cov))
        out["cross"].append(crossfold_covariance(sim.fold1, sim.fold2))
    return {k: np.array(v) for k, v in out.items()}


@pytest.fixture(scope="module")
def replications() -> dict[str, np.ndarray]:
    return _replicate()


@pytest.mark.parametrize("estimator", ["total", "cross"])
def test_corrected_estimators_are_unbiased(
    replications: dict[str, np.ndarray], estimator: str
) -> None:
    est = replications[estimator]
    se = est.std(axis=0, ddof=1) / np.sqrt(R)
    np.testing.assert_array_less(np.abs(est.mean(axis=0) - TRUE_COV), 4 * se)


def test_naive_estimator_is_visibly_biased(replications: dict[str, np.ndarray]) -> None:
    est = replications["naive"]
    se = est.std(axis=0, ddof=1) / np.sqrt(R)
    bias = est.mean(axis=0) - TRUE_COV
    # The north star / proxy-2 covariance: bias is tens of standard errors of the average.
    assert bias[0, 2] > 20 * se[0, 2]
    # and the naive correlation has the wrong sign, the corrected one the right sign.
    assert correlation(est.mean(axis=0))[0, 2] > 0 > TRUE_COV[0, 2]
    assert correlation(replications["total"].mean(axis=0))[0, 2] < 0


def test_one_registry_flips_the_sign_naively() -> None:
    # One registry of 20,000 weak experiments. Over 60 replications (seed 0) the naive
    # correlation of the north star with proxy 2 was 0.586 (sd 0.004) although the true one is
    # -0.3; the total-covariance estimate -0.307 (sd 0.058), the cross-fold one -0.298 (sd 0.079).
    # Tolerances: 4 of those sds around the true value.
    sim = simulate(20_000, np.random.default_rng(7))
    assert correlation(naive_covariance(sim.effects))[0, 2] > 0.5
    assert abs(correlation(total_covariance(sim.effects, sim.noise_cov))[0, 2] + 0.3) < 4 * 0.058
    assert abs(correlation(crossfold_covariance(sim.fold1, sim.fold2))[0, 2] + 0.3) < 4 * 0.079


def test_weighted_total_covariance_is_unbiased() -> None:
    # Same reference (a known true covariance), with inverse-noise weights: unbiasedness holds for
    # any fixed weights. Tolerance: 4 standard errors of the mean of R replications.
    rng = np.random.default_rng(3)
    ests = []
    for _ in range(R):
        sim = simulate(K, rng)
        ests.append(total_covariance(sim.effects, sim.noise_cov, weights=sim.units))
    est = np.array(ests)
    se = est.std(axis=0, ddof=1) / np.sqrt(R)
    np.testing.assert_array_less(np.abs(est.mean(axis=0) - TRUE_COV), 4 * se)


def test_equal_weights_match_numpy_cov_minus_mean_noise() -> None:
    # Reference: numpy.cov (ddof=1) minus the mean noise covariance, the closed form.
    rng = np.random.default_rng(1)
    y = rng.normal(size=(30, 4))
    s = rng.uniform(0.1, 1.0, size=(30, 4, 4))
    s = (s + s.transpose(0, 2, 1)) / 2
    np.testing.assert_allclose(
        total_covariance(y, s), np.cov(y, rowvar=False) - s.mean(axis=0), rtol=1e-12
    )
    np.testing.assert_allclose(naive_covariance(y), np.cov(y, rowvar=False), rtol=1e-12)
    w = rng.uniform(0.5, 2, size=30)
    np.testing.assert_allclose(
        naive_covariance(y, w), np.cov(y, rowvar=False, aweights=w), rtol=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (6, 3), elements=st.floats(-10, 10)),
    st.permutations(list(range(6))),
)
def test_estimators_do_not_depend_on_order(y: np.ndarray, perm: list[int]) -> None:
    s = np.stack([np.eye(3) * (i + 1) for i in range(6)])
    p = np.array(perm)
    np.testing.assert_allclose(
        total_covariance(y[p], s[p]), total_covariance(y, s), rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(
        crossfold_covariance(y[p], y[p][::-1]),
        crossfold_covariance(y, y[p][::-1][np.argsort(p)]),
        rtol=1e-9,
        atol=1e-9,
    )


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (3, 3), elements=st.floats(-5, 5)))
def test_nearest_psd_is_psd_and_keeps_psd_matrices(a: np.ndarray) -> None:
    sym = (a + a.T) / 2
    assert np.linalg.eigvalsh(nearest_psd(sym)).min() > -1e-9
    psd = a @ a.T
    np.testing.assert_allclose(nearest_psd(psd), psd, atol=1e-8)


@pytest.mark.parametrize("rho", [-0.9, -0.3, 0.0, 0.2, 0.75, 0.99])
def test_wrong_sign_probability_matches_bivariate_normal(rho: float) -> None:
    # Reference: scipy's bivariate normal CDF; P(opposite signs) = 1 - 2 P(X < 0, Y < 0).
    both_negative = multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([0, 0])
    assert wrong_sign_probability(rho) == pytest.approx(1 - 2 * both_negative, abs=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: total_covariance([[1.0, 2.0]], np.ones((1, 2, 2))), "at least 2 experiments"),
        (lambda: total_covariance(np.ones((3, 2)), np.ones((3, 3, 3))), "`noise_cov` must have"),
        (lambda: naive_covariance([1.0, 2.0]), "`effects` must be a 2-d array"),
        (lambda: naive_covariance([[1.0], [np.nan]]), "NaN or infinite"),
        (lambda: naive_covariance(np.ones((3, 2)), weights=[1, -1, 1]), "`weights` must be 3"),
        (lambda: crossfold_covariance(np.ones((3, 2)), np.ones((4, 2))), "same shape"),
    ],
)
def test_bad_input_messages(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ProxymetricError, match=message):
        call()

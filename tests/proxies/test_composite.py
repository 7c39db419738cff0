"""Composite proxy weights (Tripuraneni et al., KDD 2024) against the analytic optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from proxymetric.errors import ProxymetricError
from proxymetric.proxies.composite import composite_correlation, composite_weights
from proxymetric.proxies.covariance import nearest_psd, total_covariance
from proxymetric.proxies.simulation import DEMO_TRUE_COV as TRUE_COV
from proxymetric.proxies.simulation import DEMO_UNIT_NOISE_COV as PSI
from proxymetric.proxies.simulation import simulate_experiments as simulate


def _random_problem(seed: int, m: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(m, m))
    b = rng.normal(size=(m, m))
    return a @ a.T + 0.1 * np.eye(m), b @ b.T + 0.1 * np.eye(m)


def test_unconstrained_optimum_is_the_closed_form() -> None:
    # Reference: w ∝ (Sigma + Psi/n)^-1 Sigma[:, ns] over the candidates, the analytic
    # maximiser of the correlation when all its entries are positive.
    n = 20_000.0
    cand = np.array([1, 2])
    sigma = TRUE_COV.copy()
    sigma[0, 2] = sigma[2, 0] = 0.3e-4  # make both candidates useful
    b = (sigma + PSI / n)[np.ix_(cand, cand)]
    closed = np.linalg.solve(b, sigma[cand, 0])
    assert np.all(closed > 0)
    w = composite_weights(sigma, PSI / n, 0, cand)
    np.testing.assert_allclose(w[cand], closed / closed.sum(), rtol=1e-9)
    assert w[0] == 0


@pytest.mark.parametrize("seed", range(8))
def test_constrained_optimum_matches_a_numerical_search(seed: int) -> None:
    # Reference: scipy's SLSQP maximising the correlation over the simplex from many starts.
    sigma, psi = _random_problem(seed)
    cand = np.array([1, 2, 3])
    w = composite_weights(sigma, psi, 0, cand)
    if not np.any(sigma[cand, 0] > 0):
        assert not np.any(w)
        return

    def neg(v: np.ndarray) -> float:
        full = np.zeros(4)
        full[cand] = v
        return -composite_correlation(full, sigma, psi, 0)

    best = -np.inf
    for start in np.random.default_rng(seed).dirichlet(np.ones(3), size=10):
        res = minimize(
            neg,
            start,
            method="SLSQP",
            bounds=[(0, 1)] * 3,
            constraints=[{"type": "eq", "fun": lambda v: v.sum() - 1}],
            options={"ftol": 1e-12},
        )
        best = max(best, -res.fun)
    assert composite_correlation(w, sigma, psi, 0) == pytest.approx(best, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000))
def test_composite_beats_every_single_candidate(seed: int) -> None:
    sigma, psi = _random_problem(seed)
    cand = [1, 2, 3]
    w = composite_weights(sigma, psi, 0, cand)
    if not np.any(w):
        return
    assert np.all(w >= 0)
    assert w.sum() == pytest.approx(1.0)
    r = composite_correlation(w, sigma, psi, 0)
    for j in cand:
        assert r >= composite_correlation(np.eye(4)[j], sigma, psi, 0) - 1e-9


def test_weights_estimated_from_a_registry_match_the_optimum() -> None:
    # Reference: the analytic optimum (Sigma + Psi/n)^-1 Sigma[:, ns] at n = 20,000 for a known
    # true covariance where both proxies carry independent information (an interior optimum).
    # Estimated from R = 100 registries of 2,000 simulated weak experiments each; tolerance:
    # 4 standard errors of the average estimated weight.
    n = 20_000.0
    corr = np.array([[1.0, 0.6, 0.4], [0.6, 1.0, 0.0], [0.4, 0.0, 1.0]])
    true_cov = corr * np.outer([0.01, 0.02, 0.01], [0.01, 0.02, 0.01])
    closed = np.linalg.solve((true_cov + PSI / n)[1:, 1:], true_cov[1:, 0])
    optimum = closed / closed.sum()
    assert 0.2 < optimum[0] < 0.8
    rng = np.random.default_rng(11)
    ws = []
    for _ in range(100):
        sim = simulate(2000, rng, true_cov)
        sigma = nearest_psd(total_covariance(sim.effects, sim.noise_cov))
        psi = np.einsum("k,kij->ij", sim.units, sim.noise_cov) / len(sim.units)
        ws.append(composite_weights(sigma, psi / n, 0, [1, 2])[1:])
    est = np.array(ws)
    se = est.std(axis=0, ddof=1) / np.sqrt(len(est))
    assert np.all(np.abs(est.mean(axis=0) - optimum) < 4 * se)


def test_bad_candidates() -> None:
    with pytest.raises(ProxymetricError, match=r"`candidates` must be indices in 0..2; got \[5\]"):
        composite_weights(TRUE_COV, PSI, 0, [5])
    with pytest.raises(ProxymetricError, match="must be square of the same size"):
        composite_weights(TRUE_COV, np.eye(2), 0, [1])

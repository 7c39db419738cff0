"""Program impact with the winner's curse corrected: conjugate closed form and simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from proxymetric.errors import ProxymetricError
from proxymetric.proxies import EffectTable, effect_table, program_impact, shrink_effects


def test_posterior_mean_matches_numerical_integration() -> None:
    # Reference: the posterior mean E[tau | y] integrated numerically (scipy.integrate.quad)
    # under the prior the method of moments fitted.
    y = np.array([0.5, -0.2, 1.4, 0.1, -0.9, 0.3])
    se = np.array([0.4, 0.5, 0.6, 0.3, 0.7, 0.5])
    post, post_sd, mu, tau = shrink_effects(y, se)
    assert tau**2 == pytest.approx(y.var(ddof=1) - np.mean(se**2))
    for k in range(len(y)):

        def dens(t: float, k: int = k) -> float:
            return float(stats.norm.pdf(t, mu, tau) * stats.norm.pdf(y[k], t, se[k]))

        z = integrate.quad(dens, -10, 10)[0]
        m1 = integrate.quad(lambda t: t * dens(t), -10, 10)[0] / z
        m2 = integrate.quad(lambda t: t * t * dens(t), -10, 10)[0] / z
        assert post[k] == pytest.approx(m1, rel=1e-7)
        assert post_sd[k] == pytest.approx(np.sqrt(m2 - m1**2), rel=1e-6)


def test_no_true_variance_shrinks_to_the_mean() -> None:
    post, post_sd, mu, tau = shrink_effects([0.1, -0.1, 0.05], [1.0, 1.0, 1.0])
    assert tau == 0
    np.testing.assert_allclose(post, mu)
    np.testing.assert_allclose(post_sd, 0)


def _registry(rng: np.random.Generator, k: int) -> tuple[EffectTable, float]:
    # True effects ~ N(0.001, 0.01^2), standard errors 0.005-0.02: weak experiments. A variant
    # ships when its estimate is significantly positive (z > 1.96).
    tau = rng.normal(0.001, 0.01, size=k)
    se = rng.uniform(0.005, 0.02, size=k)
    y = tau + se * rng.standard_normal(k)
    labels = [f"e{i}" for i in range(k)]
    ship = y / se > 1.96
    table = effect_table(
        labels,
        ["revenue"] * k,
        y,
        se,
        [1000] * k,
        shipped=[lab for lab, s in zip(labels, ship, strict=True) if s],
    )
    return table, float(tau[ship].sum())


def test_shrinkage_removes_the_winners_curse() -> None:
    # Reference: the true total effect of the shipped variants, known in simulation. Over
    # R = 200 registries of 500 experiments, the naive sum overstates it by many standard errors;
    # the shrunk sum's mean error is within 4 standard errors of 0 (sd over R / sqrt(R)).
    rng = np.random.default_rng(2024)
    naive_err, shrunk_err = [], []
    for _ in range(200):
        table, truth = _registry(rng, 500)
        imp = program_impact(table, "revenue", value_per_unit=1.0, units=1.0)
        naive_err.append(imp.naive_money - truth)
        shrunk_err.append(imp.shrunk_money - truth)
    n_se = np.std(naive_err, ddof=1) / np.sqrt(200)
    s_se = np.std(shrunk_err, ddof=1) / np.sqrt(200)
    assert np.mean(naive_err) > 20 * n_se
    assert abs(np.mean(shrunk_err)) < 4 * s_se


def test_money_and_interval() -> None:
    rng = np.random.default_rng(0)
    table, _ = _registry(rng, 300)
    imp = program_impact(table, "revenue", value_per_unit=2.5, units=1e6, confidence=0.9)
    assert imp.n_shipped == len(imp.shipped) > 0
    assert imp.naive_money == pytest.approx(sum(s.effect for s in imp.shipped) * 2.5e6)
    assert imp.shrunk_money == pytest.approx(sum(s.shrunk_effect for s in imp.shipped) * 2.5e6)
    assert imp.overstatement > 0
    half = imp.shrunk_money_ci_upper - imp.shrunk_money
    assert half == pytest.approx(stats.norm.ppf(0.95) * imp.shrunk_money_se)
    assert all(0 < s.shrinkage < 1 for s in imp.shipped)


def test_errors() -> None:
    table = effect_table(["a", "b"], ["m", "m"], [1.0, 2.0], [1.0, 1.0], [10, 10])
    with pytest.raises(ProxymetricError, match="`metric` 'x' is not defined; defined metrics: m"):
        program_impact(table, "x", value_per_unit=1.0, units=1.0)
    with pytest.raises(ProxymetricError, match="needs at least 3 comparisons"):
        program_impact(table, "m", value_per_unit=1.0, units=1.0)
    with pytest.raises(ProxymetricError, match=r"`units` == -1.0, must be > 0"):
        program_impact(table, "m", value_per_unit=1.0, units=-1.0)
    with pytest.raises(ProxymetricError, match="must be 1-d of the same length >= 3"):
        shrink_effects([1.0, 2.0], [1.0, 1.0])

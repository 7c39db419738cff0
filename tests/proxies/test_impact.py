"""Program impact with the winner's curse corrected: conjugate closed form and simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from proxymetric.errors import ProxymetricError
from proxymetric.proxies import effect_table, program_impact, shrink_effects
from proxymetric.proxies.simulation import simulate_program


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


def test_shrinkage_removes_the_winners_curse() -> None:
    # Reference: the true total effect of the shipped variants, known in simulation. Over
    # R = 200 registries of 500 experiments, the naive sum overstates it by many standard errors;
    # the shrunk sum's mean error is within 4 standard errors of 0 (sd over R / sqrt(R)).
    rng = np.random.default_rng(2024)
    naive_err, shrunk_err = [], []
    for _ in range(200):
        table, truth = simulate_program(rng, 500)
        # Only the point estimates are checked here: no bootstrap of the interval.
        imp = program_impact(table, "revenue", value_per_unit=1.0, units=1.0, bootstrap=0)
        naive_err.append(imp.naive_money - truth)
        shrunk_err.append(imp.shrunk_money - truth)
    n_se = np.std(naive_err, ddof=1) / np.sqrt(200)
    s_se = np.std(shrunk_err, ddof=1) / np.sqrt(200)
    assert np.mean(naive_err) > 20 * n_se
    assert abs(np.mean(shrunk_err)) < 4 * s_se


def test_money_and_interval() -> None:
    rng = np.random.default_rng(0)
    table, _ = simulate_program(rng, 300)
    imp = program_impact(table, "revenue", value_per_unit=2.5, units=1e6, confidence_level=0.9)
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


# -- the interval of the shrunk total ------------------------------------------------------------

R_COVER, K_COVER = 500, 300  # simulated registries of K experiments each
Z95 = stats.norm.ppf(0.975)


@pytest.fixture(scope="module")
def coverage_study() -> dict[str, np.ndarray]:
    """Per simulated registry: the error of the shrunk total, and the sds of both intervals.

    The truth (the summed true effects of the shipped variants) is known in simulation. The
    plug-in sd treats the fitted prior as known: the posterior sds of the shipped effects from
    ``shrink_effects``, recomputed here rather than read from ``program_impact``.
    """
    rng = np.random.default_rng(7)
    err, plug_in, sd = [], [], []
    for _ in range(R_COVER):
        table, truth = simulate_program(rng, K_COVER)
        imp = program_impact(table, "revenue", value_per_unit=1.0, units=1.0, bootstrap=500)
        _, post_sd, _, _ = shrink_effects(table.effects[:, 0], np.sqrt(table.noise_cov[:, 0, 0]))
        err.append(imp.shrunk_money - truth)
        plug_in.append(np.sqrt(np.sum(post_sd[table.shipped] ** 2)))
        sd.append(imp.shrunk_money_se)
    return {"err": np.array(err), "plug_in": np.array(plug_in), "sd": np.array(sd)}


# 3 binomial sds of a coverage of 0.95 over R_COVER registries: 0.029.
COVER_TOL = 3 * np.sqrt(0.95 * 0.05 / R_COVER)


def test_the_interval_that_treats_the_prior_as_known_under_covers(
    coverage_study: dict[str, np.ndarray],
) -> None:
    # The plug-in interval (the one before the prior's error was added) covers about 0.80.
    s = coverage_study
    covered = np.mean(np.abs(s["err"]) <= Z95 * s["plug_in"])
    assert covered < 0.95 - COVER_TOL
    assert covered == pytest.approx(0.80, abs=COVER_TOL + 0.03)


def test_the_interval_with_the_prior_error_covers(coverage_study: dict[str, np.ndarray]) -> None:
    s = coverage_study
    covered = np.mean(np.abs(s["err"]) <= Z95 * s["sd"])
    assert abs(covered - 0.95) < COVER_TOL, covered
    # Sharper than coverage: the mean reported variance matches the variance of the error.
    # The sample variance of R normal errors has relative sd sqrt(2 / R): tolerance 3 of them.
    ratio = np.mean(s["err"] ** 2) / np.mean(s["sd"] ** 2)
    assert abs(ratio - 1) < 3 * np.sqrt(2 / R_COVER), ratio
    assert np.all(s["sd"] > s["plug_in"])


def test_the_prior_error_matches_the_delta_method() -> None:
    # Reference: the first-order (Kass and Steffey 1989) variance of the shrunk total from the
    # prior's error, in closed form: g' V g, with g the gradient of sum(mu + B (y - mu)) over
    # the shipped in (mu, tau^2) and V the sandwich covariance of the method-of-moments
    # estimates (influence functions y - mu and (y - mu)^2 - se^2 - tau^2). The bootstrap
    # variance from B = 4000 rounds has a relative Monte Carlo sd of sqrt(2 / B) = 2.2%;
    # tolerance 10% (that, and the second-order terms at K = 5000).
    rng = np.random.default_rng(3)
    table, _ = simulate_program(rng, 5000)
    y, se = table.effects[:, 0], np.sqrt(table.noise_cov[:, 0, 0])
    imp = program_impact(table, "revenue", value_per_unit=1.0, units=1.0, bootstrap=4000)
    mu, tau2, k, ship = y.mean(), y.var(ddof=1) - np.mean(se**2), len(y), table.shipped
    b = tau2 / (tau2 + se**2)
    g = np.array(
        [np.sum(1 - b[ship]), np.sum(se[ship] ** 2 * (y[ship] - mu) / (tau2 + se[ship] ** 2) ** 2)]
    )
    psi = np.column_stack([y - mu, (y - mu) ** 2 - se**2 - tau2])
    v = psi.T @ psi / k**2
    assert imp.shrunk_money_prior_se**2 == pytest.approx(g @ v @ g, rel=0.10)
    posterior_var = np.sum(b[ship] * se[ship] ** 2)
    assert imp.shrunk_money_se**2 == pytest.approx(posterior_var + imp.shrunk_money_prior_se**2)


def test_bootstrap_is_reproducible_and_checked() -> None:
    rng = np.random.default_rng(1)
    table, _ = simulate_program(rng, 300)
    one = program_impact(table, "revenue", value_per_unit=1.0, units=1.0)
    assert one == program_impact(table, "revenue", value_per_unit=1.0, units=1.0)
    assert one.bootstrap == 1000
    other = program_impact(table, "revenue", value_per_unit=1.0, units=1.0, seed=2)
    assert other.shrunk_money == one.shrunk_money
    assert other.shrunk_money_prior_se == pytest.approx(one.shrunk_money_prior_se, rel=0.2)
    known = program_impact(table, "revenue", value_per_unit=1.0, units=1.0, bootstrap=0)
    assert np.isnan(known.shrunk_money_prior_se)
    _, post_sd, _, _ = shrink_effects(table.effects[:, 0], np.sqrt(table.noise_cov[:, 0, 0]))
    assert known.shrunk_money_se == pytest.approx(np.sqrt(np.sum(post_sd[table.shipped] ** 2)))
    assert known.shrunk_money_se < one.shrunk_money_se
    with pytest.raises(ProxymetricError, match=r"`bootstrap` == 50, must be >= 100"):
        program_impact(table, "revenue", value_per_unit=1.0, units=1.0, bootstrap=50)
    with pytest.raises(ProxymetricError, match="`bootstrap` must be a whole number of resamples"):
        program_impact(table, "revenue", value_per_unit=1.0, units=1.0, bootstrap=1.5)  # type: ignore[arg-type]

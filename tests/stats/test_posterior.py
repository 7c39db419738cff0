"""The Gaussian posterior of an effect, against closed forms and numerical integration.

References: with a flat prior the probability that the treatment is better is one minus the
one-sided normal p-value (``scipy.stats.norm.sf``); the conjugate normal posterior against the
product of prior and likelihood integrated numerically (``scipy.integrate.quad``); the expected
loss against ``quad`` of ``max(0, -g)`` times the normal density; and, for a proportion, the
conjugate Beta-Binomial posterior drawn by Monte Carlo.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate
from scipy import stats as sps

from proxymetric.stats.posterior import expected_loss, normal_posterior


@given(
    st.floats(-5, 5),
    st.floats(0.01, 3),
    st.booleans(),
)
def test_flat_prior_probability_is_one_minus_the_one_sided_pvalue(
    d: float, se: float, higher: bool
) -> None:
    post = normal_posterior(d, se, higher_is_better=higher)
    one_sided = sps.norm.sf(d / se) if higher else sps.norm.cdf(d / se)
    assert post.prob_better == pytest.approx(1 - one_sided, abs=1e-12)
    z = sps.norm.ppf(0.975)
    assert (post.ci_lower, post.ci_upper) == pytest.approx((d - z * se, d + z * se))


@pytest.mark.parametrize(("d", "se", "m0", "t"), [(1.0, 0.5, 0.0, 0.3), (-0.2, 0.1, 0.1, 1.0)])
def test_normal_prior_posterior_against_numerical_integration(
    d: float, se: float, m0: float, t: float
) -> None:
    def unnormalised(x: float) -> float:
        return float(sps.norm.pdf(x, m0, t) * sps.norm.pdf(d, x, se))

    lo, hi = -10.0, 10.0
    z = integrate.quad(unnormalised, lo, hi, points=[d, m0])[0]
    mean = integrate.quad(lambda x: x * unnormalised(x), lo, hi, points=[d, m0])[0] / z
    var = integrate.quad(lambda x: (x - mean) ** 2 * unnormalised(x), lo, hi, points=[d, m0])[0]
    better = integrate.quad(unnormalised, 0, hi, points=[max(d, 0.0)])[0] / z
    post = normal_posterior(d, se, prior_mean=m0, prior_sd=t, confidence=0.9)
    assert post.mean == pytest.approx(mean, rel=1e-7)
    assert post.sd == pytest.approx(math.sqrt(var / z), rel=1e-7)
    assert post.prob_better == pytest.approx(better, rel=1e-7)
    q = sps.norm.ppf(0.95)
    assert post.ci_upper - post.ci_lower == pytest.approx(2 * q * math.sqrt(var / z), rel=1e-7)


@given(st.floats(-3, 3), st.floats(0.05, 2), st.booleans())
def test_expected_loss_against_numerical_integration(mu: float, sd: float, higher: bool) -> None:
    sign = 1.0 if higher else -1.0

    def loss(x: float) -> float:
        return max(0.0, -sign * x) * float(sps.norm.pdf(x, mu, sd))

    ref = integrate.quad(loss, mu - 12 * sd, mu + 12 * sd, points=[0.0], limit=200)[0]
    assert expected_loss(mu, sd, higher_is_better=higher) == pytest.approx(ref, abs=1e-9)


def test_undefined_estimates_give_an_undefined_posterior() -> None:
    post = normal_posterior(math.nan, 1.0)
    assert math.isnan(post.mean)
    assert math.isnan(post.prob_better)
    assert math.isnan(normal_posterior(1.0, 0.0).expected_loss)


def test_proportions_match_the_beta_binomial_posterior() -> None:
    # Conjugate check: with uniform Beta(1, 1) priors the posteriors of two conversion rates
    # are Beta(1 + x, 1 + n - x); P(p_t > p_c) and E[max(0, p_c - p_t)] by Monte Carlo with
    # N = 400,000 draws (fixed seed). The tolerance is 4 Monte Carlo standard errors (the
    # standard deviation of the indicator or of the loss over sqrt(N)) plus the Gaussian
    # approximation's error at these counts (n = 20,000 per arm: below 1e-3 for the
    # probability, from the skewness of the Beta posteriors, which is O(1 / sqrt(n x))).
    rng = np.random.default_rng(7)
    x_c, n_c, x_t, n_t = 2000, 20_000, 2090, 20_000
    n = 400_000
    p_c = rng.beta(1 + x_c, 1 + n_c - x_c, n)
    p_t = rng.beta(1 + x_t, 1 + n_t - x_t, n)
    better = p_t > p_c
    loss = np.maximum(0.0, p_c - p_t)
    m_c, m_t = x_c / n_c, x_t / n_t
    # The analysis's Welch standard error on 0/1 data (ddof=1 variances).
    v_c = m_c * (1 - m_c) * n_c / (n_c - 1)
    v_t = m_t * (1 - m_t) * n_t / (n_t - 1)
    post = normal_posterior(m_t - m_c, math.sqrt(v_c / n_c + v_t / n_t))
    tol_p = 4 * better.std() / math.sqrt(n) + 1e-3
    tol_loss = 4 * loss.std() / math.sqrt(n) + 1e-3 * loss.mean()
    assert post.prob_better == pytest.approx(better.mean(), abs=tol_p)
    assert post.expected_loss == pytest.approx(loss.mean(), abs=tol_loss)

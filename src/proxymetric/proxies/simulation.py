"""Simulated registries of many weak experiments with a known covariance of true effects.

Used to check the estimators of :mod:`proxymetric.proxies` and to show what they do. The demo
scenario has three metrics: 0 is the north star, 1 a good proxy (true correlation 0.6) and 2 a
trap (true correlation -0.3, but its noise is correlated +0.8 with the north star's, so the naive
correlation of estimated effects is positive). With 10,000 to 40,000 units per experiment the
noise variance of each effect is 1 to 9 times the variance of the true effects.

>>> import numpy as np
>>> sim = simulate_experiments(1000, np.random.default_rng(0))
>>> sim.effects.shape, sim.noise_cov.shape
((1000, 3), (1000, 3, 3))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from proxymetric.proxies.table import EffectTable, effect_table

__all__ = [
    "DEMO_TRUE_COV",
    "DEMO_UNIT_NOISE_COV",
    "SimulatedExperiments",
    "simulate_experiments",
    "simulate_program",
]

FloatArray = NDArray[np.float64]

_TRUE_CORR = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.0], [-0.3, 0.0, 1.0]])
_TRUE_SD = np.array([0.01, 0.02, 0.01])
DEMO_TRUE_COV: FloatArray = _TRUE_CORR * np.outer(_TRUE_SD, _TRUE_SD)
_NOISE_CORR = np.array([[1.0, 0.5, 0.8], [0.5, 1.0, 0.4], [0.8, 0.4, 1.0]])
_NOISE_SD = np.array([3.0, 4.0, 3.0])
DEMO_UNIT_NOISE_COV: FloatArray = _NOISE_CORR * np.outer(_NOISE_SD, _NOISE_SD)


@dataclass(frozen=True)
class SimulatedExperiments:
    """True effects ``(K, M)``, their estimates, noise covariances ``(K, M, M)``, units ``(K,)``
    and two split-half estimates per experiment (independent noise, each ``2 Psi / n``)."""

    true_effects: FloatArray
    effects: FloatArray
    noise_cov: FloatArray
    units: FloatArray
    fold1: FloatArray
    fold2: FloatArray


def simulate_experiments(
    k: int,
    rng: np.random.Generator,
    true_cov: ArrayLike = DEMO_TRUE_COV,
    unit_noise_cov: ArrayLike = DEMO_UNIT_NOISE_COV,
    units: tuple[float, float] = (10_000, 40_000),
) -> SimulatedExperiments:
    """Return ``k`` simulated experiments: true effects ~ N(0, ``true_cov``), noise N(0, Psi/n).

    ``n`` is uniform in ``units``; ``unit_noise_cov`` is the per-unit noise covariance ``Psi``.
    Each experiment's estimate is the mean of its two half-sample estimates.
    """
    sigma = np.asarray(true_cov, dtype=np.float64)
    psi = np.asarray(unit_noise_cov, dtype=np.float64)
    m = sigma.shape[0]
    n = rng.uniform(units[0], units[1], size=k)
    tau = rng.multivariate_normal(np.zeros(m), sigma, size=k)
    chol = np.linalg.cholesky(psi)
    half = (rng.standard_normal((2, k, m)) @ chol.T) / np.sqrt(n / 2)[None, :, None]
    fold1 = tau + half[0]
    fold2 = tau + half[1]
    return SimulatedExperiments(
        true_effects=tau,
        effects=(fold1 + fold2) / 2,
        noise_cov=psi[None, :, :] / n[:, None, None],
        units=n,
        fold1=fold1,
        fold2=fold2,
    )


def simulate_program(
    rng: np.random.Generator, k: int, *, sparse: bool = False
) -> tuple[EffectTable, float]:
    """A registry of ``k`` weak experiments on ``revenue`` and the true total of the shipped ones.

    True effects are ``N(0.001, 0.01^2)`` (with ``sparse``: 0 for 80% of the experiments, else
    ``N(0.002, 0.02^2)``), standard errors uniform on 0.005-0.02, and an experiment ships when
    its estimate is significantly positive (z > 1.96): the setting in which the program's
    estimated impact is checked against the truth.
    """
    if sparse:
        tau = np.where(rng.random(k) < 0.8, 0.0, rng.normal(0.002, 0.02, size=k))
    else:
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

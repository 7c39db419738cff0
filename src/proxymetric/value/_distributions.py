"""Distributions of the uncertain inputs of a value model.

Each distribution draws a vector of samples from a :class:`numpy.random.Generator` and gives
its quantiles (for the tornado, the medians and the break-even search). Inputs are independent.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy import special

from proxymetric._validation import check_number
from proxymetric.errors import ProxymetricError

__all__ = [
    "Beta",
    "Constant",
    "Distribution",
    "LogNormal",
    "Normal",
    "Pert",
    "Triangular",
    "Uniform",
    "measured_effect",
]

FloatArray = npt.NDArray[np.float64]

_Z90 = float(special.ndtri(0.9))
_Z95 = float(special.ndtri(0.95))


class Distribution(Protocol):
    """What the engine needs from an input: draws, quantiles and a mean."""

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return ``size`` independent draws."""
        ...

    def ppf(self, q: FloatArray) -> FloatArray:
        """Return the quantiles at probabilities ``q``."""
        ...

    @property
    def mean(self) -> float:
        """Return the expected value."""
        ...


@dataclasses.dataclass(frozen=True)
class Constant:
    """A known number.

    >>> Constant(3.0).ppf(np.array([0.05, 0.95])).tolist()
    [3.0, 3.0]
    """

    value: float

    def __post_init__(self) -> None:
        check_number("value", self.value)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:  # noqa: ARG002
        """Return ``size`` copies of the value (no random numbers are consumed)."""
        return np.full(size, float(self.value))

    def ppf(self, q: FloatArray) -> FloatArray:
        """Return the value at every probability."""
        return np.full(np.shape(q), float(self.value))

    @property
    def mean(self) -> float:
        """Return the value."""
        return float(self.value)


@dataclasses.dataclass(frozen=True)
class Normal:
    """A normal distribution with mean ``mean`` and standard deviation ``sd``.

    >>> round(Normal.from_interval(90.0, 110.0).sd, 4)
    6.0796
    """

    mean: float
    sd: float

    def __post_init__(self) -> None:
        check_number("mean", self.mean)
        check_number("sd", self.sd, low=0, low_inclusive=True)

    @classmethod
    def from_interval(cls, p05: float, p95: float) -> Normal:
        """Return the normal whose 5th and 95th percentiles are ``p05`` and ``p95``.

        A 90% interval is the usual way experts state an uncertain number (Hubbard, *How to
        Measure Anything*, 2014, ch. 5).
        """
        check_number("p05", p05)
        check_number("p95", p95)
        if not p95 > p05:
            raise ProxymetricError(f"`p95` == {p95!r}, must be > `p05` ({p05!r})")
        return cls((p05 + p95) / 2, (p95 - p05) / (2 * _Z95))

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return ``size`` normal draws."""
        return rng.normal(self.mean, self.sd, size)

    def ppf(self, q: FloatArray) -> FloatArray:
        """Return the normal quantiles."""
        return self.mean + self.sd * np.asarray(special.ndtri(q), dtype=np.float64)


def measured_effect(estimate: float, standard_error: float) -> Normal:
    """Return the distribution of a measured effect: normal with its estimate and standard error.

    This is the large-sample sampling distribution of an experiment's effect estimate (the one
    behind its Welch confidence interval), used as the uncertainty of the effect in the value
    model.

    >>> measured_effect(0.012, 0.004)
    Normal(mean=0.012, sd=0.004)
    """
    check_number("estimate", estimate)
    check_number("standard_error", standard_error, low=0, low_inclusive=True)
    return Normal(estimate, standard_error)


@dataclasses.dataclass(frozen=True)
class LogNormal:
    """A lognormal: ``exp(N(mu, sigma))``, for positive quantities with a long right tail.

    >>> d = LogNormal.from_median_p90(100.0, 200.0)
    >>> [round(float(x), 6) for x in d.ppf(np.array([0.5, 0.9]))]
    [100.0, 200.0]
    >>> d = LogNormal.from_mean_sd(10.0, 5.0)
    >>> round(d.mean, 6)
    10.0
    """

    mu: float
    sigma: float

    def __post_init__(self) -> None:
        check_number("mu", self.mu)
        check_number("sigma", self.sigma, low=0, low_inclusive=True)

    @classmethod
    def from_median_p90(cls, median: float, p90: float) -> LogNormal:
        """Return the lognormal with the given median and 90th percentile."""
        check_number("median", median, low=0)
        check_number("p90", p90, low=0)
        if not p90 > median:
            raise ProxymetricError(f"`p90` == {p90!r}, must be > `median` ({median!r})")
        return cls(math.log(median), (math.log(p90) - math.log(median)) / _Z90)

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float) -> LogNormal:
        """Return the lognormal with the given mean and standard deviation (moment matching)."""
        check_number("mean", mean, low=0)
        check_number("sd", sd, low=0, low_inclusive=True)
        sigma2 = math.log1p((sd / mean) ** 2)
        return cls(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return ``size`` lognormal draws."""
        return np.exp(rng.normal(self.mu, self.sigma, size))

    def ppf(self, q: FloatArray) -> FloatArray:
        """Return the lognormal quantiles."""
        return np.exp(self.mu + self.sigma * np.asarray(special.ndtri(q), dtype=np.float64))

    @property
    def mean(self) -> float:
        """Return the mean ``exp(mu + sigma^2 / 2)``."""
        return math.exp(self.mu + self.sigma**2 / 2)


@dataclasses.dataclass(frozen=True)
class Uniform:
    """A uniform distribution on ``[low, high]``."""

    low: float
    high: float

    def __post_init__(self) -> None:
        check_number("low", self.low)
        check_number("high", self.high)
        if not self.high > self.low:
            raise ProxymetricError(f"`high` == {self.high!r}, must be > `low` ({self.low!r})")

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return ``size`` uniform draws."""
        return rng.uniform(self.low, self.high, size)

    def ppf(self, q: FloatArray) -> FloatArray:
        """Return the uniform quantiles."""
        return self.low + (self.high - self.low) * np.asarray(q, dtype=np.float64)

    @property
    def mean(self) -> float:
        """Return the midpoint."""
        return (self.low + self.high) / 2


def _check_three_points(low: float, mode: float, high: float) -> None:
    check_number("low", low)
    check_number("mode", mode)
    check_number("high", high)
    if not (low <= mode <= high and high > low):
        raise ProxymetricError(
            f"`low`, `mode`, `high` must satisfy low <= mode <= high and low < high; "
            f"got {low!r}, {mode!r}, {high!r}"
        )


@dataclasses.dataclass(frozen=True)
class Triangular:
    """A triangular distribution with minimum ``low``, most likely ``mode``, maximum ``high``."""

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        _check_three_points(self.low, self.mode, self.high)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return ``size`` triangular draws."""
        return rng.triangular(self.low, self.mode, self.high, size)

    def ppf(self, q: FloatArray) -> FloatArray:
        """Return the triangular quantiles (closed-form inverse of the distribution function)."""
        q = np.asarray(q, dtype=np.float64)
        width = self.high - self.low
        split = (self.mode - self.low) / width
        left = self.low + np.sqrt(q * width * (self.mode - self.low))
        right = self.high - np.sqrt((1 - q) * width * (self.high - self.mode))
        return np.where(q < split, left, right)

    @property
    def mean(self) -> float:
        """Return ``(low + mode + high) / 3``."""
        return (self.low + self.mode + self.high) / 3


@dataclasses.dataclass(frozen=True)
class Beta:
    """A beta distribution on ``[0, 1]`` for rates (precision, recall, conversion).

    >>> b = Beta.from_mean_sd(0.9, 0.03)
    >>> round(b.mean, 6), round(b.alpha + b.beta, 1)
    (0.9, 99.0)
    """

    alpha: float
    beta: float

    def __post_init__(self) -> None:
        check_number("alpha", self.alpha, low=0)
        check_number("beta", self.beta, low=0)

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float) -> Beta:
        """Return the beta with the given mean and standard deviation (method of moments)."""
        check_number("mean", mean, low=0, high=1)
        check_number("sd", sd, low=0)
        limit = math.sqrt(mean * (1 - mean))
        if sd >= limit:
            raise ProxymetricError(
                f"`sd` == {sd!r}, must be < sqrt(mean * (1 - mean)) = {limit:.4g} for a beta"
            )
        total = mean * (1 - mean) / sd**2 - 1
        return cls(mean * total, (1 - mean) * total)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return ``size`` beta draws."""
        return rng.beta(self.alpha, self.beta, size)

    def ppf(self, q: FloatArray) -> FloatArray:
        """Return the beta quantiles."""
        return np.asarray(special.betaincinv(self.alpha, self.beta, q), dtype=np.float64)

    @property
    def mean(self) -> float:
        """Return ``alpha / (alpha + beta)``."""
        return self.alpha / (self.alpha + self.beta)


@dataclasses.dataclass(frozen=True)
class Pert:
    """A (Beta-)PERT distribution: a beta rescaled to ``[low, high]`` peaking at ``mode``.

    Shape parameters ``1 + lamb * (mode - low) / (high - low)`` and
    ``1 + lamb * (high - mode) / (high - low)`` with ``lamb = 4`` (Malcolm, Roseboom, Clark and
    Fazar, *Operations Research* 7(5), 1959; Vose, *Risk Analysis*, 2008, sec. 9.1.4).

    >>> Pert(0.0, 1.0, 5.0).mean
    1.5
    """

    low: float
    mode: float
    high: float
    lamb: float = 4.0

    def __post_init__(self) -> None:
        _check_three_points(self.low, self.mode, self.high)
        check_number("lamb", self.lamb, low=0)

    @property
    def _shape(self) -> tuple[float, float]:
        width = self.high - self.low
        return (
            1 + self.lamb * (self.mode - self.low) / width,
            1 + self.lamb * (self.high - self.mode) / width,
        )

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return ``size`` PERT draws."""
        a, b = self._shape
        return self.low + (self.high - self.low) * rng.beta(a, b, size)

    def ppf(self, q: FloatArray) -> FloatArray:
        """Return the PERT quantiles."""
        a, b = self._shape
        unit = np.asarray(special.betaincinv(a, b, q), dtype=np.float64)
        return self.low + (self.high - self.low) * unit

    @property
    def mean(self) -> float:
        """Return ``(low + lamb * mode + high) / (lamb + 2)``."""
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2)

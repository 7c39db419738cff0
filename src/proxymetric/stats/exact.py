"""Proportions with few events: Fisher's exact test and the Agresti-Caffo interval.

Welch's t-test on a 0/1 metric relies on the normal approximation, which fails when an arm has
few events (or few non-events): an arm with no event has a variance of 0, and with unequal arms
the false-positive rate of Welch's test reaches several times alpha (36% of A/A tests at
alpha = 5% with 5,000 against 500 units and a rate of 0.2%, against 2% for the exact test; see
``tests/stats/test_exact.py``). When a variant has fewer than :data:`EXACT_BELOW` events or
non-events, :func:`~proxymetric.stats.compare.compare` therefore decides with

- **Fisher's exact test** (Fisher, "The logic of inductive inference", JRSS 1935): the
  conditional distribution of the treatment's events given the total is hypergeometric; the
  two-sided p-value sums the probabilities of the tables no more likely than the observed one
  (the convention of R's ``fisher.test`` and ``scipy.stats.fisher_exact``). Its false-positive
  rate is at most alpha at every sample size.
- **the Agresti-Caffo interval** of the difference of proportions (Agresti and Caffo, "Simple
  and effective confidence intervals for proportions and differences of proportions result
  from adding two successes and two failures", The American Statistician 2000): the Wald
  interval after adding one event and one non-event to each arm, which keeps its coverage with
  few or no events. An absolute non-inferiority margin is tested with the same statistic, so
  the test agrees with the interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from proxymetric._validation import check_choice
from proxymetric.errors import ProxymetricError
from proxymetric.stats.moments import Moments

__all__ = [
    "EXACT_BELOW",
    "AgrestiCaffo",
    "agresti_caffo",
    "agresti_caffo_noninferiority_pvalue",
    "binary_counts",
    "fisher_exact_pvalue",
]

# A proportion is tested exactly when a variant has fewer events, or fewer non-events, than this.
# Why 20 and not 10: with unequal arms Welch's test stays anti-conservative well past 10 events
# in the smaller arm (about 6% false positives at alpha = 5% with 10,000 against 1,000 units and
# 20 expected events in the smaller arm); from 20 on its excess is small, while Fisher's test,
# valid at any count, costs some power only in that band.
EXACT_BELOW = 20

# Relative tolerance of the probabilities of tables "as likely as" the observed one (as R and
# scipy use), so that rounding never drops a tied table.
_TIE = 1e-7


def _check_counts(events: int, units: int, arm: str) -> None:
    if isinstance(events, bool) or isinstance(units, bool):
        raise ProxymetricError(f"`{arm}` counts must be whole numbers; got {events!r}/{units!r}")
    if not (isinstance(events, int) and isinstance(units, int) and 0 <= events <= units):
        raise ProxymetricError(
            f"`{arm}` needs 0 <= events <= units (whole numbers); got {events!r} of {units!r}"
        )


def fisher_exact_pvalue(
    control_events: int,
    control_units: int,
    treatment_events: int,
    treatment_units: int,
    *,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
) -> float:
    """Return the p-value of Fisher's exact test of equal proportions in two arms.

    ``greater`` is the alternative that the treatment's proportion is higher. Given the total
    events ``K`` of ``N`` units, the treatment's events are hypergeometric (``N``, ``K``,
    ``treatment_units``); two-sided sums the tables no more probable than the observed one,
    one-sided the tail beyond it.

    >>> round(fisher_exact_pvalue(0, 1000, 5, 1000), 4)
    0.0622
    """
    _check_counts(control_events, control_units, "control")
    _check_counts(treatment_events, treatment_units, "treatment")
    check_choice("alternative", alternative, ("two-sided", "greater", "less"))
    total = control_units + treatment_units
    events = control_events + treatment_events
    low = max(0, treatment_units - (total - events))
    high = min(events, treatment_units)
    support = np.arange(low, high + 1)
    logpmf = _log_hypergeom(support, total, events, treatment_units)
    observed = logpmf[treatment_events - low]
    if alternative == "greater":
        tail = logpmf[support >= treatment_events]
    elif alternative == "less":
        tail = logpmf[support <= treatment_events]
    else:
        tail = logpmf[logpmf <= observed + math.log1p(_TIE)]
    return float(min(1.0, np.exp(_logsumexp(tail))))


def _log_hypergeom(
    k: npt.NDArray[np.int64], total: int, events: int, draws: int
) -> npt.NDArray[np.float64]:
    """log P(X = k) over the whole support ``k`` of X hypergeometric (``draws`` of ``total``
    units, ``events`` of them 1s), from the ratios of consecutive probabilities, normalised.

    The ratios ``P(k + 1) / P(k) = (K - k)(n - k) / ((k + 1)(N - K - n + k + 1))`` keep full
    precision where differences of log-factorials of large ``N`` would lose it.
    """
    j = k[:-1].astype(np.float64)
    steps = np.log((events - j) * (draws - j)) - np.log((j + 1) * (total - events - draws + j + 1))
    logpmf = np.concatenate([[0.0], np.cumsum(steps)])
    return np.asarray(logpmf - _logsumexp(logpmf))


def _logsumexp(x: npt.NDArray[np.float64]) -> float:
    top = float(x.max())
    return top + math.log(float(np.exp(x - top).sum()))


@dataclass(frozen=True)
class AgrestiCaffo:
    """The Agresti-Caffo estimate of ``p_t - p_c``, its standard error and its interval."""

    estimate: float
    se: float
    ci_lower: float
    ci_upper: float


def agresti_caffo(
    control_events: int,
    control_units: int,
    treatment_events: int,
    treatment_units: int,
    *,
    confidence: float = 0.95,
) -> AgrestiCaffo:
    """Return the Agresti-Caffo interval of the difference ``p_t - p_c`` (two-sided).

    Each arm gets one more event and one more non-event, ``p~ = (x + 1) / (n + 2)``; the
    interval is ``p~_t - p~_c +- z * sqrt(p~_t (1 - p~_t) / (n_t + 2) + p~_c (1 - p~_c) /
    (n_c + 2))`` with ``z`` the normal quantile.

    >>> ac = agresti_caffo(0, 1000, 5, 1000)
    >>> round(ac.ci_lower, 5), round(ac.ci_upper, 5)
    (-0.00017, 0.01015)
    """
    _check_counts(control_events, control_units, "control")
    _check_counts(treatment_events, treatment_units, "treatment")
    p_c = (control_events + 1) / (control_units + 2)
    p_t = (treatment_events + 1) / (treatment_units + 2)
    estimate = p_t - p_c
    se = math.sqrt(p_t * (1 - p_t) / (treatment_units + 2) + p_c * (1 - p_c) / (control_units + 2))
    z = float(special.ndtri(0.5 + confidence / 2))
    return AgrestiCaffo(estimate, se, estimate - z * se, estimate + z * se)


def agresti_caffo_noninferiority_pvalue(
    control_events: int,
    control_units: int,
    treatment_events: int,
    treatment_units: int,
    margin: float,
    *,
    higher_is_better: bool = True,
) -> float:
    """Return the one-sided p-value of non-inferiority at an absolute ``margin`` (>= 0).

    H0 is ``p_t - p_c <= -margin`` when higher is better (``>= margin`` otherwise), tested with
    the Agresti-Caffo statistic: p < alpha exactly when the ``1 - 2 alpha`` Agresti-Caffo
    interval lies on the good side of the margin.
    """
    ac = agresti_caffo(control_events, control_units, treatment_events, treatment_units)
    sign = 1.0 if higher_is_better else -1.0
    return float(special.ndtr(-(sign * ac.estimate + margin) / ac.se))


def binary_counts(m: Moments, column: str) -> int | None:
    """Return the number of 1s of a 0/1 ``column`` from its moments, or None.

    None when the moments cannot be those of 0/1 values: ``n * mean`` is not a whole number, or
    the sum of squared deviations is not ``x (n - x) / n`` (a column of counts, for example).
    The tolerance admits the rounding of engines and of published summary statistics, and a
    variance computed with ``ddof = 0``.
    """
    n = m.count
    if n < 2:
        return None
    x = m.mean_of(column) * n
    if not math.isfinite(x):
        return None
    k = round(x)
    if abs(x - k) > 1e-6 * max(1.0, abs(x)) or not 0 <= k <= n:
        return None
    i = m.index(column)
    ss = float(m.comoment[i, i])
    expected = k * (n - k) / n
    if not math.isfinite(ss) or abs(ss - expected) > (1e-6 + 2 / n) * expected + 1e-9:
        return None
    return int(k)

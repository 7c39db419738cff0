"""How many human and judge labels to buy for a target interval width, and at what cost.

With the PPI++ tuning at its optimum, the variance of the corrected mean from ``n`` human labels
and ``N`` more items labelled by the judge alone is (Angelopoulos, Duchi and Zrnic 2023, the
variance of the power-tuned estimator at ``lam* = cov / (var_judge (1 + n / N))``)::

    V(n, N) = sd^2 / n * (1 - rho^2 * N / (N + n))

where ``sd`` is the standard deviation of the human labels and ``rho`` the correlation of judge
and human labels: the judge is worth ``n / (1 - rho^2 N / (N + n))`` human labels, at most
``n / (1 - rho^2)`` with an unlimited number of judge labels. The width of an interval is
``upper - lower = 2 z sqrt(V)``. The ``lam`` clip to [0, 1] is ignored here (it binds only when
the judge's labels vary less than its covariance with people's, which a plan cannot know).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from proxymetric._result import Result
from proxymetric._validation import check_number
from proxymetric.judges.inference import z_value

__all__ = ["LabelMix", "LabelPlan", "cheapest_mix", "human_labels_needed", "interval_width"]

_GRID = 2_000_000


def _variance(n: float, big_n: float, sd: float, rho: float) -> float:
    share = big_n / (big_n + n) if big_n + n > 0 else 0.0
    return sd**2 / n * (1.0 - rho**2 * share)


def _check(sd: float, correlation: float, confidence_level: float) -> float:
    check_number("human_sd", sd, low=0.0)
    check_number("correlation", correlation, low=-1.0, high=1.0, low_inclusive=True,
                 high_inclusive=True)  # fmt: skip
    return z_value(confidence_level)


def interval_width(
    human_labels: int,
    judge_labels: int,
    *,
    human_sd: float,
    correlation: float,
    confidence_level: float = 0.95,
) -> float:
    """Return the width (upper - lower) of the PPI++ interval bought by a mix of labels.

    ``human_labels`` items labelled by people (and by the judge), ``judge_labels`` more items
    labelled by the judge alone.

    >>> round(interval_width(400, 0, human_sd=0.5, correlation=0.9), 4)  # people alone
    0.098
    >>> round(interval_width(400, 10_000, human_sd=0.5, correlation=0.9), 4)
    0.0461
    """
    z = _check(human_sd, correlation, confidence_level)
    check_number("human_labels", human_labels, low=0)
    check_number("judge_labels", judge_labels, low=0, low_inclusive=True)
    return 2.0 * z * math.sqrt(_variance(human_labels, judge_labels, human_sd, correlation))


@dataclasses.dataclass(frozen=True)
class LabelPlan(Result):
    """Human labels needed for an interval of ``target_width`` with ``judge_labels`` judge labels.

    ``human_labels`` with the judge, ``human_only_labels`` without it; ``effective_human_labels``
    is what the planned human labels are worth with the judge (``human_only_labels`` or more).
    """

    target_width: float
    confidence_level: float
    human_sd: float
    correlation: float
    judge_labels: int
    human_labels: int
    human_only_labels: int
    effective_human_labels: float


def human_labels_needed(
    target_width: float,
    *,
    human_sd: float,
    correlation: float,
    judge_labels: int,
    confidence_level: float = 0.95,
) -> LabelPlan:
    """Return the human labels needed for an interval of ``target_width`` (upper - lower).

    Solves ``V(n, N) = (target_width / 2z)^2`` for ``n`` with ``N = judge_labels``: the positive
    root of ``v n^2 + (v N - sd^2) n - sd^2 N (1 - rho^2) = 0``.

    >>> p = human_labels_needed(0.05, human_sd=0.5, correlation=0.9, judge_labels=10_000)
    >>> p.human_labels, p.human_only_labels
    (332, 1537)
    """
    z = _check(human_sd, correlation, confidence_level)
    check_number("target_width", target_width, low=0.0)
    check_number("judge_labels", judge_labels, low=0, low_inclusive=True)
    v = (target_width / (2.0 * z)) ** 2
    sd2, big_n, rho2 = human_sd**2, float(judge_labels), correlation**2
    only = max(math.ceil(sd2 / v - 1e-9), 1)
    b = v * big_n - sd2
    root = (-b + math.sqrt(b * b + 4.0 * v * sd2 * big_n * (1.0 - rho2))) / (2.0 * v)
    n = max(math.ceil(root - 1e-9), 2)
    var = _variance(n, big_n, human_sd, correlation)
    return LabelPlan(
        target_width=target_width,
        confidence_level=confidence_level,
        human_sd=human_sd,
        correlation=correlation,
        judge_labels=judge_labels,
        human_labels=n,
        human_only_labels=only,
        effective_human_labels=sd2 / var if var > 0 else math.inf,
    )


@dataclasses.dataclass(frozen=True)
class LabelMix(Result):
    """The cheapest mix of human and judge labels for an interval of ``target_width``.

    A human label costs ``cost_per_human_label`` and its item is labelled by the judge too
    (``cost_per_judge_label``); ``judge_labels`` counts the items labelled by the judge alone.
    ``cost`` and ``width`` are the mix's; ``human_only_cost`` is what people alone would cost
    (``human_only_labels`` labels) for the same width, ``saving`` the difference.
    """

    target_width: float
    confidence_level: float
    cost_per_human_label: float
    cost_per_judge_label: float
    human_labels: int
    judge_labels: int
    cost: float
    width: float
    human_only_labels: int
    human_only_cost: float
    saving: float


def cheapest_mix(
    target_width: float,
    *,
    human_sd: float,
    correlation: float,
    cost_per_human_label: float,
    cost_per_judge_label: float,
    max_judge_labels: int | None = None,
    confidence_level: float = 0.95,
) -> LabelMix:
    """Return the cheapest (human labels, judge-only labels) for an interval of ``target_width``.

    Cost is ``cost_per_human_label * n + cost_per_judge_label * (n + N)``, or
    ``cost_per_human_label * n`` when the judge is not used at all (``N = 0``). For each ``n`` the
    fewest judge labels reaching the width are ``N = n q / (rho^2 - q)`` with ``q = 1 - n v /
    sd^2`` (none when ``q <= 0``); every whole ``n`` up to the human-only number is tried.
    ``max_judge_labels`` caps ``N`` (the items there are to label).

    >>> m = cheapest_mix(0.05, human_sd=0.5, correlation=0.9, cost_per_human_label=1.0,
    ...                  cost_per_judge_label=0.01)
    >>> m.human_labels, m.judge_labels, round(m.cost, 2), m.human_only_labels
    (352, 6944, 424.96, 1537)
    """
    z = _check(human_sd, correlation, confidence_level)
    check_number("target_width", target_width, low=0.0)
    check_number("cost_per_human_label", cost_per_human_label, low=0.0, low_inclusive=True)
    check_number("cost_per_judge_label", cost_per_judge_label, low=0.0, low_inclusive=True)
    if max_judge_labels is not None:
        check_number("max_judge_labels", max_judge_labels, low=0, low_inclusive=True)
    v = (target_width / (2.0 * z)) ** 2
    sd2, rho2 = human_sd**2, correlation**2
    only = max(math.ceil(sd2 / v - 1e-9), 1)
    start = max(math.floor(sd2 * (1.0 - rho2) / v), 1)
    n = np.arange(start, only + 1, max(1, (only - start) // _GRID), dtype=np.float64)
    q = 1.0 - n * v / sd2
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(q <= 0, 0.0, np.where(q < rho2, n * q / (rho2 - q), np.inf))
    big_n = np.ceil(need - 1e-9)
    if max_judge_labels is not None:
        big_n = np.where(big_n <= max_judge_labels, big_n, np.inf)
    finite = np.isfinite(big_n)
    judged = np.where(finite & (big_n > 0), n + np.where(finite, big_n, 0.0), 0.0)
    cost = np.where(finite, cost_per_human_label * n + cost_per_judge_label * judged, np.inf)
    best = int(np.argmin(cost))
    h, j = int(n[best]), int(big_n[best])
    only_cost = cost_per_human_label * only
    return LabelMix(
        target_width=target_width,
        confidence_level=confidence_level,
        cost_per_human_label=cost_per_human_label,
        cost_per_judge_label=cost_per_judge_label,
        human_labels=h,
        judge_labels=j,
        cost=float(cost[best]),
        width=2.0 * z * math.sqrt(_variance(h, j, human_sd, correlation)),
        human_only_labels=only,
        human_only_cost=only_cost,
        saving=only_cost - float(cost[best]),
    )

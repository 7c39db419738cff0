"""How many labelled examples measure a classifier's recall, precision or false positive rate.

A rate is a proportion of a subset of the examples: recall of the positives, precision of the
flagged examples, the false positive rate of the negatives. Measuring it to a half-width ``h``
at confidence level ``1 - alpha`` takes ``z^2 p (1 - p) / h^2`` examples of that subset (the
normal approximation of the binomial), and so that many divided by the subset's share of all
examples: the share of positives is the prevalence, so at 1% prevalence measuring recall to
+-5 points takes a hundred times more labels than positives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from proxymetric._result import Result
from proxymetric._validation import check_choice, check_number
from proxymetric.errors import ProxymetricError

__all__ = ["RATES", "LabelsNeeded", "half_width", "labels_needed"]

RATES = ("recall", "precision", "false_positive_rate")
_SUBSET = {"recall": "positives", "precision": "flagged", "false_positive_rate": "negatives"}


@dataclass(frozen=True)
class LabelsNeeded(Result):
    """The labelled examples needed to measure ``metric`` (expected ``expected``) to
    +-``half_width`` at ``confidence_level``; ``subset`` (positives, flagged or negatives) is the
    part of the examples the rate is a share of, ``subset_share`` its share of all examples,
    ``subset_needed`` how many of them are needed and ``labels`` the total."""

    metric: str
    expected: float
    half_width: float
    prevalence: float
    confidence_level: float
    subset: str
    subset_share: float
    subset_needed: int
    labels: int


def _share(metric: str, prevalence: float, recall: float | None, precision: float) -> float:
    if metric == "recall":
        return prevalence
    if metric == "false_positive_rate":
        return 1.0 - prevalence
    if recall is None:
        raise ProxymetricError(
            "`recall` is needed to size a precision: the flagged share is "
            "prevalence x recall / precision"
        )
    check_number("recall", recall, low=0, high=1, high_inclusive=True)
    return min(1.0, prevalence * recall / precision)


def labels_needed(
    metric: str,
    half_width: float,
    *,
    expected: float,
    prevalence: float,
    recall: float | None = None,
    confidence_level: float = 0.95,
) -> LabelsNeeded:
    """Return the :class:`LabelsNeeded` to measure ``metric`` to +-``half_width``.

    ``expected`` is the expected value of the rate, ``prevalence`` the share of positives in
    the labelled sample; sizing a precision also needs the expected ``recall``.

    >>> labels_needed("recall", 0.05, expected=0.9, prevalence=0.01).labels
    13900
    """
    check_choice("metric", metric, RATES)
    check_number("half_width", half_width, low=0, high=0.5, high_inclusive=True)
    check_number("expected", expected, low=0, high=1)
    check_number("prevalence", prevalence, low=0, high=1)
    check_number("confidence_level", confidence_level, low=0, high=1)
    share = _share(metric, prevalence, recall, expected)
    z = NormalDist().inv_cdf(0.5 + confidence_level / 2)
    subset = math.ceil(z * z * expected * (1 - expected) / half_width**2)
    return LabelsNeeded(
        metric=metric,
        expected=expected,
        half_width=half_width,
        prevalence=prevalence,
        confidence_level=confidence_level,
        subset=_SUBSET[metric],
        subset_share=share,
        subset_needed=subset,
        labels=math.ceil(subset / share),
    )


def half_width(
    metric: str,
    labels: int,
    *,
    expected: float,
    prevalence: float,
    recall: float | None = None,
    confidence_level: float = 0.95,
) -> float:
    """Return the half-width to which ``labels`` labelled examples measure ``metric``.

    >>> round(half_width("recall", 100, expected=0.9, prevalence=0.01), 3)  # one positive
    0.588
    """
    check_choice("metric", metric, RATES)
    check_number("labels", labels, low=0)
    check_number("expected", expected, low=0, high=1)
    check_number("prevalence", prevalence, low=0, high=1)
    share = _share(metric, prevalence, recall, expected)
    z = NormalDist().inv_cdf(0.5 + confidence_level / 2)
    return z * math.sqrt(expected * (1 - expected) / (labels * share))

"""Sample ratio mismatch: a chi-square goodness-of-fit test of unit counts against the split.

See Fabijan et al., "Diagnosing Sample Ratio Mismatch in Online Controlled Experiments: A
Taxonomy and Rules of Thumb for Practitioners" (KDD 2019). A mismatch is flagged at
``p < 0.001`` by default (docs/architecture.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import special

from proxymetric._result import Result
from proxymetric._validation import check_number
from proxymetric.errors import ProxymetricError

__all__ = ["SrmResult", "srm_test"]

SRM_THRESHOLD = 0.001


@dataclass(frozen=True)
class SrmResult(Result):
    """Result of the SRM test.

    Attributes:
        statistic: the chi-square statistic.
        pvalue: its p-value with ``k - 1`` degrees of freedom.
        mismatch: True when ``pvalue < threshold``.
        threshold: the p-value below which a mismatch is flagged.
        expected_shares: the configured split, normalised to sum to 1.
        observed_shares: the observed share of units per variant.
    """

    statistic: float
    pvalue: float
    mismatch: bool
    threshold: float
    expected_shares: dict[str, float]
    observed_shares: dict[str, float]


def srm_test(
    counts: Mapping[str, int],
    expected: Mapping[str, float] | None = None,
    *,
    threshold: float = SRM_THRESHOLD,
) -> SrmResult:
    """Return the chi-square test of ``counts`` against the ``expected`` split (equal if None).

    ``expected`` holds shares or weights per variant (``{"a": 1, "b": 1}`` or
    ``{"a": 0.5, "b": 0.5}``); they are normalised.

    >>> r = srm_test({"a": 5000, "b": 5100})
    >>> round(r.pvalue, 4), r.mismatch
    (0.3197, False)
    """
    check_number("threshold", threshold, low=0, high=1)
    names = list(counts)
    weights = dict.fromkeys(names, 1.0) if expected is None else dict(expected)
    if set(weights) != set(names):
        raise ProxymetricError(
            f"`split` must give a share for every variant; variants: {', '.join(names)}; "
            f"split: {', '.join(weights)}"
        )
    for v, w in weights.items():
        check_number(f"split[{v!r}]", w, low=0)
    total_w = sum(weights.values())
    shares = {v: weights[v] / total_w for v in names}
    n = sum(counts.values())
    observed_shares = {v: (counts[v] / n if n else math.nan) for v in names}
    if n == 0 or len(names) < 2:
        return SrmResult(
            math.nan,
            math.nan,
            mismatch=False,
            threshold=threshold,
            expected_shares=shares,
            observed_shares=observed_shares,
        )
    observed_counts = np.array([counts[v] for v in names], dtype=np.float64)
    expected_counts = np.array([shares[v] * n for v in names], dtype=np.float64)
    # Pearson's chi-square statistic and its upper tail with k - 1 degrees of freedom.
    stat = float(np.sum((observed_counts - expected_counts) ** 2 / expected_counts))
    pvalue = float(special.chdtrc(len(names) - 1, stat))
    return SrmResult(stat, pvalue, pvalue < threshold, threshold, shares, observed_shares)

"""Trust checks of a blind test: rater agreement, position bias and raters against consensus.

A *unit* is one item judged on one pair of systems; its ratings are put in three nominal
categories (the pair's first system won, the second won, tie), whatever order the outputs were
shown in.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

from proxymetric._result import Result
from proxymetric._validation import check_number
from proxymetric.pairwise.judgments import Judgments
from proxymetric.stats.binomial import holm, sign_test, wilson_interval

__all__ = [
    "Agreement",
    "PositionBias",
    "RaterCheck",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "position_bias",
    "rater_agreement",
    "rater_checks",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclasses.dataclass(frozen=True)
class Agreement(Result):
    """Inter-rater agreement over the units judged more than once.

    ``cohen_kappa`` is defined when exactly two raters judged the repeated units (rater column
    needed), ``fleiss_kappa`` when every repeated unit has the same number of ratings, and
    ``krippendorff_alpha`` (nominal) always; undefined values are NaN (``null`` in JSON).
    ``observed_agreement`` is the share of agreeing pairs of ratings within units.
    """

    units: int
    ratings: int
    raters: int
    observed_agreement: float
    cohen_kappa: float
    fleiss_kappa: float
    krippendorff_alpha: float


@dataclasses.dataclass(frozen=True)
class PositionBias(Result):
    """Does the output shown first win more than half of the decided judgments?

    ``share_first_wins`` with its Wilson interval
    ``share_first_wins_ci_lower``/``share_first_wins_ci_upper`` and the exact two-sided
    binomial ``pvalue`` against one half; ties and judgments of unknown position are left out.
    """

    judgments: int
    first_wins: int
    share_first_wins: float
    share_first_wins_ci_lower: float
    share_first_wins_ci_upper: float
    pvalue: float


@dataclasses.dataclass(frozen=True)
class RaterCheck(Result):
    """One rater against the other raters of the same units.

    ``judgments`` counts the rater's votes on units judged more than once; ``agreement`` is
    the mean share of the other votes on the same unit that agree with the rater's vote, and
    ``expected`` its mean if raters were interchangeable (see :func:`rater_checks`);
    ``pvalue`` is the one-sided test that the rater agrees less, ``pvalue_adjusted`` adjusted over
    raters, and ``flagged`` is true when ``pvalue_adjusted`` < ``alpha``.
    """

    rater: str
    judgments: int
    agreement: float
    expected: float
    pvalue: float
    pvalue_adjusted: float
    flagged: bool


# ----------------------------------------------------------------------------- coefficients


def cohen_kappa(first: npt.ArrayLike, second: npt.ArrayLike, n_categories: int) -> float:
    """Return Cohen's kappa of two raters' category codes (Cohen, 1960).

    >>> round(cohen_kappa([0, 0, 1, 1, 2], [0, 1, 1, 1, 2], 3), 4)
    0.6875
    """
    x = np.asarray(first, dtype=np.int64)
    y = np.asarray(second, dtype=np.int64)
    if x.size == 0:
        return math.nan
    table = np.bincount(x * n_categories + y, minlength=n_categories**2).reshape(
        n_categories, n_categories
    ) / float(x.size)
    po = float(np.trace(table))
    pe = float(table.sum(axis=1) @ table.sum(axis=0))
    return math.nan if pe >= 1.0 else (po - pe) / (1.0 - pe)


def fleiss_kappa(counts: npt.ArrayLike) -> float:
    """Return Fleiss' kappa from a (units x categories) table of rating counts (Fleiss, 1971).

    Every unit must have the same number of ratings (at least two); NaN otherwise.

    >>> round(fleiss_kappa([[2, 0], [0, 2], [1, 1]]), 4)
    0.3333
    """
    c = np.asarray(counts, dtype=np.float64)
    m = c.sum(axis=1)
    if c.shape[0] == 0 or m.min() < 2 or m.min() != m.max():
        return math.nan
    k = m[0]
    p_unit = ((c * c).sum(axis=1) - k) / (k * (k - 1.0))
    p_cat = c.sum(axis=0) / c.sum()
    pe = float(p_cat @ p_cat)
    return math.nan if pe >= 1.0 else (float(p_unit.mean()) - pe) / (1.0 - pe)


def krippendorff_alpha(counts: npt.ArrayLike) -> float:
    """Return Krippendorff's alpha (nominal) from a (units x categories) table of counts.

    Units with fewer than two ratings are not pairable and are ignored (Krippendorff,
    *Content Analysis*, 2004; "Computing Krippendorff's alpha-reliability", 2011).

    >>> round(float(krippendorff_alpha([[2, 0], [0, 2], [1, 1]])), 4)
    0.4444
    """
    c = np.asarray(counts, dtype=np.float64)
    m = c.sum(axis=1)
    c = c[m >= 2]
    m = m[m >= 2]
    if c.shape[0] == 0:
        return math.nan
    scaled = c / (m - 1.0)[:, None]
    coincidence = scaled.T @ c - np.diag(scaled.sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    observed = n - np.trace(coincidence)
    expected = (n * n - float(n_c @ n_c)) / (n - 1.0)
    return math.nan if expected <= 0 else float(1.0 - observed / expected)


# ----------------------------------------------------------------------------- judgments


def _units(j: Judgments) -> tuple[IntArray, IntArray, int]:
    """Return each judgment's unit code and nominal category, and the number of units."""
    s = len(j.systems)
    lo = np.minimum(j.system_a, j.system_b)
    hi = np.maximum(j.system_a, j.system_b)
    key = (j.item * s + lo) * s + hi
    uniq, unit = np.unique(key, return_inverse=True)
    lo_won = np.where(j.system_a == lo, j.outcome, 1.0 - j.outcome)
    category = np.where(lo_won == 1.0, 0, np.where(lo_won == 0.0, 1, 2)).astype(np.int64)
    return unit.astype(np.int64), category, int(uniq.size)


def rater_agreement(judgments: Judgments) -> Agreement:
    """Return Cohen's and Fleiss' kappa and Krippendorff's alpha of the repeated units.

    Cohen's kappa needs a ``rater`` column and exactly two raters on the repeated units.
    """
    unit, cat, n_units = _units(judgments)
    counts = np.zeros((n_units, 3))
    np.add.at(counts, (unit, cat), 1.0)
    m = counts.sum(axis=1)
    repeated = m >= 2
    rep = counts[repeated]
    pairs = (rep * (rep - 1.0)).sum()
    total_pairs = (m[repeated] * (m[repeated] - 1.0)).sum()
    observed = float(pairs / total_pairs) if total_pairs > 0 else math.nan
    in_rep = repeated[unit]
    n_raters = 0
    cohen = math.nan
    if judgments.rater is not None:
        raters = np.unique(judgments.rater[in_rep])
        n_raters = int(raters.size)
        if n_raters == 2:
            cohen = _cohen_from_judgments(unit[in_rep], cat[in_rep], judgments.rater[in_rep])
    return Agreement(
        units=int(repeated.sum()),
        ratings=int(in_rep.sum()),
        raters=n_raters,
        observed_agreement=observed,
        cohen_kappa=cohen,
        fleiss_kappa=fleiss_kappa(rep),
        krippendorff_alpha=krippendorff_alpha(rep),
    )


def _cohen_from_judgments(unit: IntArray, cat: IntArray, rater: IntArray) -> float:
    first_rater = rater.min()
    a = rater == first_rater
    # the first vote of each rater on each unit
    ua, ia = np.unique(unit[a], return_index=True)
    ub, ib = np.unique(unit[~a], return_index=True)
    both, xa, xb = np.intersect1d(ua, ub, return_indices=True)
    if both.size == 0:
        return math.nan
    return cohen_kappa(cat[a][ia][xa], cat[~a][ib][xb], 3)


def position_bias(judgments: Judgments, *, confidence_level: float = 0.95) -> PositionBias | None:
    """Return the position-bias check, or None when the ``position`` column is absent."""
    check_number("confidence_level", confidence_level, low=0, high=1)
    if judgments.shown_first is None:
        return None
    known = (judgments.shown_first >= 0) & (judgments.outcome != 0.5)
    first_is_a = judgments.shown_first[known] == 1
    a_won = judgments.outcome[known] == 1.0
    n = int(known.sum())
    k = int((first_is_a == a_won).sum())
    lo, hi = wilson_interval(k, n, confidence_level)
    return PositionBias(
        judgments=n,
        first_wins=k,
        share_first_wins=k / n if n else math.nan,
        share_first_wins_ci_lower=lo,
        share_first_wins_ci_upper=hi,
        pvalue=sign_test(k, n),
    )


def rater_checks(judgments: Judgments, *, alpha: float = 0.05) -> tuple[RaterCheck, ...]:
    """Return one check per rater against the other raters of the same units.

    Each vote on a unit judged by ``m >= 2`` raters scores its agreement with the others: the
    share of the other ``m - 1`` votes in the same category. Under the null hypothesis that
    raters are exchangeable (a permutation of rater labels within each unit changes nothing),
    a rater's vote on unit ``u`` is a random draw from the unit's votes, so its score has mean
    ``a_u`` (the unit's mean score) and variance ``v_u`` (their variance) exactly; summed over
    the rater's units the score is compared with ``sum a_u`` by a one-sided normal test,
    ``z = (sum d - sum a_u) / sqrt(sum v_u)``. Units judged by two raters carry no information
    (both votes score the same). Raters are flagged when the Holm-adjusted p-value is below
    ``alpha``. This is the conditional (permutation) test of Fisher (1935) with a normal
    approximation of its null distribution.
    """
    check_number("alpha", alpha, low=0, high=1)
    if judgments.rater is None:
        return ()
    unit, cat, n_units = _units(judgments)
    counts = np.zeros((n_units, 3))
    np.add.at(counts, (unit, cat), 1.0)
    m = counts.sum(axis=1)
    repeated = m[unit] >= 2
    # each vote's agreement with the other votes of its unit
    score = np.where(repeated, (counts[unit, cat] - 1.0) / np.maximum(m[unit] - 1.0, 1.0), np.nan)
    # per unit: mean and variance of the vote scores (one draw under the permutation null)
    unit_mean = np.bincount(unit[repeated], weights=score[repeated], minlength=n_units)
    unit_mean = unit_mean / np.maximum(m, 1.0)
    unit_sq = np.bincount(unit[repeated], weights=score[repeated] ** 2, minlength=n_units)
    unit_var = np.maximum(unit_sq / np.maximum(m, 1.0) - unit_mean**2, 0.0)
    n_r = len(judgments.raters)
    rater = judgments.rater[repeated]
    u = unit[repeated]
    n = np.bincount(rater, minlength=n_r).astype(np.float64)
    observed = np.bincount(rater, weights=score[repeated], minlength=n_r)
    expected = np.bincount(rater, weights=unit_mean[u], minlength=n_r)
    variance = np.bincount(rater, weights=unit_var[u], minlength=n_r)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (observed - expected) / np.sqrt(variance)
    pvalues = np.where(variance > 0, ndtr(z), np.nan)
    finite = np.isfinite(pvalues)
    adjusted = np.full(n_r, math.nan)
    adjusted[finite] = holm(pvalues[finite])
    return tuple(
        RaterCheck(
            rater=judgments.raters[r],
            judgments=int(n[r]),
            agreement=float(observed[r] / n[r]) if n[r] > 0 else math.nan,
            expected=float(expected[r] / n[r]) if n[r] > 0 else math.nan,
            pvalue=float(pvalues[r]),
            pvalue_adjusted=float(adjusted[r]),
            flagged=bool(adjusted[r] < alpha),
        )
        for r in range(n_r)
    )

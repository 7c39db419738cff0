"""Exact metrics of one model's scores: one sort, then cumulative sums over distinct scores.

Every function takes weights (all 1 for an unweighted sample). A prediction is positive when
``score >= threshold``, as in scikit-learn's ``precision_recall_curve``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

__all__ = [
    "Curve",
    "average_precision",
    "brier",
    "calibration",
    "curve",
    "delong",
    "descending",
    "log_loss",
    "placements",
    "roc_auc",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclasses.dataclass(frozen=True)
class Curve:
    """Cumulative weights at each distinct score, highest score first.

    ``thresholds[k]`` is the k-th highest distinct score; ``tps[k]``/``fps[k]`` are the weights
    of positives/negatives scoring at least ``thresholds[k]``.
    """

    thresholds: FloatArray
    tps: FloatArray
    fps: FloatArray

    @property
    def positives(self) -> float:
        return float(self.tps[-1])

    @property
    def negatives(self) -> float:
        return float(self.fps[-1])


def descending(scores: FloatArray) -> npt.NDArray[np.intp]:
    """Return the order of ``scores`` from the highest (ties in any order)."""
    order: npt.NDArray[np.intp] = np.argsort(-scores)
    return order


def curve(
    scores: FloatArray,
    labels: BoolArray,
    weights: FloatArray,
    order: npt.NDArray[np.intp] | None = None,
) -> Curve:
    """Return the :class:`Curve` of ``scores`` (one sort, or ``order`` from
    :func:`descending`, then cumulative sums)."""
    if order is None:
        order = descending(scores)
    s = scores[order]
    w = weights[order]
    y = labels[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), s.size - 1]  # last index of each tied run
    tps = np.cumsum(np.where(y, w, 0.0))[last]
    fps = np.cumsum(np.where(y, 0.0, w))[last]
    return Curve(thresholds=s[last], tps=tps, fps=fps)


def roc_auc(c: Curve) -> float:
    """Return the area under the ROC curve (trapezoids: a tie counts one half)."""
    tpr = np.r_[0.0, c.tps] / c.positives
    fpr = np.r_[0.0, c.fps] / c.negatives
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1])) / 2.0)


def average_precision(c: Curve) -> float:
    """Return the average precision: the sum over thresholds of recall gained x precision."""
    precision = c.tps / (c.tps + c.fps)
    recall = np.r_[0.0, c.tps] / c.positives
    return float(np.sum(np.diff(recall) * precision))


def brier(scores: FloatArray, labels: BoolArray, weights: FloatArray) -> float:
    """Return the weighted mean squared difference between score and label."""
    return float(np.sum(weights * (labels - scores) ** 2) / np.sum(weights))


_EPS = float(np.finfo(np.float64).eps)


def log_loss(scores: FloatArray, labels: BoolArray, weights: FloatArray) -> float:
    """Return the weighted mean negative log-likelihood (scores clipped to [eps, 1 - eps])."""
    p = np.clip(scores, _EPS, 1.0 - _EPS)
    loss = -np.where(labels, np.log(p), np.log1p(-p))
    return float(np.sum(weights * loss) / np.sum(weights))


def calibration(
    scores: FloatArray, labels: BoolArray, weights: FloatArray, bins: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Return per uniform bin of [0, 1]: the weight, the mean score, the positive share and
    the effective number of examples (Kish); a score on an inner edge falls in the lower bin."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.searchsorted(edges[1:-1], scores)
    total = np.bincount(ids, weights=weights, minlength=bins).astype(np.float64)
    score_sum = np.bincount(ids, weights=weights * scores, minlength=bins)
    pos_sum = np.bincount(ids, weights=weights * labels, minlength=bins)
    square = np.bincount(ids, weights=weights**2, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total, score_sum / total, pos_sum / total, total**2 / square


def placements(
    scores: FloatArray,
    labels: BoolArray,
    weights: FloatArray,
    order: npt.NDArray[np.intp] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Return DeLong's placement values: for each positive the weighted share of negatives it
    outscores, for each negative the share of positives that outscore it (ties count half).
    ``order`` is the descending order of :func:`descending` (computed when not given)."""
    order = (descending(scores) if order is None else order)[::-1]
    s = scores[order]
    w = weights[order]
    y = labels[order]
    first = np.r_[0, np.flatnonzero(np.diff(s) != 0) + 1]
    group = np.cumsum(np.r_[False, np.diff(s) != 0])  # tied-run index of each sorted example
    neg = np.where(y, 0.0, w)
    pos = np.where(y, w, 0.0)
    neg_run = np.add.reduceat(neg, first)
    pos_run = np.add.reduceat(pos, first)
    neg_below = np.cumsum(neg_run) - neg_run  # negatives strictly below each run
    pos_below = np.cumsum(pos_run) - pos_run
    n_neg, n_pos = neg_run.sum(), pos_run.sum()
    v10 = (neg_below + 0.5 * neg_run)[group] / n_neg
    v01 = 1.0 - (pos_below + 0.5 * pos_run)[group] / n_pos
    out10 = np.empty(s.size)
    out01 = np.empty(s.size)
    out10[order] = v10
    out01[order] = v01
    return out10[labels], out01[~labels]


def delong(
    scores: FloatArray,
    labels: BoolArray,
    weights: FloatArray,
    orders: list[npt.NDArray[np.intp]] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Return the AUCs of the models in the rows of ``scores`` and their covariance matrix.

    DeLong, DeLong & Clarke-Pearson (Biometrics 1988), computed from placement values as in
    Sun & Xu (IEEE Signal Processing Letters 2014). With weights the covariance is the
    weighted (sandwich) form of the same components; with unit weights it is DeLong's.
    """
    wp, wn = weights[labels], weights[~labels]
    v10 = []
    v01 = []
    for i, row in enumerate(scores):
        a, b = placements(row, labels, weights, None if orders is None else orders[i])
        v10.append(a)
        v01.append(b)
    p10, p01 = np.array(v10), np.array(v01)
    aucs = p10 @ wp / wp.sum()
    m, n = wp.size, wn.size

    def component(v: FloatArray, w: FloatArray, count: int) -> FloatArray:
        d = (v - (v @ w / w.sum())[:, None]) * w
        cov: FloatArray = d @ d.T / w.sum() ** 2 * count / max(count - 1, 1)
        return cov

    return aucs, component(p10, wp, m) + component(p01, wn, n)

"""A paired Poisson bootstrap over cells of score ranks (Hanley & MacGibbon 2006).

The examples are grouped once into cells: (label, stratum, and for each model the bin of its
score). A model's bins are cut at its distinct scores when it has at most ``bins`` of them
(then the bootstrap is exact), else at quantiles of all scores and of the positives' scores,
and always at the operating thresholds and the calibration bin edges, so every decision and
calibration bin is a function of the cell. Each round draws a Poisson count for each cell, so
the models are resampled together (paired) and each round costs the number of cells, not the
number of examples. Within a cell an example is represented by the cell's mean score and
losses; the intervals are shifted by the difference between the exact estimate and the binned
one, so binning moves only the spread, not the centre.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from proxymetric.classifier._data import ScoredExamples

__all__ = ["Replicates", "replicate"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_EPS = float(np.finfo(np.float64).eps)
_CHUNK = 64  # rounds drawn at once


@dataclasses.dataclass(frozen=True)
class Replicates:
    """Bootstrap replicates: ``values[model][stat]`` has one value per round and
    ``centre[model][stat]`` is the same statistic on the binned full sample."""

    values: dict[str, dict[str, FloatArray]]
    centre: dict[str, dict[str, float]]
    cells: int


def _edges(
    scores: FloatArray, labels: npt.NDArray[np.bool_], extra: FloatArray, bins: int
) -> FloatArray:
    distinct = np.unique(scores)
    if distinct.size <= bins:
        cuts = distinct
    else:
        q = np.linspace(0.0, 1.0, bins // 2 + 1)[1:-1]
        positives = scores[labels]
        cuts = np.quantile(scores, q)
        if positives.size:
            cuts = np.r_[cuts, np.quantile(positives, q)]
    return np.unique(np.r_[cuts, extra])


def _compress(values: IntArray, size: int) -> tuple[IntArray, IntArray]:
    """Return the sorted distinct ``values`` (all in ``[0, size)``) and each value's index."""
    if size > max(4 * values.size, 1 << 16):  # a sparse range: sort instead of a table
        uniq, inverse = np.unique(values, return_inverse=True)
        return uniq.astype(np.int64), inverse.astype(np.int64)
    present = np.bincount(values, minlength=size) > 0
    uniq = np.flatnonzero(present).astype(np.int64)
    table = np.cumsum(present) - 1
    return uniq, table[values].astype(np.int64)


@dataclasses.dataclass(frozen=True)
class _Model:
    name: str
    columns: int  # model bins
    cal: IntArray  # calibration bin of each model bin
    thresholds: tuple[tuple[str, int], ...]  # (key, first model bin at or above the threshold)
    matrix: object  # sparse (cells x 2 * columns): cell -> (label, bin)
    mean_score: FloatArray  # per cell
    mean_brier: FloatArray
    mean_log: FloatArray


def replicate(
    ex: ScoredExamples,
    *,
    thresholds: dict[str, Sequence[tuple[str, float]]],
    calibration_bins: int,
    prevalence: float | None,
    rounds: int,
    seed: int,
    bins: int = 128,
) -> Replicates:
    """Return the bootstrap replicates of every model's statistics.

    ``thresholds[model]`` lists (key, threshold) pairs of operating points; their statistics
    are ``precision@key``, ``recall@key``, ``false_positive_rate@key``, ``f1@key`` (and
    ``production_precision@key``, ``production_f1@key`` with a ``prevalence``). The others are
    ``average_precision``, ``brier``, ``log_loss``, ``ece`` and, with a
    prevalence, ``production_average_precision``, ``production_brier``, ``production_log_loss``,
    ``production_ece``.
    """
    from scipy import sparse  # heavy: only the bootstrap needs it

    labels = ex.labels
    cal_edges = np.linspace(0.0, 1.0, calibration_bins + 1)[1:-1]
    per_model_bins: list[IntArray] = []
    infos: list[tuple[int, IntArray, tuple[tuple[str, int], ...]]] = []
    for name, scores in zip(ex.models, ex.scores, strict=True):
        ops = thresholds.get(name, ())
        cut = _edges(scores, labels, np.r_[[t for _, t in ops], cal_edges], bins)
        rank = np.searchsorted(cut, scores, side="right")
        cal = np.searchsorted(cal_edges, scores)  # scikit-learn's calibration bins
        pair = rank.astype(np.int64) * calibration_bins + cal
        uniq, local = _compress(pair, int(cut.size + 1) * calibration_bins)
        uniq_rank = uniq // calibration_bins
        op_cols = tuple(
            (key, int(np.searchsorted(uniq_rank, np.searchsorted(cut, t, side="right"))))
            for key, t in ops
        )
        per_model_bins.append(local.astype(np.int64))
        infos.append((int(uniq.size), (uniq % calibration_bins).astype(np.int64), op_cols))

    key = labels.astype(np.int64)
    radix = 2
    if ex.strata is not None:
        _, s_codes = np.unique(ex.strata, return_inverse=True)
        key = key + radix * s_codes.astype(np.int64)
        radix *= int(s_codes.max()) + 1
    for local, (columns, _, _) in zip(per_model_bins, infos, strict=True):
        key = key + radix * local
        radix *= columns
    _, cell = _compress(key, radix)
    counts = np.bincount(cell)
    k = counts.size
    w = ex.weights
    cell_weight = np.bincount(cell, weights=w, minlength=k)
    cell_label = np.zeros(k, dtype=bool)
    cell_label[cell] = labels

    models: list[_Model] = []
    for name, scores, local, (columns, cal, op_cols) in zip(
        ex.models, ex.scores, per_model_bins, infos, strict=True
    ):
        cell_bin = np.zeros(k, dtype=np.int64)
        cell_bin[cell] = local
        col = cell_label.astype(np.int64) * columns + cell_bin
        matrix = sparse.csr_matrix((np.ones(k), (np.arange(k), col)), shape=(k, 2 * columns))
        p = np.clip(scores, _EPS, 1.0 - _EPS)
        logl = -np.where(labels, np.log(p), np.log1p(-p))
        models.append(
            _Model(
                name=name,
                columns=columns,
                cal=cal,
                thresholds=op_cols,
                matrix=matrix,
                mean_score=np.bincount(cell, weights=w * scores, minlength=k) / cell_weight,
                mean_brier=np.bincount(cell, weights=w * (labels - scores) ** 2, minlength=k)
                / cell_weight,
                mean_log=np.bincount(cell, weights=w * logl, minlength=k) / cell_weight,
            )
        )

    rng = np.random.default_rng(seed)
    mean_weight = cell_weight / counts
    full = (counts * mean_weight)[None, :]
    centre = {
        m.name: {s: float(v[0]) for s, v in _stats(m, full, prevalence).items()} for m in models
    }
    chunks: dict[str, dict[str, list[FloatArray]]] = {m.name: {} for m in models}
    done = 0
    while done < rounds:
        size = min(_CHUNK, rounds - done)
        weights = rng.poisson(counts.astype(np.float64), size=(size, k)) * mean_weight
        for m in models:
            for s, v in _stats(m, weights, prevalence).items():
                chunks[m.name].setdefault(s, []).append(v)
        done += size
    values = {n: {s: np.concatenate(v) for s, v in d.items()} for n, d in chunks.items()}
    return Replicates(values=values, centre=centre, cells=k)


def _stats(m: _Model, weights: FloatArray, prevalence: float | None) -> dict[str, FloatArray]:
    mat = m.matrix
    g = m.columns

    def agg(x: FloatArray) -> tuple[FloatArray, FloatArray]:
        a = np.asarray((mat.T @ x.T).T)  # type: ignore[attr-defined]
        return a[:, g:], a[:, :g]  # positives, negatives per model bin (ascending score)

    wp, wn = agg(weights)
    sp, sn = agg(weights * m.mean_score)
    bp, bn = agg(weights * m.mean_brier)
    lp, ln = agg(weights * m.mean_log)
    pos = wp.sum(axis=1)
    neg = wn.sum(axis=1)
    out: dict[str, FloatArray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        tps = np.cumsum(wp[:, ::-1], axis=1)  # at or above each bin, highest first
        fps = np.cumsum(wn[:, ::-1], axis=1)
        factors = [("", np.ones_like(pos), np.ones_like(neg))]
        if prevalence is not None:
            factors.append(("production_", prevalence / pos, (1.0 - prevalence) / neg))
        for prefix, fp, fn in factors:
            tp_w, fp_w = tps * fp[:, None], fps * fn[:, None]
            precision = np.where(tp_w + fp_w > 0, tp_w / (tp_w + fp_w), 0.0)
            gain = wp[:, ::-1] * fp[:, None]
            total = pos * fp + neg * fn
            out[prefix + "average_precision"] = np.sum(gain * precision, axis=1) / (pos * fp)
            out[prefix + "brier"] = (bp.sum(1) * fp + bn.sum(1) * fn) / total
            out[prefix + "log_loss"] = (lp.sum(1) * fp + ln.sum(1) * fn) / total
            onehot = np.eye(int(m.cal.max()) + 1)[m.cal]  # model bin -> calibration bin
            gap = ((wp - sp) * fp[:, None] - sn * fn[:, None]) @ onehot
            out[prefix + "ece"] = np.abs(gap).sum(axis=1) / total
            for key, col in m.thresholds:
                tp = wp[:, col:].sum(1) * fp
                fa = wn[:, col:].sum(1) * fn
                prec = tp / (tp + fa)
                rec = tp / (pos * fp)
                f1 = 2 * tp / (2 * tp + fa + (pos * fp - tp))
                if prefix:
                    out[f"production_precision@{key}"] = prec
                    out[f"production_f1@{key}"] = f1
                else:
                    out[f"precision@{key}"] = prec
                    out[f"recall@{key}"] = rec
                    out[f"false_positive_rate@{key}"] = fa / neg
                    out[f"f1@{key}"] = f1
    return out

"""Baselines a model should beat first, and a leak-free temporal train/test split.

All models take a training table with columns ``unit``, ``item`` and ``rating`` (a mapping of
columns, a data frame or a path), learn with vectorised numpy, and offer
``predict(unit, item)`` (predicted ratings) and ``recommend(units, k)`` (top-k lists of items
the unit has not rated in training). :func:`predictions_table` turns fitted models into the
prediction table :func:`proxymetric.offline.evaluate` reads.
"""

from __future__ import annotations

import math
from typing import Any, Self

import numpy as np

from proxymetric._validation import check_number
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.offline._io import Columns, as_columns

__all__ = [
    "BiasModel",
    "ItemMean",
    "MatrixFactorization",
    "MostPopular",
    "Recommender",
    "predictions_table",
    "temporal_split",
]

_UNITS_PER_CHUNK = 2048


def _columns(table: Any, param: str, names: tuple[str, ...]) -> Columns:
    cols = as_columns(table, param=param)
    for name in names:
        if name not in cols:
            existing = ", ".join(sorted(cols)) or "(none)"
            raise DataError(f"`{param}` has no column '{name}'; columns: {existing}")
    return cols


def _positive_int(param: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ProxymetricError(f"`{param}` must be an integer >= 1; got {value!r}")
    return value


def _codes(labels: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return the position of each value in the sorted ``labels``, -1 where absent."""
    if labels.size == 0:
        return np.full(len(values), -1, dtype=np.int64)
    pos = np.minimum(np.searchsorted(labels, values), labels.size - 1)
    return np.where(labels[pos] == values, pos, -1)


def temporal_split(
    ratings: Any, *, test_fraction: float = 0.2, per_unit: bool = False
) -> tuple[Columns, Columns]:
    """Return ``(train, test)`` split by the ``timestamp`` column.

    By default the split is global: every row at or before the ``1 - test_fraction`` quantile
    of time is training data, every later row is test data, so no model sees the future (test
    units may have no training history). With ``per_unit=True`` each unit's latest
    ``ceil(test_fraction * n)`` rows (at least one is kept for training) are test rows, which
    keeps every unit warm but lets the training data of one unit postdate the test data of
    another.

    >>> data = {"unit": [1, 1, 1, 2, 2], "item": [1, 2, 3, 1, 2], "rating": [4.0] * 5,
    ...         "timestamp": [1, 2, 3, 4, 5]}
    >>> train, test = temporal_split(data, test_fraction=0.3)
    >>> test["timestamp"].tolist()
    [4, 5]
    >>> train, test = temporal_split(data, test_fraction=0.3, per_unit=True)
    >>> test["timestamp"].tolist()
    [3, 5]
    """
    check_number("test_fraction", test_fraction, low=0, high=1)
    cols = _columns(ratings, "ratings", ("unit", "timestamp"))
    time = cols["timestamp"]
    if time.size == 0:
        raise DataError("`ratings` has no rows; there is nothing to split")
    if not per_unit:
        cutoff = np.quantile(time.astype(np.float64), 1.0 - test_fraction, method="lower")
        test = time > cutoff
    else:
        order = np.lexsort((time, cols["unit"]))
        units = cols["unit"][order]
        starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
        sizes = np.diff(np.r_[starts, units.size])
        rank = np.arange(units.size) - np.repeat(starts, sizes)
        n_test = np.minimum(np.ceil(test_fraction * sizes), sizes - 1).astype(np.int64)
        is_test_sorted = rank >= np.repeat(sizes - n_test, sizes)
        test = np.zeros(units.size, dtype=bool)
        test[order] = is_test_sorted
    return {c: v[~test] for c, v in cols.items()}, {c: v[test] for c, v in cols.items()}


class Recommender:
    """Base class: encodes units and items of the training data; subclasses learn scores."""

    name = "recommender"

    def __init__(self) -> None:
        self.units_ = np.zeros(0)
        self.items_ = np.zeros(0)
        self.global_mean_ = math.nan
        self._train_unit = np.zeros(0, dtype=np.int64)
        self._train_item = np.zeros(0, dtype=np.int64)

    def fit(self, train: Any) -> Self:
        """Learn from ``train`` (``unit``, ``item``, ``rating``); return the fitted model."""
        cols = _columns(train, "train", ("unit", "item", "rating"))
        if cols["unit"].size == 0:
            raise DataError("`train` has no rows")
        self.units_, u = np.unique(cols["unit"], return_inverse=True)
        self.items_, i = np.unique(cols["item"], return_inverse=True)
        r = cols["rating"].astype(np.float64)
        order = np.lexsort((i, u))
        self._train_unit, self._train_item = u[order].ravel(), i[order].ravel()
        self.global_mean_ = float(r.mean())
        self._fit(u.ravel(), i.ravel(), r)
        return self

    def _fit(self, u: np.ndarray, i: np.ndarray, r: np.ndarray) -> None:
        raise NotImplementedError

    def _scores(self, u: np.ndarray) -> np.ndarray:
        """Return the ``(len(u), n_items)`` ranking scores; ``u`` is -1 for unknown units."""
        raise NotImplementedError

    def _ratings(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:  # noqa: ARG002
        """Return predicted ratings of code pairs (-1 = unknown), NaN if the model has none."""
        return np.full(u.size, np.nan)

    def _check_fitted(self) -> None:
        if self.items_.size == 0:
            raise ProxymetricError(f"{type(self).__name__} is not fitted; call fit(train) first")

    def predict(self, unit: Any, item: Any) -> np.ndarray:
        """Return the predicted rating of each (unit, item) pair (NaN if the model has none)."""
        self._check_fitted()
        u = _codes(self.units_, np.asarray(unit))
        i = _codes(self.items_, np.asarray(item))
        return self._ratings(u, i)

    def recommend(self, units: Any, k: int) -> Columns:
        """Return the top-``k`` items of each unit (columns ``unit``, ``item``, ``score``).

        Items the unit rated in training are excluded; units unknown in training get the
        model's scores for an average unit. Lists are sorted by score, ties by item.
        """
        self._check_fitted()
        _positive_int("k", k)
        labels = np.unique(np.asarray(units))
        codes = _codes(self.units_, labels)
        n_items = self.items_.size
        kk = min(k, n_items)
        out_u, out_i, out_s = [], [], []
        for start in range(0, labels.size, _UNITS_PER_CHUNK):  # chunks of units, not units
            c = codes[start : start + _UNITS_PER_CHUNK]
            s = self._scores(c).astype(np.float64, copy=True)
            # mask the training items of the known units of this chunk
            rows = np.flatnonzero(c >= 0)
            lo = np.searchsorted(self._train_unit, c[rows], side="left")
            hi = np.searchsorted(self._train_unit, c[rows], side="right")
            lengths = hi - lo
            offsets = np.repeat(lo - (np.cumsum(lengths) - lengths), lengths)
            idx = np.arange(int(lengths.sum())) + offsets
            s[np.repeat(rows, lengths), self._train_item[idx]] = -np.inf
            # a stable sort keeps equal scores in item order: ties go to the smaller item
            top = np.argsort(-s, axis=1, kind="stable")[:, :kk]
            top_s = np.take_along_axis(s, top, axis=1)
            ok = np.isfinite(top_s)
            out_u.append(np.repeat(labels[start : start + _UNITS_PER_CHUNK], ok.sum(axis=1)))
            out_i.append(self.items_[top[ok]])
            out_s.append(top_s[ok])
        return {
            "unit": np.concatenate(out_u),
            "item": np.concatenate(out_i),
            "score": np.concatenate(out_s),
        }


class MostPopular(Recommender):
    """Rank items by the number of training ratings; predicts no rating."""

    name = "most_popular"

    def _fit(self, u: np.ndarray, i: np.ndarray, r: np.ndarray) -> None:  # noqa: ARG002
        self.counts_ = np.bincount(i, minlength=self.items_.size).astype(np.float64)

    def _scores(self, u: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.counts_, (u.size, self.items_.size))


class ItemMean(Recommender):
    """Predict and rank by each item's mean rating, shrunk to the global mean.

    The shrunk mean is ``(sum of ratings + damping * global mean) / (count + damping)``;
    ``damping=0`` is the raw item mean. Unknown items get the global mean.
    """

    name = "item_mean"

    def __init__(self, damping: float = 0.0) -> None:
        super().__init__()
        self.damping = check_number("damping", damping, low=0, low_inclusive=True)

    def _fit(self, u: np.ndarray, i: np.ndarray, r: np.ndarray) -> None:  # noqa: ARG002
        n = np.bincount(i, minlength=self.items_.size)
        total = np.bincount(i, weights=r, minlength=self.items_.size)
        self.item_means_ = (total + self.damping * self.global_mean_) / (n + self.damping)

    def _scores(self, u: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.item_means_, (u.size, self.items_.size))

    def _ratings(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:  # noqa: ARG002
        return np.where(i >= 0, self.item_means_[i], self.global_mean_)


class BiasModel(Recommender):
    """The user/item baseline predictor ``mu + b_u + b_i`` with ridge penalties.

    Fitted by alternating the closed-form updates ``b_i = sum(r - mu - b_u) / (reg_item + n_i)``
    and ``b_u = sum(r - mu - b_i) / (reg_unit + n_u)`` (Koren, "Factor in the neighbors:
    scalable and accurate collaborative filtering", TKDD 2010, sec. 2.1). Unknown units or items
    contribute a zero bias.
    """

    name = "bias"

    def __init__(self, reg_item: float = 10.0, reg_unit: float = 10.0, n_iter: int = 10) -> None:
        super().__init__()
        self.reg_item = check_number("reg_item", reg_item, low=0, low_inclusive=True)
        self.reg_unit = check_number("reg_unit", reg_unit, low=0, low_inclusive=True)
        self.n_iter = _positive_int("n_iter", n_iter)

    def _fit(self, u: np.ndarray, i: np.ndarray, r: np.ndarray) -> None:
        n_u, n_i = self.units_.size, self.items_.size
        cu, ci = np.bincount(u, minlength=n_u), np.bincount(i, minlength=n_i)
        bu, bi = np.zeros(n_u), np.zeros(n_i)
        resid = r - self.global_mean_
        for _ in range(self.n_iter):
            bi = np.bincount(i, weights=resid - bu[u], minlength=n_i) / (self.reg_item + ci)
            bu = np.bincount(u, weights=resid - bi[i], minlength=n_u) / (self.reg_unit + cu)
        self.unit_bias_, self.item_bias_ = bu, bi

    def _biases(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        bu = np.where(u >= 0, self.unit_bias_[u], 0.0)
        bi = np.where(i >= 0, self.item_bias_[i], 0.0)
        return self.global_mean_ + bu + bi

    def _scores(self, u: np.ndarray) -> np.ndarray:
        bu = np.where(u >= 0, self.unit_bias_[u], 0.0)
        return self.global_mean_ + bu[:, None] + self.item_bias_[None, :]

    def _ratings(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        return self._biases(u, i)


class MatrixFactorization(BiasModel):
    """Biased matrix factorisation ``mu + b_u + b_i + p_u . q_i``, by alternating least squares.

    Each half-step solves, for every unit at once (a batched linear solve), the ridge regression
    of ``r - mu - b_i`` on ``[q_i, 1]`` with penalty ``reg * n_u`` (weighted-lambda ALS, Zhou et
    al., "Large-scale parallel collaborative filtering for the Netflix prize", AAIM 2008), then
    the same for items. The model is that of Koren, Bell and Volinsky, "Matrix factorization
    techniques for recommender systems", IEEE Computer 2009. Factors start from
    ``N(0, 0.1^2)`` drawn with ``seed``; unknown units or items get zero factors and biases.
    """

    name = "matrix_factorization"

    def __init__(
        self, n_factors: int = 16, reg: float = 0.1, n_iter: int = 10, seed: int = 0
    ) -> None:
        super().__init__(n_iter=n_iter)
        self.n_factors = _positive_int("n_factors", n_factors)
        self.reg = check_number("reg", reg, low=0)
        self.seed = seed

    @staticmethod
    def _solve(
        rows: np.ndarray, design: np.ndarray, target: np.ndarray, n_rows: int, reg: float
    ) -> np.ndarray:
        """Return per-row ridge solutions of ``target ~ design`` (penalty ``reg * count``)."""
        d = design.shape[1]
        gram = np.empty((n_rows, d, d))
        for a in range(d):  # loops over factor pairs, not over rows
            for b in range(a, d):
                gram[:, a, b] = np.bincount(
                    rows, weights=design[:, a] * design[:, b], minlength=n_rows
                )
                gram[:, b, a] = gram[:, a, b]
        rhs = np.stack(
            [np.bincount(rows, weights=design[:, a] * target, minlength=n_rows) for a in range(d)],
            axis=1,
        )
        counts = np.bincount(rows, minlength=n_rows)
        gram += (reg * np.maximum(counts, 1))[:, None, None] * np.eye(d)
        solution: np.ndarray = np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]
        return solution

    def _fit(self, u: np.ndarray, i: np.ndarray, r: np.ndarray) -> None:
        n_u, n_i, f = self.units_.size, self.items_.size, self.n_factors
        rng = np.random.default_rng(self.seed)
        p = rng.normal(0.0, 0.1, (n_u, f))
        q = rng.normal(0.0, 0.1, (n_i, f))
        bu, bi = np.zeros(n_u), np.zeros(n_i)
        resid = r - self.global_mean_
        ones = np.ones((r.size, 1))
        for _ in range(self.n_iter):
            x = self._solve(u, np.hstack([q[i], ones]), resid - bi[i], n_u, self.reg)
            p, bu = x[:, :f], x[:, f]
            x = self._solve(i, np.hstack([p[u], ones]), resid - bu[u], n_i, self.reg)
            q, bi = x[:, :f], x[:, f]
        self.unit_factors_, self.item_factors_ = p, q
        self.unit_bias_, self.item_bias_ = bu, bi

    def _scores(self, u: np.ndarray) -> np.ndarray:
        pu = np.where((u >= 0)[:, None], self.unit_factors_[u], 0.0)
        return super()._scores(u) + pu @ self.item_factors_.T

    def _ratings(self, u: np.ndarray, i: np.ndarray) -> np.ndarray:
        pu = np.where((u >= 0)[:, None], self.unit_factors_[u], 0.0)
        qi = np.where((i >= 0)[:, None], self.item_factors_[i], 0.0)
        ratings: np.ndarray = self._biases(u, i) + np.einsum("nf,nf->n", pu, qi)
        return ratings


def predictions_table(models: dict[str, Recommender], test: Any, *, k: int = 10) -> Columns:
    """Return the prediction table of fitted ``models`` for the units and pairs of ``test``.

    For each model: its top-``k`` list for every test unit (``score``), and its predicted
    rating of every test pair and listed item (``predicted_rating``, NaN when the model predicts
    no rating). Columns: ``model``, ``unit``, ``item``, ``score`` (NaN for pairs that are not in
    the list), ``predicted_rating``; one row per model and pair.
    """
    cols = _columns(test, "test", ("unit", "item"))
    if not models:
        raise ProxymetricError("`models` is empty; give at least one fitted model")
    if cols["unit"].size == 0:
        raise DataError("`test` has no rows; give the test units and pairs to predict")
    parts: list[Columns] = []
    for name, model in models.items():
        recs = model.recommend(cols["unit"], k)
        both_u = np.concatenate([recs["unit"], cols["unit"]])
        both_i = np.concatenate([recs["item"], cols["item"]])
        _, uc = np.unique(both_u, return_inverse=True)
        ilabels, ic = np.unique(both_i, return_inverse=True)
        key = uc.ravel().astype(np.int64) * ilabels.size + ic.ravel()
        n_rec = recs["unit"].size
        extra = ~np.isin(key[n_rec:], key[:n_rec])
        unit = np.concatenate([recs["unit"], cols["unit"][extra]])
        item = np.concatenate([recs["item"], cols["item"][extra]])
        score = np.concatenate([recs["score"], np.full(int(extra.sum()), np.nan)])
        parts.append(
            {
                "model": np.full(unit.size, name, dtype=object),
                "unit": unit,
                "item": item,
                "score": score,
                "predicted_rating": model.predict(unit, item),
            }
        )
    return {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}

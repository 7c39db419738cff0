"""Mergeable sufficient statistics of one variant: count, means and co-moments.

A :class:`Moments` holds, for a set of named columns, the number of units ``n``, the vector of
means and the matrix of centred cross-products ``C = sum_i (x_i - mean)(x_i - mean)^T``. This is
the same information as count, sums and sums of squares and cross-products, but it is
numerically stable (no cancellation when the mean is large relative to the spread) and merges
exactly with the pairwise update of Chan, Golub and LeVeque, "Algorithms for Computing the Sample
Variance" (1983).

Moments can be built from unit-level rows (:meth:`Moments.from_rows`), from raw sums
(:meth:`Moments.from_sums`), from what a database returns per group (count, means, sample
covariances: :meth:`Moments.from_covariance`) or from summary statistics a user has (count, mean
and variance per column: :meth:`Moments.from_summary`, with unknown covariances left as NaN).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from proxymetric.errors import ProxymetricError

__all__ = ["Moments"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Moments:
    """Count, means and centred co-moments of named columns for one group of units.

    Attributes:
        columns: the column names, in the order of ``mean`` and ``comoment``.
        count: number of units.
        mean: mean of each column, shape ``(k,)``.
        comoment: centred cross-products ``sum (x - mean)(x - mean)^T``, shape ``(k, k)``;
            an entry is NaN where it is unknown (summary statistics without covariances).
    """

    columns: tuple[str, ...]
    count: int
    mean: FloatArray
    comoment: FloatArray

    def __post_init__(self) -> None:
        k = len(self.columns)
        if len(set(self.columns)) != k:
            raise ProxymetricError(f"`columns` must be distinct; got {self.columns!r}")
        if self.mean.shape != (k,) or self.comoment.shape != (k, k):
            raise ProxymetricError(
                f"moments of {k} columns need a mean of shape ({k},) and a comoment of shape "
                f"({k}, {k}); got {self.mean.shape} and {self.comoment.shape}"
            )
        if self.count < 0:
            raise ProxymetricError(f"`count` must be >= 0; got {self.count}")

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_rows(cls, columns: Sequence[str], rows: npt.ArrayLike) -> Moments:
        """Return the moments of unit-level data ``rows`` (shape ``(n, k)``).

        >>> m = Moments.from_rows(["x"], [[1.0], [2.0], [3.0]])
        >>> m.count, float(m.mean[0]), float(m.variance("x"))
        (3, 2.0, 1.0)
        """
        data = np.asarray(rows, dtype=np.float64)
        if data.ndim == 1:
            data = data.reshape(-1, 1)
        n = data.shape[0]
        if data.shape[1] != len(columns):
            raise ProxymetricError(
                f"`rows` has {data.shape[1]} columns but {len(columns)} names were given"
            )
        if n == 0:
            return cls.empty(columns)
        mean = data.mean(axis=0)
        centred = data - mean
        return cls(tuple(columns), n, mean, centred.T @ centred)

    @classmethod
    def empty(cls, columns: Sequence[str]) -> Moments:
        """Return the moments of no units (the identity of :meth:`merge`)."""
        k = len(columns)
        return cls(tuple(columns), 0, np.zeros(k), np.zeros((k, k)))

    @classmethod
    def from_sums(
        cls,
        columns: Sequence[str],
        count: int,
        sums: npt.ArrayLike,
        sums_of_products: npt.ArrayLike,
    ) -> Moments:
        """Return moments from ``n``, ``sum x`` and ``sum x x^T`` (raw, uncentred sums).

        Raw sums lose precision when means are large relative to the spread; prefer
        :meth:`from_covariance` when the engine can compute covariances.
        """
        s = np.asarray(sums, dtype=np.float64)
        ss = np.asarray(sums_of_products, dtype=np.float64)
        if count == 0:
            return cls.empty(columns)
        mean = s / count
        return cls(tuple(columns), int(count), mean, ss - count * np.outer(mean, mean))

    @classmethod
    def from_covariance(
        cls, columns: Sequence[str], count: int, mean: npt.ArrayLike, covariance: npt.ArrayLike
    ) -> Moments:
        """Return moments from ``n``, means and the sample covariance matrix (``ddof=1``)."""
        cov = np.asarray(covariance, dtype=np.float64)
        n = int(count)
        comoment = cov * (n - 1) if n > 1 else np.zeros_like(cov)
        return cls(tuple(columns), n, np.asarray(mean, dtype=np.float64), comoment)

    @classmethod
    def from_summary(
        cls, count: int, mean: Mapping[str, float], variance: Mapping[str, float]
    ) -> Moments:
        """Return moments from pre-aggregated statistics: count, mean and variance per column.

        Variances are sample variances (``ddof=1``). Covariances between columns are unknown
        and set to NaN, so a method that needs them (CUPED, ratio metrics) says so instead of
        guessing.

        >>> m = Moments.from_summary(100, {"x": 2.0}, {"x": 4.0})
        >>> float(m.variance("x"))
        4.0
        """
        if set(mean) != set(variance):
            raise ProxymetricError(
                f"`mean` and `variance` must name the same columns; got {sorted(mean)} and "
                f"{sorted(variance)}"
            )
        columns = tuple(mean)
        k = len(columns)
        cov = np.full((k, k), np.nan)
        np.fill_diagonal(cov, [variance[c] for c in columns])
        return cls.from_covariance(columns, count, [mean[c] for c in columns], cov)

    # ----------------------------------------------------------------- algebra
    def merge(self, other: Moments) -> Moments:
        """Return the moments of the union of both groups (Chan et al. 1983 update)."""
        if other.columns != self.columns:
            other = other.select(self.columns)
        n = self.count + other.count
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.count / n)
        comoment = (
            self.comoment + other.comoment + np.outer(delta, delta) * (self.count * other.count / n)
        )
        return Moments(self.columns, n, mean, comoment)

    def __add__(self, other: Moments) -> Moments:
        return self.merge(other)

    def select(self, columns: Sequence[str]) -> Moments:
        """Return the moments of a subset (or reordering) of the columns."""
        idx = [self.index(c) for c in columns]
        return Moments(tuple(columns), self.count, self.mean[idx], self.comoment[np.ix_(idx, idx)])

    def rename(self, names: Sequence[str], columns: Sequence[str]) -> Moments:
        """Return moments whose column ``names[i]`` is this column ``columns[i]``.

        A column may appear under several names (the same data requested twice).

        >>> m = Moments.from_rows(["a"], [[1.0], [3.0]]).rename(["x", "y"], ["a", "a"])
        >>> m.columns, float(m.comoment[0, 1])
        (('x', 'y'), 2.0)
        """
        idx = [self.index(c) for c in columns]
        return Moments(tuple(names), self.count, self.mean[idx], self.comoment[np.ix_(idx, idx)])

    def index(self, column: str) -> int:
        """Return the position of ``column``; raise listing the known columns if absent."""
        try:
            return self.columns.index(column)
        except ValueError:
            raise ProxymetricError(
                f"column {column!r} is not in these moments; columns: {', '.join(self.columns)}"
            ) from None

    # ----------------------------------------------------------------- statistics
    def covariance(self, ddof: int = 1) -> FloatArray:
        """Return the covariance matrix (``ddof=1`` by default; NaN with too few units)."""
        if self.count - ddof <= 0:
            return np.full_like(self.comoment, np.nan)
        return self.comoment / (self.count - ddof)

    def mean_of(self, column: str) -> float:
        """Return the mean of ``column``."""
        return float(self.mean[self.index(column)])

    def variance(self, column: str, ddof: int = 1) -> float:
        """Return the sample variance of ``column``."""
        i = self.index(column)
        return float(self.covariance(ddof)[i, i])

    def __repr__(self) -> str:
        means = ", ".join(f"{c}={m:.6g}" for c, m in zip(self.columns, self.mean, strict=True))
        return f"Moments(n={self.count}, {means})"

"""Bradley-Terry strengths from blind pairwise judgments, with bootstrap and sandwich intervals.

The model (Bradley and Terry, Biometrika 1952) says system ``i`` is preferred to system ``j``
with probability ``1 / (1 + exp(-(s_i - s_j)))``. A tie counts as half a win for each side
(the convention of Rao and Kupper's treatment without a tie parameter, as used by LMSYS Chatbot
Arena). Strengths are fitted by maximum likelihood with Newton's method on the aggregated win
counts of each pair, never on one row per judgment.

Uncertainty comes two ways:

* a nonparametric bootstrap over items (Efron 1979): items are resampled with replacement and
  each round refits the model on the resampled counts. Items with the same judgments (the same
  pairs and outcomes) are pooled, so a round needs only how often each distinct item pattern is
  drawn, a multinomial count (with one judgment per item: over (pair, outcome) cells). It is
  drawn whichever way is cheaper: numpy's multinomial (one binomial per pattern) when patterns
  are few and items many, or the round's items drawn by index and counted per pattern when most
  items have a pattern of their own (both give exactly the multinomial distribution).
* sandwich (cluster-robust) standard errors with items as clusters (Huber 1967; White 1980):
  ``H^+ (sum_k s_k s_k^T) H^+`` where ``H`` is the Fisher information and ``s_k`` the score of
  item ``k``.

Scores are on an Elo-like scale: ``1000 + 400 / ln(10) * s`` with strengths centred on zero, so
that a 400-point gap means 10:1 odds (Elo, *The Rating of Chessplayers*, 1978).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph
from scipy.special import expit, ndtri

from proxymetric._progress import task
from proxymetric._result import Result
from proxymetric._validation import check_number
from proxymetric.errors import DataError
from proxymetric.pairwise.judgments import Judgments

__all__ = [
    "SCORE_SCALE",
    "BradleyTerryResult",
    "PairStats",
    "SystemStrength",
    "bradley_terry",
]

#: Score points per unit of Bradley-Terry strength (natural-log odds): 400 / ln 10.
SCORE_SCALE = 400.0 / math.log(10.0)
_SCORE_CENTRE = 1000.0
_BOOT_RIDGE = 1e-4
_CHUNK_CELLS = 4_000_000
_CACHE_ENTRIES = 1_000_000  # resampling counts per sparse product (4 MB in float32)
_DRAWS_PER_CALL = 1 << 20  # item indices drawn per call of the index draw (8 MB)
# items per pattern up to which drawing items by index is cheaper than numpy's multinomial
# (measured: at 8 the index draw costs about 0.7x the multinomial, at 16 about 1.1x)
_INDEX_DRAW_ITEMS_PER_PATTERN = 8

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclasses.dataclass(frozen=True)
class SystemStrength(Result):
    """One system's Bradley-Terry strength, score, intervals and rank.

    ``strength`` is the centred log-odds strength; ``score`` is ``1000 + 400/ln 10 * strength``;
    ``score_ci_lower``/``score_ci_upper`` bound ``score`` (bootstrap percentile over items);
    ``score_se`` is the sandwich standard error of ``score`` and ``score_sandwich_ci_lower``/
    ``score_sandwich_ci_upper`` the normal interval from it. ``rank`` is 1 for the strongest system;
    ``rank_ci_lower``/``rank_ci_upper`` are the best and worst ranks it holds in the bootstrap
    (percentile interval). ``win_rate`` counts ties as half wins.
    """

    system: str
    strength: float
    score: float
    score_ci_lower: float
    score_ci_upper: float
    score_se: float
    score_sandwich_ci_lower: float
    score_sandwich_ci_upper: float
    rank: int
    rank_ci_lower: int
    rank_ci_upper: int
    win_rate: float
    wins: int
    losses: int
    ties: int
    judgments: int


@dataclasses.dataclass(frozen=True)
class PairStats(Result):
    """Counts of one compared pair; ``win_rate_a`` counts ties as half wins.

    ``expected_win_rate_a`` is the Bradley-Terry probability that ``system_a`` wins.
    """

    system_a: str
    system_b: str
    judgments: int
    wins_a: int
    wins_b: int
    ties: int
    win_rate_a: float
    expected_win_rate_a: float


@dataclasses.dataclass(frozen=True)
class BradleyTerryResult(Result):
    """Bradley-Terry fit: ``systems`` sorted by rank and ``pairs`` with their win rates."""

    systems: tuple[SystemStrength, ...]
    pairs: tuple[PairStats, ...]
    judgments: int
    items: int
    confidence_level: float
    n_bootstrap: int

    def win_rate_matrix(self) -> tuple[tuple[str, ...], FloatArray]:
        """Return system names (in rank order) and the matrix of observed win rates.

        Entry ``[i, j]`` is the share of judgments between ``i`` and ``j`` that ``i`` won (ties
        as half wins); NaN where the pair was never compared, and on the diagonal.
        """
        names = tuple(s.system for s in self.systems)
        index = {n: k for k, n in enumerate(names)}
        mat = np.full((len(names), len(names)), np.nan)
        for p in self.pairs:
            i, j = index[p.system_a], index[p.system_b]
            mat[i, j] = p.win_rate_a
            mat[j, i] = 1.0 - p.win_rate_a
        return names, mat


# ----------------------------------------------------------------------------- aggregation


@dataclasses.dataclass(frozen=True)
class _Pairs:
    """Judgments aggregated per (item, pair) with pairs oriented low index -> high index."""

    n_systems: int
    pair_i: IntArray  # first system of each compared pair (i < j)
    pair_j: IntArray
    row_item: IntArray  # one row per (item, pair)
    row_pair: IntArray
    row_wins: FloatArray  # wins of pair_i (ties as half)
    row_n: FloatArray
    n_items: int
    first_wins: FloatArray  # per pair: decided wins of pair_i, of pair_j, and ties
    second_wins: FloatArray
    ties: FloatArray

    def totals(self) -> tuple[FloatArray, FloatArray]:
        """Return wins and judgments of each compared pair."""
        n_pairs = self.pair_i.size
        w = np.bincount(self.row_pair, weights=self.row_wins, minlength=n_pairs)
        n = np.bincount(self.row_pair, weights=self.row_n, minlength=n_pairs)
        return w.astype(np.float64), n.astype(np.float64)


def _aggregate(j: Judgments) -> _Pairs:
    s = len(j.systems)
    lo = np.minimum(j.system_a, j.system_b)
    hi = np.maximum(j.system_a, j.system_b)
    wins_lo = np.where(j.system_a == lo, j.outcome, 1.0 - j.outcome)
    pair_key = lo * s + hi
    # compared pairs and each judgment's pair index, in O(n) with a table of all S^2 pairs
    keys = np.flatnonzero(np.bincount(pair_key, minlength=s * s))
    index = np.zeros(s * s, dtype=np.int64)
    index[keys] = np.arange(keys.size)
    pair = index[pair_key]
    n_pairs = keys.size
    row_key = j.item * n_pairs + pair
    rows, row = np.unique(row_key, return_inverse=True)  # sort-based (the hash path is slow)
    wins = np.bincount(row, weights=wins_lo, minlength=rows.size)
    count = np.bincount(row, minlength=rows.size).astype(np.float64)
    tie = j.outcome == 0.5
    lo_won = ~tie & (wins_lo == 1.0)
    n_per_pair = np.bincount(pair, minlength=n_pairs).astype(np.float64)
    first_wins = np.bincount(pair, weights=lo_won, minlength=n_pairs).astype(np.float64)
    ties = np.bincount(pair, weights=tie, minlength=n_pairs).astype(np.float64)
    return _Pairs(
        first_wins=first_wins,
        second_wins=n_per_pair - first_wins - ties,
        ties=ties,
        n_systems=s,
        pair_i=(keys // s).astype(np.int64),
        pair_j=(keys % s).astype(np.int64),
        row_item=(rows // n_pairs).astype(np.int64),
        row_pair=(rows % n_pairs).astype(np.int64),
        row_wins=wins.astype(np.float64),
        row_n=count,
        n_items=j.n_items,
    )


def _check_identifiable(agg: _Pairs, systems: tuple[str, ...], ridge: float) -> None:
    s = agg.n_systems
    w, n = agg.totals()
    graph = sparse.coo_matrix((n, (agg.pair_i, agg.pair_j)), shape=(s, s))
    n_comp, labels = csgraph.connected_components(graph, directed=False)
    if n_comp > 1:
        groups = [
            "{" + ", ".join(systems[k] for k in np.flatnonzero(labels == c)[:5]) + "}"
            for c in range(n_comp)
        ]
        raise DataError(
            f"the comparison graph is disconnected ({n_comp} groups of systems that were never "
            f"compared with each other: {'; '.join(groups[:4])}); strengths are not comparable "
            "across groups: add judgments that compare systems of different groups"
        )
    if ridge > 0:
        return
    beat = np.concatenate([agg.pair_i[w > 0], agg.pair_j[(n - w) > 0]])
    lost = np.concatenate([agg.pair_j[w > 0], agg.pair_i[(n - w) > 0]])
    win_graph = sparse.coo_matrix((np.ones(beat.size), (beat, lost)), shape=(s, s))
    n_strong, labels = csgraph.connected_components(win_graph, directed=True, connection="strong")
    if n_strong > 1:
        # a group that never lost to the rest: no finite maximum-likelihood strength exists
        to_other = labels[beat] != labels[lost]
        losers = set(labels[lost[to_other]].tolist())
        top = [c for c in range(n_strong) if c not in losers]
        names = ", ".join(systems[k] for k in np.flatnonzero(np.isin(labels, top))[:5])
        raise DataError(
            f"strengths are not identifiable: {names} never lost (nor tied) against the other "
            "systems, so the maximum-likelihood strength is infinite; collect more judgments "
            "or pass `ridge` > 0 (a Gaussian prior on the strengths)"
        )


# ----------------------------------------------------------------------------- fitting


def _fit(
    wins: FloatArray,
    count: FloatArray,
    pair_i: IntArray,
    pair_j: IntArray,
    n_systems: int,
    theta0: FloatArray,
    ridge: float,
    max_iter: int = 200,
    tol: float = 1e-10,
    refresh: int = 1,
) -> FloatArray:
    """Return centred maximum-likelihood strengths for each row of ``wins``/``count``.

    ``wins`` and ``count`` have shape (rounds, pairs). Newton's method on the concave
    log-likelihood, batched over rounds; the gauge (strengths sum to zero) is fixed by adding
    ``11^T / S`` to the information matrix. With ``refresh`` > 1 the information matrix is
    inverted only every ``refresh`` iterations and reused in between (the chord method), which
    is much cheaper per iteration when started close to the solution, as bootstrap rounds are.
    """
    s = n_systems
    rounds = wins.shape[0]
    theta = np.array(np.broadcast_to(theta0, (rounds, s)), dtype=np.float64)
    off_ij = pair_i * s + pair_j
    off_ji = pair_j * s + pair_i
    diag = np.arange(s) * (s + 1)
    gauge = (np.full((s, s), 1.0 / s) + ridge * np.eye(s)).ravel()
    scale = np.maximum(count.sum(axis=1), 1.0)
    active = np.arange(rounds)
    inverse: FloatArray = np.empty((0, s, s))
    inverse_rows = np.arange(0)
    for it in range(max_iter):
        th = theta[active]
        c = count[active]
        p = expit(th[:, pair_i] - th[:, pair_j])
        resid = wins[active] - c * p
        grad = -ridge * th
        grad += _scatter(resid, pair_i, s) - _scatter(resid, pair_j, s)
        if it % refresh == 0:
            wt = c * p * (1.0 - p)
            flat = np.empty((active.size, s * s))
            flat[:] = gauge
            flat[:, off_ij] -= wt
            flat[:, off_ji] -= wt
            flat[:, diag] += _scatter(wt, pair_i, s) + _scatter(wt, pair_j, s)
            inverse = np.asarray(np.linalg.inv(flat.reshape(active.size, s, s)), dtype=np.float64)
            inverse_rows = active
        else:
            # keep the rows of the last inverse that are still active
            inverse = inverse[np.isin(inverse_rows, active)]
            inverse_rows = active
        step = np.matmul(inverse, grad[..., None])[..., 0]
        big = np.abs(step).max(axis=1)
        step *= np.minimum(1.0, 3.0 / np.maximum(big, 1e-300))[:, None]
        th = th + step
        theta[active] = th - th.mean(axis=1, keepdims=True)
        done = (big < tol) | (np.abs(grad).max(axis=1) < 1e-12 * scale[active])
        active = active[~done]
        if active.size == 0:
            break
    return theta


def _scatter(values: FloatArray, index: IntArray, size: int) -> FloatArray:
    """Return ``out[r, k] = sum of values[r, p] over p with index[p] == k`` (batched bincount)."""
    rounds = values.shape[0]
    flat = (np.arange(rounds)[:, None] * size + index[None, :]).ravel()
    out = np.bincount(flat, weights=values.ravel(), minlength=rounds * size)
    return out.astype(np.float64, copy=False).reshape(rounds, size)


def _information(
    theta: FloatArray, count: FloatArray, pair_i: IntArray, pair_j: IntArray
) -> FloatArray:
    """Return the Fisher information (a weighted graph Laplacian) at ``theta``."""
    s = theta.size
    p = expit(theta[pair_i] - theta[pair_j])
    wt = count * p * (1.0 - p)
    info = np.zeros((s, s))
    np.add.at(info, (pair_i, pair_j), -wt)
    np.add.at(info, (pair_j, pair_i), -wt)
    np.add.at(info, (pair_i, pair_i), wt)
    np.add.at(info, (pair_j, pair_j), wt)
    return info


def _laplacian_pinv(info: FloatArray) -> FloatArray:
    """Return the pseudo-inverse of a connected graph Laplacian: inv(L + 11^T/S) - 11^T/S."""
    s = info.shape[0]
    gauge = np.full((s, s), 1.0 / s)
    out: FloatArray = np.linalg.inv(info + gauge) - gauge
    return out


def _sandwich(agg: _Pairs, theta: FloatArray, count: FloatArray, ridge: float = 0.0) -> FloatArray:
    """Return the item-clustered sandwich covariance of the centred strengths.

    The meat is the sum over items of the outer product of each item's score. Items judged
    on one pair only contribute ``r^2 (e_i - e_j)(e_i - e_j)^T`` and are summed per pair;
    the others go through a sparse (items x systems) score matrix.
    """
    s = agg.n_systems
    info = _information(theta, count, agg.pair_i, agg.pair_j)
    # with a prior the bread is the penalised information (Huber's sandwich of an M-estimator)
    bread = _laplacian_pinv(info) if ridge == 0 else np.linalg.inv(info + ridge * np.eye(s))
    p = expit(theta[agg.pair_i] - theta[agg.pair_j])
    resid = agg.row_wins - agg.row_n * p[agg.row_pair]
    rows_per_item = np.bincount(agg.row_item, minlength=agg.n_items)
    single = rows_per_item[agg.row_item] == 1
    r2 = np.bincount(agg.row_pair[single], weights=resid[single] ** 2, minlength=count.size)
    meat = np.zeros((s, s))
    np.add.at(meat, (agg.pair_i, agg.pair_j), -r2)
    np.add.at(meat, (agg.pair_j, agg.pair_i), -r2)
    np.add.at(meat, (agg.pair_i, agg.pair_i), r2)
    np.add.at(meat, (agg.pair_j, agg.pair_j), r2)
    multi = ~single
    if multi.any():
        rp = agg.row_pair[multi]
        scores = sparse.coo_matrix(
            (
                np.concatenate([resid[multi], -resid[multi]]),
                (
                    np.concatenate([agg.row_item[multi], agg.row_item[multi]]),
                    np.concatenate([agg.pair_i[rp], agg.pair_j[rp]]),
                ),
            ),
            shape=(agg.n_items, s),
        ).tocsr()
        meat += np.asarray((scores.T @ scores).toarray())
    cov: FloatArray = bread @ meat @ bread
    return cov


def _item_patterns(agg: _Pairs) -> tuple[sparse.csr_matrix, FloatArray]:
    """Pool items with identical judgments; return (patterns x 2*pairs) counts and frequencies.

    Columns ``[0, P)`` hold wins of the pair's first system, ``[P, 2P)`` judgments. Items are
    pooled by a 64-bit fingerprint of their (pair, wins, count) rows (splitmix64 of each row,
    summed per item); with a million items the chance that two different items collide is
    below 1e-7.
    """
    n_pairs = agg.pair_i.size
    # exact integer key of each (pair, 2 * wins, count) row
    wins2 = np.round(agg.row_wins * 2).astype(np.uint64)
    base_w = np.uint64(int(wins2.max(initial=0)) + 1)
    base_n = np.uint64(int(agg.row_n.max(initial=0)) + 1)
    row_key = (agg.row_pair.astype(np.uint64) * base_w + wins2) * base_n + agg.row_n.astype(
        np.uint64
    )
    exact = float(n_pairs) * float(base_w) * float(base_n) < 2.0**63
    # rows are sorted by item (see _aggregate)
    starts = np.flatnonzero(np.r_[True, agg.row_item[1:] != agg.row_item[:-1]])
    item_ids = agg.row_item[starts]
    if exact and starts.size == agg.row_item.size:
        fingerprint = row_key  # one (item, pair) row per item: the row is the fingerprint
    else:
        z = row_key + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
        fingerprint = np.add.reduceat(z, starts)
    _, first, pattern, freq = np.unique(
        fingerprint, return_index=True, return_inverse=True, return_counts=True
    )
    pattern_of_item = np.full(agg.n_items, -1, dtype=np.int64)
    pattern_of_item[item_ids] = pattern
    rep_item = item_ids[first]
    keep = rep_item[pattern_of_item[agg.row_item]] == agg.row_item
    rows = pattern_of_item[agg.row_item[keep]]
    cols = agg.row_pair[keep]
    mat = sparse.coo_matrix(
        (
            np.concatenate([agg.row_wins[keep], agg.row_n[keep]]),
            (np.concatenate([rows, rows]), np.concatenate([cols, cols + n_pairs])),
        ),
        shape=(freq.size, 2 * n_pairs),
    ).tocsr()
    return mat, freq.astype(np.float64)


def _exact_product_matrix(patterns: sparse.csr_matrix, total: int) -> tuple[Any, type]:
    """Return the transposed matrix of wins and losses of each pattern, and the product's dtype.

    ``patterns`` holds wins in its first half of columns and judgments in the second; the
    returned matrix holds wins and losses (judgments minus wins, ties as halves on both
    sides), without stored zeros: a judgment is a win or a loss, so this stores about a third
    fewer entries, and judgments are wins plus losses after the product.

    Every entry of the product with a round's counts is a sum of products of non-negative
    integers and half-integers, at most ``total * max(entry)``. Twice a partial sum is an
    integer; up to ``2**24`` it is exact in float32 (24 significant bits), so the product is
    computed in float32 (half the memory traffic) with the same numbers as in float64. Above
    that it stays in float64 (exact up to ``2**53``).
    """
    n_pairs = patterns.shape[1] // 2
    wins, judgments = patterns[:, :n_pairs], patterns[:, n_pairs:]
    split = sparse.hstack([wins, judgments - wins], format="csr")
    largest = float(split.data.max(initial=0.0))
    dtype: type = np.float32 if 2.0 * total * largest <= 2.0**24 else np.float64
    transposed = split.T.tocsr().astype(dtype)
    transposed.eliminate_zeros()
    return transposed, dtype


def _draw_counts(
    rng: np.random.Generator, freq: FloatArray, rounds: int, dtype: type, by_index: bool
) -> npt.NDArray[Any]:
    """Return how often each pattern is drawn in each round, shape (patterns, rounds), C order.

    A round draws ``total = sum(freq)`` items with replacement, uniformly; pattern ``k`` holds
    ``freq[k]`` of them, so its counts are multinomial(total, freq / total). With ``by_index``
    the items are drawn by index (``rng.integers``) and counted per pattern: about ``total``
    draws a round instead of numpy's one binomial per pattern, so cheaper when patterns are
    nearly as many as items, dearer when they are few. Both are exact; their random streams
    differ.
    """
    k = freq.size
    total = int(freq.sum())
    if not by_index:
        drawn = rng.multinomial(total, freq / total, size=rounds)
        return np.ascontiguousarray(drawn.T, dtype=dtype)
    counts: npt.NDArray[Any] = np.empty((k, rounds), dtype=dtype)
    # pattern of each item, in the order items are numbered; none needed when each is its own
    lookup = None if total == k else np.repeat(np.arange(k), freq.astype(np.int64))
    step = max(1, _DRAWS_PER_CALL // max(total, 1))
    for a in range(0, rounds, step):
        m = min(step, rounds - a)
        drawn = rng.integers(0, total, size=(m, total))
        if lookup is not None:
            drawn = lookup[drawn]
        drawn *= m  # pattern-major, round-minor: the counts come out as (patterns, rounds)
        drawn += np.arange(m)[:, None]
        counts[:, a : a + m] = np.bincount(drawn.ravel(), minlength=k * m).reshape(k, m)
    return counts


def _bootstrap(
    agg: _Pairs,
    theta_hat: FloatArray,
    n_bootstrap: int,
    rng: np.random.Generator,
    ridge: float,
    by_index: bool | None = None,
) -> FloatArray:
    """Return bootstrap strengths, shape (n_bootstrap, systems), resampling items.

    ``by_index`` chooses how the counts are drawn (see :func:`_draw_counts`); ``None`` takes
    the cheaper way: by index when there are at most ``_INDEX_DRAW_ITEMS_PER_PATTERN`` items
    per distinct pattern.
    """
    patterns, freq = _item_patterns(agg)
    n_pairs = agg.pair_i.size
    total = int(freq.sum())
    if by_index is None:
        by_index = total <= _INDEX_DRAW_ITEMS_PER_PATTERN * freq.size
    chunk = max(1, min(n_bootstrap, _CHUNK_CELLS // max(freq.size, 2 * n_pairs, 1)))
    patterns_t, dtype = _exact_product_matrix(patterns, total)
    # rounds per product: their counts (patterns x rounds) stay in the processor's cache
    block = max(1, _CACHE_ENTRIES // max(freq.size, 1))
    out = np.empty((n_bootstrap, agg.n_systems))
    with task("Bradley-Terry bootstrap rounds", n_bootstrap) as bar:
        for start in range(0, n_bootstrap, chunk):  # a loop over chunks of rounds
            size = min(chunk, n_bootstrap - start)
            cells = np.empty((size, 2 * n_pairs))
            for a in range(0, size, block):  # a loop over blocks of rounds, for the cache
                w = _draw_counts(rng, freq, min(block, size - a), dtype, by_index)
                cells[a : a + block] = np.asarray(patterns_t @ w).T
            cells[:, n_pairs:] += cells[:, :n_pairs]  # judgments = wins + losses, exactly
            out[start : start + size] = _fit(
                cells[:, :n_pairs],
                cells[:, n_pairs:],
                agg.pair_i,
                agg.pair_j,
                agg.n_systems,
                theta_hat,
                max(ridge, _BOOT_RIDGE),
                tol=1e-7,  # strengths to 1e-7: far below the bootstrap's own Monte Carlo error
                refresh=4,
            )
            bar.advance(size)
    return out


# ----------------------------------------------------------------------------- public API


def bradley_terry(
    judgments: Judgments,
    *,
    n_bootstrap: int = 1000,
    confidence_level: float = 0.95,
    seed: int | None = 0,
    ridge: float = 0.0,
) -> BradleyTerryResult:
    """Return Bradley-Terry strengths, Elo-like scores, intervals and ranks of every system.

    Parameters: ``n_bootstrap`` rounds of the bootstrap over items (at least 1),
    ``confidence_level`` of every interval, ``seed`` of the bootstrap, and ``ridge``, the
    precision of an optional Gaussian prior on the strengths (0: plain maximum likelihood, which
    needs every system to have both won and lost, counting ties). Raises
    :class:`~proxymetric.errors.DataError` when the comparison graph is disconnected or the
    maximum-likelihood strengths are infinite.

    References: Bradley and Terry (1952); Hunter, "MM algorithms for generalized Bradley-Terry
    models", Annals of Statistics 2004 (existence: the win graph must be strongly connected,
    Ford 1957); Efron (1979) for the bootstrap; Huber (1967) / White (1980) for the sandwich.

    >>> j = Judgments.from_table({
    ...     "item": list(range(6)), "system_a": ["x", "x", "x", "y", "y", "z"],
    ...     "system_b": ["y", "y", "z", "z", "x", "x"],
    ...     "winner": ["a", "a", "a", "a", "b", "b"]})
    >>> fit = bradley_terry(j, n_bootstrap=50, ridge=0.1)
    >>> [(s.system, s.rank) for s in fit.systems]
    [('x', 1), ('y', 2), ('z', 3)]
    """
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, int) or n_bootstrap < 1:
        raise DataError(f"`n_bootstrap` must be an integer >= 1; got {n_bootstrap!r}")
    check_number("confidence_level", confidence_level, low=0, high=1)
    check_number("ridge", ridge, low=0, low_inclusive=True)
    if len(judgments) == 0:
        raise DataError("there are no judgments")
    systems = judgments.systems
    agg = _aggregate(judgments)
    used = np.zeros(len(systems), dtype=bool)
    used[agg.pair_i] = True
    used[agg.pair_j] = True
    _check_identifiable(agg, systems, ridge)
    w, n = agg.totals()
    theta = _fit(w[None], n[None], agg.pair_i, agg.pair_j, agg.n_systems, np.zeros(1), ridge)[0]
    cov = _sandwich(agg, theta, n, ridge)
    rng = np.random.default_rng(seed)
    boot = _bootstrap(agg, theta, n_bootstrap, rng, ridge)

    alpha = 1.0 - confidence_level
    z = float(_norm_ppf(1.0 - alpha / 2.0))
    score = _SCORE_CENTRE + SCORE_SCALE * theta
    boot_score = _SCORE_CENTRE + SCORE_SCALE * boot
    lo, hi = np.quantile(boot_score, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
    se = SCORE_SCALE * np.sqrt(np.maximum(np.diag(cov), 0.0))
    rank = _ranks(theta[None])[0]
    boot_rank = _ranks(boot)
    r_lo, r_hi = np.quantile(
        boot_rank, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0, method="inverted_cdf"
    )

    s = agg.n_systems
    won = np.bincount(agg.pair_i, weights=w, minlength=s) + np.bincount(
        agg.pair_j, weights=n - w, minlength=s
    )
    played = np.bincount(agg.pair_i, weights=n, minlength=s) + np.bincount(
        agg.pair_j, weights=n, minlength=s
    )
    wins_a, wins_b, ties = agg.first_wins, agg.second_wins, agg.ties
    sys_wins = np.bincount(agg.pair_i, weights=wins_a, minlength=s) + np.bincount(
        agg.pair_j, weights=wins_b, minlength=s
    )
    sys_ties = np.bincount(agg.pair_i, weights=ties, minlength=s) + np.bincount(
        agg.pair_j, weights=ties, minlength=s
    )
    records = [
        SystemStrength(
            system=systems[k],
            strength=float(theta[k]),
            score=float(score[k]),
            score_ci_lower=float(lo[k]),
            score_ci_upper=float(hi[k]),
            score_se=float(se[k]),
            score_sandwich_ci_lower=float(score[k] - z * se[k]),
            score_sandwich_ci_upper=float(score[k] + z * se[k]),
            rank=int(rank[k]),
            rank_ci_lower=int(r_lo[k]),
            rank_ci_upper=int(r_hi[k]),
            win_rate=float(won[k] / played[k]),
            wins=int(sys_wins[k]),
            losses=int(played[k] - sys_wins[k] - sys_ties[k]),
            ties=int(sys_ties[k]),
            judgments=int(played[k]),
        )
        for k in np.argsort(rank)
        if used[k]
    ]
    pairs = tuple(
        PairStats(
            system_a=systems[int(agg.pair_i[p])],
            system_b=systems[int(agg.pair_j[p])],
            judgments=int(n[p]),
            wins_a=int(wins_a[p]),
            wins_b=int(wins_b[p]),
            ties=int(ties[p]),
            win_rate_a=float(w[p] / n[p]),
            expected_win_rate_a=float(expit(theta[agg.pair_i[p]] - theta[agg.pair_j[p]])),
        )
        for p in range(agg.pair_i.size)
    )
    return BradleyTerryResult(
        systems=tuple(records),
        pairs=pairs,
        judgments=len(judgments),
        items=int(np.count_nonzero(np.diff(agg.row_item)) + 1),
        confidence_level=confidence_level,
        n_bootstrap=n_bootstrap,
    )


def _ranks(theta: FloatArray) -> IntArray:
    """Return ranks (1 = strongest) of each row of ``theta``."""
    order = np.argsort(-theta, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, theta.shape[1] + 1)[None, :], axis=1)
    return ranks.astype(np.int64)


def _norm_ppf(q: float) -> float:
    return float(ndtri(q))

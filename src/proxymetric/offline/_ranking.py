"""Per-unit rating and ranking statistics, vectorised over all units (numpy only).

Everything here works on integer codes: units ``0..n_units-1`` and items ``0..n_items-1``. A
(unit, item) pair is the key ``unit * n_items + item``. No function loops over units.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = [
    "Gain",
    "RankedLists",
    "TruthIndex",
    "build_truth",
    "distinct",
    "has_duplicate_items",
    "has_duplicates",
    "rank_lists",
    "rating_errors",
    "unit_ranking_stats",
]

Gain = Literal["linear", "exponential"]

# rows processed at once by the chunked passes (bounds temporary memory on 100M-row inputs)
_CHUNK_ROWS = 1_000_000


@dataclass(frozen=True)
class TruthIndex:
    """Ground truth indexed by sorted pair key, with per-unit relevance summaries."""

    n_units: int
    n_items: int
    key: np.ndarray  # sorted int64 pair keys
    gain: np.ndarray  # gain of each pair (0 below the relevance threshold)
    relevant: np.ndarray  # bool: relevance at or above the threshold
    rating: np.ndarray | None  # rating of each pair, or None
    n_relevant: np.ndarray  # per unit: number of relevant items
    idcg: np.ndarray  # per unit: DCG of the ideal top-k list
    has_truth: np.ndarray  # per unit: the unit appears in the truth table


def distinct(values: np.ndarray) -> np.ndarray:
    """Return the sorted distinct values (a sort, faster than hashing for large int arrays).

    >>> distinct(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    s = np.sort(values)
    return s[np.r_[True, s[1:] != s[:-1]]] if s.size else s


def has_duplicates(values: np.ndarray) -> bool:
    """Return True when some value occurs twice."""
    s = np.sort(values)
    return bool(np.any(s[1:] == s[:-1]))


def has_duplicate_items(unit: np.ndarray, item: np.ndarray) -> bool:
    """Return True when some unit lists an item twice; rows must be grouped by unit.

    A duplicate (unit, item) pair lies within one unit's run of rows, so each chunk of whole
    runs is checked on its own: when every run of the chunk has the same length (top-N
    exports), each run's items are sorted as a row of a matrix; otherwise the chunk's pair keys
    are sorted, which is cheap as they are already grouped by unit. No sort of all the keys.

    >>> has_duplicate_items(np.array([0, 0, 1, 1]), np.array([5, 7, 7, 5]))
    False
    >>> has_duplicate_items(np.array([0, 0, 0, 1]), np.array([5, 7, 5, 5]))
    True
    """
    n = unit.size
    if n < 2:
        return False
    starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    at = np.searchsorted(starts, np.arange(0, n, _CHUNK_ROWS))
    bounds = distinct(np.r_[starts[np.minimum(at, starts.size - 1)], n])
    n_items = int(item.max()) + 1
    for a, b in itertools.pairwise(bounds.tolist()):  # a loop over chunks of whole runs
        first, last = np.searchsorted(starts, [a, b])
        lengths = np.diff(np.r_[starts[first:last], b])
        chunk = item[a:b].astype(np.int64)
        if lengths.min() == lengths.max():
            rows = np.sort(chunk.reshape(lengths.size, int(lengths[0])), axis=1)
            if np.any(rows[:, 1:] == rows[:, :-1]):
                return True
            continue
        run = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
        keys = np.sort(run * n_items + chunk, kind="stable")
        if np.any(keys[1:] == keys[:-1]):
            return True
    return False


def _gain(relevance: np.ndarray, gain: Gain) -> np.ndarray:
    if gain == "exponential":
        exponential: np.ndarray = np.exp2(relevance) - 1.0
        return exponential
    return relevance.astype(np.float64, copy=True)


def _discount(rank: np.ndarray) -> np.ndarray:
    """Return ``1 / log2(rank + 2)`` for zero-based ranks."""
    return 1.0 / np.log2(rank.astype(np.float64) + 2.0)


def _group_rank(sorted_units: np.ndarray) -> np.ndarray:
    """Return the zero-based position of each row within its run of equal (sorted) units.

    Computed in chunks of rows into one array of the smallest integer type that holds the
    longest run (int16 for lists of up to 32,767 rows), so no temporary of the full length is
    built.

    >>> _group_rank(np.array([3, 3, 3, 5, 7, 7])).tolist()
    [0, 1, 2, 0, 0, 1]
    """
    n = sorted_units.size
    if n == 0:
        return np.zeros(0, dtype=np.int16)
    starts = np.flatnonzero(np.r_[True, sorted_units[1:] != sorted_units[:-1]])
    ends = np.r_[starts[1:], n]
    longest = int(np.max(ends - starts))
    dtype = next(t for t in (np.int16, np.int32, np.int64) if longest <= np.iinfo(t).max)
    rank = np.empty(n, dtype=dtype)
    for a, b in _chunks(n):  # a loop over chunks of rows, bounding temporary memory
        first = int(np.searchsorted(starts, a, side="right")) - 1
        last = int(np.searchsorted(starts, b, side="left"))
        runs = np.minimum(ends[first:last], b) - np.maximum(starts[first:last], a)
        rank[a:b] = np.arange(a, b, dtype=np.int64) - np.repeat(starts[first:last], runs)
    return rank


def build_truth(
    unit: np.ndarray,
    item: np.ndarray,
    relevance: np.ndarray,
    rating: np.ndarray | None,
    *,
    n_units: int,
    n_items: int,
    k: int,
    threshold: float | None,
    gain: Gain,
) -> TruthIndex:
    """Return the truth index: pairs sorted by key, their gains and each unit's ideal DCG@k.

    A pair is relevant when its relevance is ``>= threshold`` (``> 0`` when ``threshold`` is
    None); pairs that are not relevant have gain 0 in every metric.
    """
    key = unit.astype(np.int64) * n_items + item.astype(np.int64)
    order = np.argsort(key, kind="stable")
    key = key[order]
    rel = relevance[order].astype(np.float64)
    relevant = rel > 0 if threshold is None else rel >= threshold
    g = np.where(relevant, _gain(rel, gain), 0.0)
    u = unit[order].astype(np.int64)
    n_relevant = np.bincount(u, weights=relevant, minlength=n_units).astype(np.int64)
    # ideal list: each unit's gains in decreasing order, truncated at k
    by_gain = np.lexsort((-g, u))
    u_sorted = u[by_gain]
    rank = _group_rank(u_sorted)
    top = rank < k
    idcg = np.bincount(
        u_sorted[top], weights=g[by_gain][top] * _discount(rank[top]), minlength=n_units
    )
    has_truth = np.bincount(u, minlength=n_units) > 0
    return TruthIndex(
        n_units=n_units,
        n_items=n_items,
        key=key,
        gain=g,
        relevant=relevant,
        rating=None if rating is None else rating[order].astype(np.float64),
        n_relevant=n_relevant,
        idcg=idcg,
        has_truth=has_truth,
    )


def _lookup(truth: TruthIndex, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (found, position) of each key in the truth index."""
    if truth.key.size == 0:
        return np.zeros(key.size, dtype=bool), np.zeros(key.size, dtype=np.int64)
    pos = np.searchsorted(truth.key, key)
    pos = np.minimum(pos, truth.key.size - 1)
    return truth.key[pos] == key, pos


def _lookup_units(
    truth: TruthIndex, key: np.ndarray, sorted_units: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (found, position) of keys of rows sorted by unit, as :func:`_lookup` does.

    The binary searches run in the slice of the truth that holds these units only (a few
    hundred thousand keys for a chunk of rows, which stay in the processor's cache).
    """
    if truth.key.size == 0 or key.size == 0:
        return _lookup(truth, key)
    first, last = int(sorted_units[0]), int(sorted_units[-1])
    lo, hi = np.searchsorted(truth.key, [first * truth.n_items, (last + 1) * truth.n_items])
    if hi == lo:
        return np.zeros(key.size, dtype=bool), np.zeros(key.size, dtype=np.int64)
    local = truth.key[lo:hi]
    pos = np.minimum(np.searchsorted(local, key), local.size - 1)
    return local[pos] == key, pos + lo


@dataclass(frozen=True)
class RankedLists:
    """The top-k rows of every unit's list, sorted by unit then rank."""

    unit: np.ndarray
    item: np.ndarray
    rank: np.ndarray  # zero-based
    duplicates: bool = False  # some unit listed an item twice (before the cut at k)


def _list_order(unit: np.ndarray, item: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Return the row order by unit, decreasing score, then item (codes are non-negative).

    Scores are replaced by their dense rank so that the three keys pack into one int64 key,
    which sorts two to three times faster than ``np.lexsort``; when the packed key could
    overflow, ``np.lexsort`` is used.
    """
    by_score = np.argsort(score)
    ordered = score[by_score]
    dense = np.empty(score.size, dtype=np.int64)
    dense[by_score] = np.cumsum(np.r_[0, ordered[1:] != ordered[:-1]])
    n_scores = int(dense[by_score[-1]]) + 1
    n_items = int(item.max()) + 1
    if (int(unit.max()) + 1) * n_scores * n_items >= 2**62:
        lex: np.ndarray = np.lexsort((item, -score, unit))
        return lex
    key = (unit.astype(np.int64) * n_scores + (n_scores - 1 - dense)) * n_items + item
    return np.argsort(key)  # keys are distinct (one row per pair), so any sort is exact


def _chunks(n: int, size: int = _CHUNK_ROWS) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def _is_ranked(unit: np.ndarray, item: np.ndarray, score: np.ndarray) -> bool:
    """Return True when rows are sorted by unit, decreasing score, then item (checked in chunks)."""
    for a, b in _chunks(unit.size):  # a loop over chunks of rows, bounding temporary memory
        b1 = min(b + 1, unit.size)
        du, ds, di = np.diff(unit[a:b1]), np.diff(score[a:b1]), np.diff(item[a:b1])
        if not np.all((du > 0) | ((du == 0) & ((ds < 0) | ((ds == 0) & (di > 0))))):
            return False
    return True


def rank_lists(unit: np.ndarray, item: np.ndarray, score: np.ndarray, k: int) -> RankedLists:
    """Return each unit's top-``k`` rows, ranked by decreasing score.

    Ties in score are broken by item code ascending (items are coded in sorted order of their
    identifiers), so the order never depends on row order. Rows with a NaN score are dropped.
    Input already sorted that way (a typical export of top-N lists) is detected and not re-sorted.
    ``duplicates`` tells whether some (unit, item) pair occurs twice among all the rows (NaN
    scores included), checked on the rows grouped by unit (see :func:`has_duplicate_items`).
    """
    keep = ~np.isnan(score)
    duplicates = None
    if not keep.all():
        duplicates = has_duplicates(unit.astype(np.int64) * (int(item.max()) + 1) + item)
        unit, item, score = unit[keep], item[keep], score[keep]
    already = _is_ranked(unit, item, score)
    if not already:
        order = _list_order(unit, item, score)
        unit, item = unit[order], item[order]
        del order
    if duplicates is None:
        duplicates = has_duplicate_items(unit, item)
    rank = _group_rank(unit)
    top = rank < min(k, np.iinfo(rank.dtype).max)  # k beyond the longest list cuts nothing
    if not top.all():
        unit, item, rank = unit[top], item[top], rank[top]
    return RankedLists(unit=unit, item=item, rank=rank, duplicates=duplicates)


def unit_ranking_stats(
    lists: RankedLists,
    truth: TruthIndex,
    *,
    item_values: dict[str, np.ndarray] | None = None,
    features: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Return per-unit sums over the top-k lists (arrays of length ``n_units``).

    Keys: ``hits`` (relevant items in the top k), ``dcg``, ``rr`` (reciprocal rank of the first
    relevant item, 0 if none), ``ap_sum`` (sum of precision@r over relevant ranks r),
    ``length`` (list length, at most k); the sum over the list of each array of
    ``item_values`` (one value per item code), under its own key; and with ``features``
    (``n_items x n_features``), ``similarity`` (sum over pairs of the list of the cosine
    similarity of the items' features) and ``pairs`` (number of pairs).

    The rows are processed in chunks that start at a list's first row, so temporary memory
    stays bounded for 100-million-row inputs.
    """
    item_values = item_values or {}
    names = ["hits", "dcg", "rr", "ap_sum", "length", *item_values]
    if features is not None:
        names += ["similarity", "pairs"]
        norms = np.linalg.norm(features, axis=1)
        unit_vectors = np.divide(
            features, norms[:, None], out=np.zeros(features.shape), where=norms[:, None] > 0
        )
        item_values = {**item_values, "_has_features": (norms > 0).astype(np.float64)}
    else:
        unit_vectors = None
    n_units = truth.n_units
    out = {name: np.zeros(n_units) for name in names}
    n = lists.unit.size
    if n == 0:
        return out
    starts = np.flatnonzero(lists.rank == 0)  # each unit's list starts at rank 0
    at = np.minimum(np.searchsorted(starts, np.arange(0, n, _CHUNK_ROWS)), starts.size - 1)
    bounds = distinct(np.r_[starts[at], n])
    for a, b in itertools.pairwise(bounds.tolist()):  # a loop over chunks of rows
        unit, item = lists.unit[a:b], lists.item[a:b]
        # rows are sorted by unit: the chunk's sums cover units first..last only
        first, last = int(unit[0]), int(unit[-1]) + 1
        local = {name: values[first:last] for name, values in out.items()}  # views
        _add_ranking_stats(unit, item, lists.rank[a:b], truth, local, first)
        local_unit = unit - first
        for key, values in item_values.items():
            if key in out:
                local[key] += np.bincount(local_unit, weights=values[item], minlength=last - first)
        if unit_vectors is not None:
            _add_similarity(local_unit, item, unit_vectors, item_values["_has_features"], local)
    return out


def _add_similarity(
    unit: np.ndarray,
    item: np.ndarray,
    unit_vectors: np.ndarray,
    has_features: np.ndarray,
    out: dict[str, np.ndarray],
) -> None:
    """Add the sum of pairwise cosine similarities of whole lists and their pair counts.

    With unit-normalised feature vectors ``u_i`` the sum over pairs ``i < j`` of ``u_i . u_j``
    equals ``(|sum_i u_i|^2 - sum_i |u_i|^2) / 2``, so no pair is enumerated. Items without
    features have similarity 0 to every item. Chunks hold whole lists, so squares of the
    per-chunk sums are the squares of the per-list sums.
    """
    n_units = out["length"].size
    squared = np.zeros(n_units)
    for f in range(unit_vectors.shape[1]):  # a loop over features, not over units
        s = np.bincount(unit, weights=unit_vectors[item, f], minlength=n_units)
        squared += s * s
    self_similarity = np.bincount(unit, weights=has_features[item], minlength=n_units)
    m = np.bincount(unit, minlength=n_units).astype(np.float64)
    out["similarity"] += (squared - self_similarity) / 2.0
    out["pairs"] += m * (m - 1.0) / 2.0


def _add_ranking_stats(
    unit: np.ndarray,
    item: np.ndarray,
    rank: np.ndarray,
    truth: TruthIndex,
    out: dict[str, np.ndarray],
    offset: int = 0,
) -> None:
    """Add the per-unit sums of whole lists (rows sorted by unit and rank) to ``out``.

    ``out`` holds units ``offset, offset + 1, ...`` (views of the full arrays).
    """
    n_units = out["hits"].size
    found, pos = _lookup_units(truth, unit.astype(np.int64) * truth.n_items + item, unit)
    unit = unit - offset
    is_rel = found & truth.relevant[pos]
    g = np.where(found, truth.gain[pos], 0.0)
    out["hits"] += np.bincount(unit, weights=is_rel, minlength=n_units)
    out["dcg"] += np.bincount(unit, weights=g * _discount(rank), minlength=n_units)
    # cumulative hits within each unit's list, for precision at each relevant rank
    cum = np.cumsum(is_rel)
    starts = np.flatnonzero(rank == 0)
    before = (cum - is_rel)[starts]
    cum_in_unit = cum - np.repeat(before, np.diff(np.r_[starts, unit.size]))
    out["ap_sum"] += np.bincount(
        unit, weights=is_rel * cum_in_unit / (rank + 1.0), minlength=n_units
    )
    # reciprocal rank of the first relevant row: relevant rows whose in-unit count is 1
    first_rel = is_rel & (cum_in_unit == 1)
    out["rr"][unit[first_rel]] = 1.0 / (rank[first_rel] + 1.0)
    out["length"] += np.bincount(unit, minlength=n_units)


def rating_errors(
    unit: np.ndarray, item: np.ndarray, predicted: np.ndarray, truth: TruthIndex
) -> tuple[dict[str, np.ndarray], int]:
    """Return per-unit sums of squared and absolute errors and counts, and the missing pairs.

    Only truth pairs with a finite prediction count; the second value is the number of truth
    pairs that have no prediction.
    """
    assert truth.rating is not None
    n_units = truth.n_units
    ok = np.isfinite(predicted)
    unit, item, predicted = unit[ok], item[ok], predicted[ok]
    found, pos = _lookup(truth, unit.astype(np.int64) * truth.n_items + item)
    u = unit[found]
    err = predicted[found] - truth.rating[pos[found]]
    stats = {
        "sq": np.bincount(u, weights=err * err, minlength=n_units),
        "abs": np.bincount(u, weights=np.abs(err), minlength=n_units),
        "count": np.bincount(u, minlength=n_units).astype(np.float64),
    }
    matched = np.bincount(pos[found], minlength=truth.key.size) > 0
    missing = int(truth.key.size - np.count_nonzero(matched))
    return stats, missing

"""Team-draft interleaving of two rankings (Radlinski, Kurup and Joachims, CIKM 2008).

Two rankers take turns, like captains picking teams: in each round a fair coin decides who picks
first, and each picks its highest-ranked item not yet shown. Every item shown is credited to the
ranker (team) that contributed it, so a click on it is a vote for that ranker.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from proxymetric._result import Result
from proxymetric._table import read_columns, require_columns
from proxymetric.errors import DataError, ProxymetricError

__all__ = ["Interleaving", "interleave_table", "team_draft"]

Item = str | int
Columns = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Interleaving(Result):
    """An interleaved list: ``items`` in display order and the ``teams`` (``a``/``b``) that
    contributed each."""

    items: tuple[Item, ...]
    teams: tuple[str, ...]


def _rng(seed: int | str) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int | str):
        raise ProxymetricError(f"`seed` must be an integer or a string; got {seed!r}")
    if isinstance(seed, str):
        seed = int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=8).digest(), "little")
    if seed < 0:
        raise ProxymetricError(f"`seed` == {seed!r}, must be >= 0")
    return np.random.default_rng(seed)


def _check_ranking(name: str, ranking: Sequence[Item]) -> None:
    seen: set[Item] = set()
    for item in ranking:
        if item in seen:
            raise ProxymetricError(f"`{name}` lists item {item!r} twice; a ranking has no repeats")
        seen.add(item)


def team_draft(
    ranking_a: Sequence[Item],
    ranking_b: Sequence[Item],
    *,
    seed: int | str,
    length: int | None = None,
) -> Interleaving:
    """Return the team-draft interleaving of two rankings, deterministic given ``seed``.

    ``seed`` is an integer or a string (a user or query id, hashed): the same seed always gives
    the same list, and a shorter ``length`` gives a prefix of a longer one. Without ``length``
    every item of either ranking is placed once. Teams stay balanced: after each round both
    rankers have contributed the same number of items, unless one has run out of new items.

    >>> team_draft(["m1", "m2", "m3"], ["m2", "m4", "m1"], seed=7)
    Interleaving(items=('m2', 'm1', 'm4', 'm3'), teams=('b', 'a', 'b', 'a'))
    """
    _check_ranking("ranking_a", ranking_a)
    _check_ranking("ranking_b", ranking_b)
    total = len(set(ranking_a) | set(ranking_b))
    if length is None:
        length = total
    if isinstance(length, bool) or not isinstance(length, int) or length < 0:
        raise ProxymetricError(f"`length` must be an integer >= 0; got {length!r}")
    rng = _rng(seed)
    placed: set[Item] = set()
    items: list[Item] = []
    teams: list[str] = []
    pos = {"a": 0, "b": 0}
    count = {"a": 0, "b": 0}
    rankings = {"a": ranking_a, "b": ranking_b}

    def next_item(team: str) -> Item | None:
        ranking = rankings[team]
        while pos[team] < len(ranking) and ranking[pos[team]] in placed:
            pos[team] += 1
        return ranking[pos[team]] if pos[team] < len(ranking) else None

    first = "a"
    while len(items) < min(length, total):
        if count["a"] == count["b"]:
            # a new round: a fair coin decides who picks first
            first = "a" if rng.random() < 0.5 else "b"
            team = first
        else:
            team = "a" if count["a"] < count["b"] else "b"
        item = next_item(team)
        if item is None:
            team = "b" if team == "a" else "a"
            item = next_item(team)
            assert item is not None  # fewer than `total` items are placed
        placed.add(item)
        items.append(item)
        teams.append(team)
        count[team] += 1
    return Interleaving(items=tuple(items), teams=tuple(teams))


def _check_ranks(rank: np.ndarray, unit: np.ndarray, ranker: np.ndarray) -> None:
    """Raise unless every rank is a whole number >= 1 (1 = top), naming the first bad row."""
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(rank) | (rank < 1) | (rank != np.floor(rank))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        value = rank[i]
        shown = "a missing value" if np.isnan(value) else f"{_plain(value)!r}"
        raise DataError(
            f"column `rank` must hold whole numbers >= 1 (1 = top); got {shown} for unit "
            f"{str(unit[i])!r}, ranker {str(ranker[i])!r} ({int(bad.sum())} bad row(s))"
        )


def _check_distinct_ranks(
    rank: np.ndarray, unit: np.ndarray, ranker: np.ndarray, items: np.ndarray
) -> None:
    """Raise if a ranker gives the same rank twice in one unit's list (rows sorted by rank)."""
    same = (unit[1:] == unit[:-1]) & (ranker[1:] == ranker[:-1]) & (rank[1:] == rank[:-1])
    if same.any():
        i = int(np.flatnonzero(same)[0])
        first, second = items[i : i + 2].tolist()
        raise DataError(
            f"column `rank` repeats rank {_plain(rank[i])!r} for unit {str(unit[i])!r}, ranker "
            f"{str(ranker[i])!r} (items {first!r} and {second!r}); the ranks of one "
            f"list must be distinct ({int(same.sum())} repeat(s))"
        )


def _plain(value: float) -> int | float:
    """Return a rank as an int when it is whole, so messages read ``2``, not ``2.0``."""
    return int(value) if np.isfinite(value) and value == np.floor(value) else float(value)


def interleave_table(source: Any, *, seed: int | str = 0, length: int | None = None) -> Columns:
    """Return interleaved lists for every unit of a rankings table.

    ``source`` has columns ``unit``, ``ranker`` (``a`` or ``b``), ``item`` and ``rank`` (a whole
    number from 1, the top; lower is better; distinct within one unit's list of a ranker).
    Each unit is interleaved with the seed ``f"{seed}:{unit}"``, so a unit's list never changes
    between runs. Returns columns ``unit``, ``position`` (from 1), ``item`` and
    ``team``.
    """
    cols = read_columns(source)
    require_columns(cols, ("unit", "ranker", "item", "rank"), "rankings")
    ranker = np.char.lower(np.char.strip(cols["ranker"].astype(str)))
    bad = ~np.isin(ranker, ("a", "b"))
    if bad.any():
        raise DataError(
            f"column `ranker` must hold 'a' or 'b'; got {str(cols['ranker'][bad][0])!r} "
            f"in {int(bad.sum())} rows"
        )
    try:
        rank = np.asarray(cols["rank"], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError("column `rank` must be numeric") from exc
    unit = cols["unit"].astype(str)
    items = cols["item"]
    _check_ranks(rank, unit, ranker)
    order = np.lexsort((rank, ranker, unit))
    unit, ranker, items, rank = unit[order], ranker[order], items[order], rank[order]
    _check_distinct_ranks(rank, unit, ranker, items)
    out_unit: list[str] = []
    out_pos: list[int] = []
    out_item: list[Any] = []
    out_team: list[str] = []
    bounds = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1], True])
    for start, stop in itertools.pairwise(bounds.tolist()):
        u = str(unit[start])
        r = ranker[start:stop]
        lists = [items[start:stop][r == t].tolist() for t in ("a", "b")]
        try:
            inter = team_draft(lists[0], lists[1], seed=f"{seed}:{u}", length=length)
        except ProxymetricError as exc:
            raise DataError(f"unit {u!r}: {exc}") from exc
        out_unit += [u] * len(inter.items)
        out_pos += list(range(1, len(inter.items) + 1))
        out_item += list(inter.items)
        out_team += list(inter.teams)
    return {
        "unit": np.array(out_unit, dtype=object),
        "position": np.array(out_pos, dtype=np.int64),
        "item": np.array(out_item, dtype=object),
        "team": np.array(out_team, dtype=object),
    }

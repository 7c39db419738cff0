"""Judgments of a blind pairwise test, validated and coded as integer arrays.

A judgment says which of two systems' outputs for the same item (a prompt, a query, a user) a
rater preferred: ``winner`` is ``a``, ``b`` or ``tie``. Optional columns: ``rater``, ``position``
(which output was shown first: ``a``/``b`` or the system's name), ``note``, ``tags`` and
``judge`` (who judged: a person, or the name of an automatic judge; see
:mod:`proxymetric.judges`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from proxymetric._table import read_columns, require_columns
from proxymetric.errors import DataError

__all__ = ["Judgments"]

_WINNERS = ("a", "b", "tie")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _codes(values: npt.NDArray[Any], column: str) -> tuple[tuple[str, ...], IntArray]:
    missing = _missing(values)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise DataError(
            f"column `{column}` has {int(missing.sum())} missing values (first at row {row})"
        )
    names, codes = np.unique(values.astype(str), return_inverse=True)
    return tuple(str(n) for n in names), codes.astype(np.int64)


@dataclasses.dataclass(frozen=True, eq=False)
class Judgments:
    """Coded judgments: system indices, outcomes and item codes, one entry per judgment.

    ``outcome`` is 1 when ``system_a`` won, 0 when ``system_b`` won and 0.5 for a tie.
    ``shown_first`` is 1 when ``system_a`` was shown first, 0 when ``system_b`` was, -1 unknown.
    Build one with :meth:`from_table` (or :meth:`from_codes` for already coded data).

    >>> j = Judgments.from_table({"item": [1, 1, 2], "system_a": ["x", "y", "x"],
    ...                           "system_b": ["y", "z", "z"], "winner": ["a", "tie", "B"]})
    >>> j.systems, j.outcome.tolist()
    (('x', 'y', 'z'), [1.0, 0.5, 0.0])
    """

    systems: tuple[str, ...]
    system_a: IntArray
    system_b: IntArray
    outcome: FloatArray
    item: IntArray
    n_items: int
    rater: IntArray | None = None
    raters: tuple[str, ...] = ()
    shown_first: IntArray | None = None
    note: npt.NDArray[Any] | None = None
    tags: npt.NDArray[Any] | None = None
    item_names: tuple[str, ...] = ()
    judge: IntArray | None = None
    judges: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.outcome.shape[0])

    @classmethod
    def from_codes(
        cls,
        system_a: npt.ArrayLike,
        system_b: npt.ArrayLike,
        outcome: npt.ArrayLike,
        item: npt.ArrayLike | None = None,
        *,
        systems: tuple[str, ...] | None = None,
    ) -> Judgments:
        """Return judgments from integer system indices and outcomes (1, 0.5 or 0).

        Without ``item`` every judgment is its own item. ``systems`` names the indices (default
        ``"0"``, ``"1"``, ...); every named system must appear in a judgment.
        """
        a = np.asarray(system_a, dtype=np.int64)
        b = np.asarray(system_b, dtype=np.int64)
        y = np.asarray(outcome, dtype=np.float64)
        if not (a.shape == b.shape == y.shape) or a.ndim != 1:
            raise DataError("`system_a`, `system_b` and `outcome` must be 1-d and equally long")
        n_sys = int(max(a.max(initial=-1), b.max(initial=-1))) + 1
        names = systems if systems is not None else tuple(str(i) for i in range(n_sys))
        if a.size and (min(a.min(), b.min()) < 0 or n_sys > len(names)):
            raise DataError(f"system indices must lie in 0..{len(names) - 1}")
        unused = np.setdiff1d(np.arange(len(names)), np.concatenate([a, b]))
        if unused.size:
            raise DataError(
                f"system {names[int(unused[0])]!r} has no judgments; "
                "`systems` must name only systems that were judged"
            )
        bad = ~np.isin(y, (0.0, 0.5, 1.0))
        if bad.any():
            raise DataError(
                f"`outcome` must be 1 (a won), 0 (b won) or 0.5 (tie); got {y[bad][0]!r}"
            )
        if item is None:
            codes = np.arange(a.size, dtype=np.int64)
        else:
            _, codes = np.unique(np.asarray(item), return_inverse=True)
            codes = codes.astype(np.int64)
        j = cls(names, a, b, y, codes, int(codes.max(initial=-1)) + 1)
        j._check_self()
        return j

    @classmethod
    def from_table(cls, source: Any, *, judge: str | None = None) -> Judgments:
        """Return judgments read from a CSV/Parquet path, a data frame or a mapping of columns.

        Required columns: ``item``, ``system_a``, ``system_b``, ``winner``; optional: ``rater``,
        ``position``, ``note``, ``tags``, ``judge``. With ``judge``, only the rows of that judge
        are kept (the ``judge`` column is then required). Raises
        :class:`~proxymetric.errors.DataError` naming the column and the bad value.
        """
        cols = read_columns(source)
        require_columns(cols, ("item", "system_a", "system_b", "winner"), "judgments")
        if judge is not None:
            cols = _rows_of_judge(cols, judge)
        n = len(cols["winner"])
        if n == 0:
            raise DataError("the judgments table has no rows")
        sa = cols["system_a"].astype(object)
        sb = cols["system_b"].astype(object)
        systems, codes = _codes(np.concatenate([sa, sb]), "system_a/system_b")
        a, b = codes[:n], codes[n:]
        winner = np.char.lower(np.char.strip(cols["winner"].astype(str)))
        bad = ~np.isin(winner, _WINNERS)
        if bad.any():
            values = ", ".join(repr(str(v)) for v in np.unique(cols["winner"][bad].astype(str))[:5])
            raise DataError(
                f"column `winner` must hold 'a', 'b' or 'tie'; got {values} "
                f"in {int(bad.sum())} rows"
            )
        y = np.where(winner == "a", 1.0, np.where(winner == "b", 0.0, 0.5))
        item_names, item = _codes(cols["item"].astype(object), "item")
        rater = None
        raters: tuple[str, ...] = ()
        if "rater" in cols:
            raters, rater = _codes(cols["rater"].astype(object), "rater")
        shown_first = None
        if "position" in cols:
            shown_first = _position(cols["position"], sa, sb)
        judge_codes = None
        judges: tuple[str, ...] = ()
        if "judge" in cols:
            judges, judge_codes = _codes(cols["judge"].astype(object), "judge")
        note = _text(cols["note"]) if "note" in cols else None
        tags = _text(cols["tags"]) if "tags" in cols else None
        j = cls(
            systems,
            a,
            b,
            y,
            item,
            int(item.max()) + 1,
            rater,
            raters,
            shown_first,
            note,
            tags,
            item_names,
            judge_codes,
            judges,
        )
        j._check_self()
        return j

    def _check_self(self) -> None:
        same = self.system_a == self.system_b
        if same.any():
            row = int(np.flatnonzero(same)[0])
            name = self.systems[int(self.system_a[row])]
            raise DataError(
                f"{int(same.sum())} judgments compare a system with itself "
                f"(first at row {row}: system_a == system_b == {name!r}); "
                "each judgment must compare two different systems"
            )


def _rows_of_judge(cols: dict[str, npt.NDArray[Any]], judge: str) -> dict[str, npt.NDArray[Any]]:
    if "judge" not in cols:
        listed = ", ".join(sorted(cols))
        raise DataError(f"`judge` {judge!r} needs a column `judge`; columns: {listed}")
    names = np.where(_missing(cols["judge"]), "", cols["judge"].astype(str))
    keep = names == judge
    if not keep.any():
        known = ", ".join(repr(str(n)) for n in np.unique(names)[:10])
        raise DataError(f"`judge` {judge!r} judged no row; judges in column `judge`: {known}")
    return {k: v[keep] for k, v in cols.items()}


def _position(values: npt.NDArray[Any], sa: npt.NDArray[Any], sb: npt.NDArray[Any]) -> IntArray:
    pos = values.astype(object)
    known = ~_missing(pos)
    text = np.where(known, pos.astype(str), "")
    lower = np.char.lower(np.char.strip(text.astype(str)))
    first_a = (lower == "a") | (known & (text == sa.astype(str)))
    first_b = (lower == "b") | (known & (text == sb.astype(str)))
    bad = known & ~(first_a | first_b)
    if bad.any():
        raise DataError(
            "column `position` must say which output was shown first: 'a', 'b' or the name of "
            f"system_a or system_b; got {str(text[bad][0])!r} in {int(bad.sum())} rows"
        )
    return np.where(first_a, 1, np.where(first_b, 0, -1)).astype(np.int64)


def _missing(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Return a mask of missing values (None or NaN), vectorised."""
    obj = values.astype(object)
    return np.asarray((obj == None) | (obj != obj), dtype=np.bool_)  # noqa: E711, PLR0124


def _text(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    obj = values.astype(object)
    return np.where(_missing(obj), "", obj.astype(str)).astype(object)

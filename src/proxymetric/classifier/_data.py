"""Reading a table of scored, labelled examples (the package's only reader).

One row is one example scored by one model: a ``score`` (higher means more likely positive; a
probability for the Brier score, the log loss and calibration), a ``label`` (1 or ``True`` for a
positive), and optionally a ``model`` (several models scoring the same examples, in long form),
an ``id`` that lines the models' rows up (without it, each model's rows are taken in the same
order), a ``weight`` (the inverse inclusion probability of a stratified sample), a ``group``
(fairness by group) and a ``stratum`` (the sampling stratum, kept by the bootstrap).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from proxymetric._table import Columns, read_columns
from proxymetric.errors import DataError

__all__ = ["ScoredExamples", "read_examples"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

_TRUE = {"1", "true", "yes", "positive", "pos", "t", "y"}
_FALSE = {"0", "false", "no", "negative", "neg", "f", "n"}


@dataclasses.dataclass(frozen=True, eq=False)
class ScoredExamples:
    """Scored, labelled examples as numpy arrays; every model scores the same examples.

    ``scores`` has one row per model (``scores[i]`` belongs to ``models[i]``) and one column per
    example; ``labels`` is ``True`` for a positive; ``weights`` are all 1 unless the table has a
    ``weight`` column; ``groups`` and ``strata`` are ``None`` unless the table has the column
    (their values are strings).
    """

    models: tuple[str, ...]
    scores: FloatArray
    labels: BoolArray
    weights: FloatArray
    groups: ObjectArray | None = None
    strata: ObjectArray | None = None

    @property
    def n(self) -> int:
        """The number of examples."""
        return int(self.labels.size)

    @property
    def weighted(self) -> bool:
        """Whether the examples carry weights other than 1."""
        return bool(np.any(self.weights != 1.0))

    def score(self, model: str) -> FloatArray:
        """Return the scores of ``model``; raises naming the models that exist."""
        if model not in self.models:
            listed = ", ".join(repr(m) for m in self.models)
            raise DataError(f"`model` {model!r} is not in the data; models: {listed}")
        row: FloatArray = self.scores[self.models.index(model)]
        return row


def _columns_list(cols: Columns) -> str:
    return ", ".join(sorted(cols)) or "(none)"


def _numeric(cols: Columns, param: str, name: str) -> FloatArray:
    values = cols[name]
    try:
        out = values.astype(np.float64)
    except (TypeError, ValueError):
        bad = next((v for v in values if not _is_number(v)), values[0])
        raise DataError(f"`{param}` column '{name}' must be numeric; got {_show(bad)}") from None
    missing = int(np.count_nonzero(~np.isfinite(out)))
    if missing:
        raise DataError(
            f"`{param}` column '{name}' has {missing} missing or non-finite values; "
            "every example needs a finite number"
        )
    return out


def _show(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _labels(values: npt.NDArray[Any], param: str, name: str, positive: Any) -> BoolArray:
    if positive is not None:
        if values.dtype.kind in "iufb":
            target = float(positive) if _is_number(positive) else positive
            return np.asarray(values == target, dtype=bool)
        return np.asarray(values.astype(str) == str(positive), dtype=bool)
    if values.dtype.kind == "b":
        return values.astype(bool)
    if values.dtype.kind in "iuf":
        ok = np.isin(values, (0, 1))
        if not ok.all():
            bad = values[~ok][0]
            raise DataError(
                f"`{param}` column '{name}' must hold 0/1 or true/false; got {_show(bad)} "
                "(pass `positive` to name the positive label)"
            )
        return np.asarray(values == 1, dtype=bool)
    text = np.char.lower(np.char.strip(values.astype(str)))
    pos, neg = np.isin(text, list(_TRUE)), np.isin(text, list(_FALSE))
    if not (pos | neg).all():
        bad = values[~(pos | neg)][0]
        raise DataError(
            f"`{param}` column '{name}' must hold 0/1 or true/false; got {_show(bad)} "
            "(pass `positive` to name the positive label)"
        )
    return np.asarray(pos, dtype=bool)


def _text(values: npt.NDArray[Any]) -> ObjectArray:
    if values.dtype.kind in "USb" or values.dtype.kind in "iu":
        return values.astype(str).astype(object)
    return np.asarray([str(v) for v in values.tolist()], dtype=object)


def read_examples(
    data: Any,
    *,
    score: str = "score",
    label: str = "label",
    model: str = "model",
    example_id: str = "id",
    weight: str = "weight",
    group: str = "group",
    stratum: str = "stratum",
    positive: Any = None,
    param: str = "data",
) -> ScoredExamples:
    """Return the scored, labelled examples of ``data`` as a :class:`ScoredExamples`.

    ``data`` is a CSV (optionally gzipped) or Parquet path, a pandas or polars data frame, or a
    mapping of column name to values. ``score`` and ``label`` name the required columns; the
    optional ``model``, ``id``, ``weight``, ``group`` and ``stratum`` columns are used when the
    table has them. ``positive`` names the positive label when labels are not 0/1 or true/false.
    Raises :class:`~proxymetric.errors.DataError` naming the columns that exist.

    >>> ex = read_examples({"score": [0.9, 0.2, 0.6], "label": [1, 0, 0]})
    >>> ex.models, ex.n, ex.labels.tolist()
    (('model',), 3, [True, False, False])
    """
    cols = read_columns(data)
    for name in (score, label):
        if name not in cols:
            raise DataError(f"`{param}` has no column '{name}'; columns: {_columns_list(cols)}")
    n_rows = len(cols[score])
    if n_rows == 0:
        raise DataError(f"`{param}` has no rows")
    scores = _numeric(cols, param, score)
    labels = _labels(cols[label], param, label, positive)
    weights = _numeric(cols, param, weight) if weight in cols else np.ones(n_rows)
    if weight in cols and np.any(weights <= 0):
        bad = weights[weights <= 0][0]
        raise DataError(f"`{param}` column '{weight}' must be positive; got {_show(bad)}")
    groups = _text(cols[group]) if group in cols else None
    strata = _text(cols[stratum]) if stratum in cols else None

    if model not in cols:
        return ScoredExamples(("model",), scores[None, :], labels, weights, groups, strata)

    names = _text(cols[model])
    models = tuple(dict.fromkeys(names.tolist()))
    rows = [np.flatnonzero(names == m) for m in models]
    if example_id in cols:
        ids = _text(cols[example_id])
        order = []
        for m, r in zip(models, rows, strict=True):
            dup = len(set(ids[r].tolist())) != r.size
            if dup:
                raise DataError(f"`{param}` model {m!r} has a repeated '{example_id}'")
            order.append(r[np.argsort(ids[r], kind="stable")])
        rows = order
        first = ids[rows[0]]
        for m, r in zip(models[1:], rows[1:], strict=True):
            if r.size != first.size or np.any(ids[r] != first):
                raise DataError(
                    f"`{param}` model {m!r} does not score the same examples as {models[0]!r}; "
                    f"every model needs one row per '{example_id}'"
                )
    sizes = {r.size for r in rows}
    if len(sizes) > 1:
        counts = ", ".join(f"{m!r}: {r.size}" for m, r in zip(models, rows, strict=True))
        raise DataError(
            f"`{param}` models score different numbers of examples ({counts}); every model "
            f"must score the same examples (add an '{example_id}' column to line them up)"
        )
    base = rows[0]
    for m, r in zip(models[1:], rows[1:], strict=True):
        if np.any(labels[r] != labels[base]):
            raise DataError(
                f"`{param}` model {m!r} has other labels than {models[0]!r} for the same "
                f"examples; rows of each model must be in the same order (or add an "
                f"'{example_id}' column)"
            )
    return ScoredExamples(
        models=models,
        scores=np.stack([scores[r] for r in rows]),
        labels=labels[base],
        weights=weights[base],
        groups=None if groups is None else groups[base],
        strata=None if strata is None else strata[base],
    )

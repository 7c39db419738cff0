"""Capping (winsorization) of metric columns, in the engine.

A capped column is the column with every value above the cap replaced by the cap, and a 0/1
column marks the units above it (its mean is the share of units capped); both are
expressions of the table, so the moments query computes their sums in its one pass. A cap
given as a percentile is the quantile of the pooled values of every assigned row, computed by
one aggregate query first (an exact, interpolated quantile on DuckDB and PostgreSQL, as
``numpy.quantile``; Spark's ``percentile_approx`` approximates it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np

from proxymetric.data._engine import engine_errors
from proxymetric.data.moments import _numeric
from proxymetric.errors import DataError

__all__ = ["CapRequest", "capped_table"]


@dataclass(frozen=True)
class CapRequest:
    """Cap ``column`` at ``value``, or at its ``quantile`` (0 to 1) of the pooled data.

    ``capped`` and ``over`` name the capped column and the 0/1 column of the units above the
    cap; ``owner`` says who asked, for messages.
    """

    column: str
    capped: str
    over: str
    value: float | None
    quantile: float | None
    owner: str


def capped_table(
    table: ir.Table,
    variant: str,
    caps: Mapping[str, CapRequest],
    *,
    fill: Mapping[str, float] | None = None,
    source: str = "data",
) -> tuple[ir.Table, dict[str, float]]:
    """Return ``table`` with the capped and 0/1 columns of every request, and each cap's value.

    ``caps`` maps a key (a metric name) to its request; the values are by key. ``fill``
    replaces missing values first, as in the moments. A percentile cap needs one query; a
    percentile of a column with no values raises a :class:`DataError`.
    """
    fill = fill or {}

    def value_of(column: str) -> ir.FloatingValue:
        v = _numeric(table, column, source)
        return v.fill_null(float(fill[column])) if column in fill else v

    values: dict[str, float] = {k: float(c.value) for k, c in caps.items() if c.value is not None}
    quantiles = {k: c for k, c in caps.items() if c.quantile is not None}
    if quantiles:
        rows = table.filter(table[variant].notnull())
        aggs = {
            f"_p{i}": value_of(c.column).quantile(c.quantile)
            for i, c in enumerate(quantiles.values())
        }
        with engine_errors(f"the query of the caps on source {source!r} failed"):
            row = rows.aggregate(**aggs).to_pyarrow().to_pylist()[0]
        for i, (key, c) in enumerate(quantiles.items()):
            found = row[f"_p{i}"]
            if not isinstance(found, int | float) or not np.isfinite(found):
                raise DataError(
                    f"the cap of {c.owner} (p{100 * (c.quantile or 0):g} of column {c.column!r} "
                    f"of source {source!r}) is undefined: the column has no values"
                )
            values[key] = float(found)
    columns: dict[str, ir.Value] = {}
    for key, c in caps.items():
        v, cap = value_of(c.column), ibis.literal(values[key], type="float64")
        columns[c.capped] = ibis.ifelse(v > cap, cap, v)
        # Integer literals: Spark reads 1.0 as a DECIMAL.
        columns[c.over] = ibis.ifelse(v > cap, 1, 0).cast("float64")
    return table.mutate(**columns), values

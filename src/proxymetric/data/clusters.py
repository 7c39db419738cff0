"""A unit table measured per analysis unit, summed to its randomization units in the engine.

When a test randomizes one unit (a store, a classroom, a user) and measures another (orders,
sessions, queries), the rows are not independent: the analysis is of the randomization units,
whose per-unit sums and row counts carry everything a mean per analysis unit needs (a ratio of
sums, by the delta method). :func:`unit_sums` is that aggregation, as an Ibis expression the
moments query then reads, so the rows never leave the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir

from proxymetric.data.moments import _numeric

__all__ = ["unit_sums"]


def unit_sums(
    table: ir.Table,
    unit: str,
    variant: str,
    columns: Sequence[str],
    rows: str,
    *,
    fill: Mapping[str, float] | None = None,
    source: str = "data",
    keys: Sequence[str] = (),
) -> ir.Table:
    """Return one row per (unit, variant) of ``table``: the sum of each of ``columns`` and the
    number of rows (``rows``).

    ``fill`` replaces missing values of a column before the sum, as in the moments; a unit
    with a missing value left in a column has no sum of it (NULL), so the analysis counts it
    as missing instead of averaging the rows that happen to have a value. Rows without a
    unit id are left out; rows without a variant keep a NULL variant, which the moments query
    counts as unassigned. A unit in two variants gives two rows, which the unit check reports.
    ``keys`` are further columns to keep, constant within a unit (its segments): a unit whose
    rows disagree on one also gives two rows, and the unit check reports it.
    """
    fill = fill or {}
    kept = table.filter(table[unit].notnull())
    sums: dict[str, ir.Value] = {}
    for column in columns:
        value = _numeric(kept, column, source)
        if column in fill:
            sums[column] = value.fill_null(float(fill[column])).sum()
        else:
            complete = value.count() == kept.count()
            sums[column] = ibis.ifelse(complete, value.sum(), ibis.null("float64"))
    sums[rows] = kept.count().cast("float64")
    return kept.group_by([kept[unit], kept[variant], *(kept[k] for k in keys)]).aggregate(**sums)

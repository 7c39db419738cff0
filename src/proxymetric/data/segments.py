"""Segment dimensions as engine expressions: a column's values, or labels derived from them.

A segment is a plain column (its values, as text) or a declared
:class:`~proxymetric.spec.model.SegmentDimension`: a mapping of values to labels, or numeric
bins. Either way it is one text expression the moments query groups by (a ``CASE`` for a
derived one), so the labels are computed by the engine and no row leaves it. A missing value
is NULL (the segment :data:`~proxymetric.data.moments.MISSING_SEGMENT`).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from proxymetric.errors import DataError
from proxymetric.spec.model import SegmentDimension

__all__ = [
    "UNLISTED_SEGMENT",
    "Segment",
    "distinct",
    "segment_column",
    "segment_name",
    "segment_value",
]

# The label of the values a mapping does not list (the pool of rare values too).
UNLISTED_SEGMENT = "other"

Segment = str | SegmentDimension


def segment_name(segment: Segment) -> str:
    """The name of a segment dimension: its ``name``, or the column's for a plain column."""
    return segment if isinstance(segment, str) else segment.name


def segment_column(segment: Segment) -> str:
    """The column a segment dimension reads."""
    return segment if isinstance(segment, str) else segment.column


def distinct(segments: Sequence[Segment]) -> list[Segment]:
    """The segments with the first of each name only."""
    out: dict[str, Segment] = {}
    for s in segments:
        out.setdefault(segment_name(s), s)
    return list(out.values())


def segment_value(table: ir.Table, segment: Segment, source: str) -> ir.StringValue:
    """The segment of every row of ``table`` as text (NULL for a missing value)."""
    if isinstance(segment, str):
        return table[segment].cast("string")
    col = table[segment.column]
    dtype = col.type()
    where = f"column {segment.column!r} of source {source!r}"
    if segment.values is not None:
        if not (dtype.is_string() or dtype.is_integer()):
            raise DataError(
                f"`values` of segment {segment.name!r} map text or integer values, but {where} "
                f"has type {dtype}" + ("; give it `bins` instead" if dtype.is_numeric() else "")
            )
        text = col.cast("string")
        mapped = ibis.cases(
            *((text.isin(listed), ibis.literal(label)) for label, listed in segment.values.items()),
            else_=ibis.literal(UNLISTED_SEGMENT),
        )
        return ibis.ifelse(col.isnull(), ibis.null("string"), mapped)
    assert segment.bins is not None
    if not dtype.is_numeric() or dtype.is_boolean():
        raise DataError(
            f"`bins` of segment {segment.name!r} need a numeric column, but {where} has type "
            f"{dtype}" + ("; give it `values` instead" if dtype.is_string() else "")
        )
    x = col.cast("float64")
    missing = x.isnull() | x.isnan() if dtype.is_floating() else x.isnull()
    labels = segment.labels()
    # the first edge above the value decides: a value on an edge is in the bin that starts there
    below = zip(segment.bins, labels, strict=False)  # each edge with the label below it
    binned = ibis.cases(
        *((x < edge, ibis.literal(label)) for edge, label in below),
        else_=ibis.literal(labels[-1]),
    )
    return ibis.ifelse(missing, ibis.null("string"), binned)

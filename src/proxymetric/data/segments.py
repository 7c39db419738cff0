"""Segment dimensions as engine expressions: a column's values, or labels derived from them.

A segment is a plain column (its values, as text) or a declared
:class:`~proxymetric.spec.model.SegmentDimension`: a mapping of values to labels, or numeric
bins. Either way it is one expression the moments query groups by (for a derived one, a
``CASE`` that gives the code of each row's label), so the labels are computed by the engine
and no row leaves it. A missing value is NULL (the segment
:data:`~proxymetric.data.moments.MISSING_SEGMENT`).
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
    "segment_codes",
    "segment_column",
    "segment_label",
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


def segment_codes(segment: SegmentDimension) -> list[str]:
    """The labels of a derived dimension by their code in the query (declared order, then
    ``"other"`` for the values a mapping does not list)."""
    labels = segment.labels()
    return [*labels, UNLISTED_SEGMENT] if segment.values is not None else labels


def segment_label(segment: Segment, value: object) -> str:
    """The segment of a (non-missing) value :func:`segment_value` gave."""
    if isinstance(segment, str):
        return str(value)
    return segment_codes(segment)[int(str(value))]


def segment_value(table: ir.Table, segment: Segment, source: str) -> ir.Value:
    """The segment of every row of ``table``: a plain column's value as text, or the code of
    a derived label (its place in :func:`segment_codes`, a small integer, which the engine
    groups by faster than text); NULL for a missing value."""
    if isinstance(segment, str):
        return table[segment].cast("string")
    col = table[segment.column]
    dtype = col.type()
    where = f"column {segment.column!r} of source {source!r}"
    codes = segment_codes(segment)

    def code(label: str) -> ir.Value:
        return ibis.literal(codes.index(label), type="int32")

    if segment.values is not None:
        if not (dtype.is_string() or dtype.is_integer()):
            raise DataError(
                f"`values` of segment {segment.name!r} map text or integer values, but {where} "
                f"has type {dtype}" + ("; give it `bins` instead" if dtype.is_numeric() else "")
            )
        text = col if dtype.is_string() else col.cast("string")
        return ibis.cases(
            (col.isnull(), ibis.null("int32")),
            *((text.isin(listed), code(label)) for label, listed in segment.values.items()),
            else_=code(UNLISTED_SEGMENT),
        )
    assert segment.bins is not None
    if not dtype.is_numeric() or dtype.is_boolean():
        raise DataError(
            f"`bins` of segment {segment.name!r} need a numeric column, but {where} has type "
            f"{dtype}" + ("; give it `values` instead" if dtype.is_string() else "")
        )
    missing = col.isnull() | col.isnan() if dtype.is_floating() else col.isnull()
    labels = segment.labels()
    # the first edge above the value decides: a value on an edge is in the bin that starts there
    below = zip(segment.bins, labels, strict=False)  # each edge with the label below it
    return ibis.cases(
        (missing, ibis.null("int32")),
        *((col < edge, code(label)) for edge, label in below),
        else_=code(labels[-1]),
    )

"""Event-level experiments: assignment log + event logs -> per-unit metrics -> moments, one query.

The query, built lazily and run once:

1. **assignments**: the assignment source (unit, variant, timestamp), optionally filtered by an
   exposure filter, grouped per unit: the unit's first assignment time ``t0`` (over the rows
   that have a variant: a row without one assigns nothing) and its number of distinct variants.
   Units assigned to more than one variant, units with no variant and units whose assignments
   have no timestamp (no ``t0``, so no window) are kept apart and counted.
2. **events**: each event source is joined to the units on the unit column and aggregated per
   unit with conditional aggregates (the window ``[t0 - pre, t0 + window)`` is a condition of
   the join): the analysis window ``[t0, t0 + window)`` for the metric and
   the pre-period ``[t0 - pre, t0)`` for its CUPED covariate. An event exactly at ``t0`` belongs
   to the analysis window, one exactly at ``t0 + window`` to neither.
3. **units**: assignments left-joined to every event aggregate; a unit with no events has 0.
4. **moments**: grouped by variant (see :func:`~proxymetric.data.moments.variant_moments`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.types as ir

from proxymetric.data.filters import translate_filter
from proxymetric.data.moments import (
    MISSING_SEGMENT,
    MULTIPLE,
    NO_TIMESTAMP,
    VariantMoments,
    variant_moments,
)
from proxymetric.data.segments import (
    Segment,
    segment_column,
    segment_label,
    segment_name,
    segment_value,
)
from proxymetric.data.sources import SourceResolver, check_columns
from proxymetric.errors import DataError
from proxymetric.spec.model import SourceSpec

__all__ = [
    "ALL_UNITS",
    "AssignmentRequest",
    "EventAggregate",
    "assigned_units",
    "event_moments",
    "event_rows",
    "first_event_units",
    "shared_groups",
    "unit_metrics",
]

# Per-unit aggregates of event logs are summed unshifted: reading a typical value first would
# cost a second pass over the joins, and they are counts and sums that are 0 for every unit
# without events, so their spread is of the order of their mean (no digits are lost).
EVENT_SHIFT: dict[str, float] = {}

# The single "variant" of a planned test that has no assignment yet (units from the event log).
ALL_UNITS = "all"

AggregateKind = Literal["sum", "count", "count_distinct", "max", "any"]


@dataclass(frozen=True)
class EventAggregate:
    """One per-unit aggregate of an event source over the analysis window or the pre-period."""

    source: str
    aggregate: AggregateKind
    column: str | None
    filter: str | None
    period: Literal["analysis", "pre"]
    owner: str  # who asked for it, for messages: "metric 'revenue'"


@dataclass(frozen=True)
class AssignmentRequest:
    """The assignment source of an experiment and its windows (in days)."""

    source: str
    window_days: float | None
    pre_period_days: float
    exposure_filter: str | None = None
    segments: tuple[Segment, ...] = ()


def _seconds(days: float) -> ir.IntervalScalar:
    return ibis.interval(seconds=round(days * 86400))


def _timestamp(table: ir.Table, column: str, source: str) -> ir.TimestampValue:
    col = table[column]
    dtype = col.type()
    if dtype.is_timestamp():
        return col
    if dtype.is_date() or dtype.is_string():
        return col.cast("timestamp")
    raise DataError(
        f"column {column!r} of source {source!r} has type {dtype}; timestamps must be timestamp, "
        "date or ISO-8601 text"
    )


def assigned_units(
    resolver: SourceResolver, sources: Mapping[str, SourceSpec], request: AssignmentRequest
) -> ir.Table:
    """Units of the assignment log: ``_unit``, ``_variant`` and ``_t0``, the first assignment
    time; only assignments that pass the exposure filter count.

    ``_variant`` is MULTIPLE for a unit assigned to several variants, NULL for one with no
    variant and NO_TIMESTAMP for one whose assignment rows have no timestamp; rows without a
    variant do not set ``_t0``. Each segment of the request is kept as ``_seg{i}``, its
    value (or the code of its derived label) at the unit's first assignment."""
    spec = sources[request.source]
    assert spec.unit is not None
    assert spec.variant is not None
    assert spec.timestamp is not None
    table = resolver.table(request.source, spec)
    check_columns(
        request.source,
        spec,
        table,
        [spec.unit, spec.variant, spec.timestamp, *map(segment_column, request.segments)],
    )
    if request.exposure_filter:
        table = table.filter(
            translate_filter(
                request.exposure_filter, table, where=f"exposure filter of {request.source!r}"
            )
        )
    variant = table[spec.variant].cast("string")
    when = _timestamp(table, spec.timestamp, request.source)
    grouped = table.group_by(table[spec.unit].name("_unit")).aggregate(
        _nvariants=variant.nunique(),
        _variant=variant.min(),
        _t0=when.min(where=variant.notnull()),
        **{
            f"_seg{i}": segment_value(table, c, request.source).argmin(
                when, where=variant.notnull()
            )
            for i, c in enumerate(request.segments)
        },
    )
    return grouped.mutate(
        _variant=ibis.cases(
            (grouped._nvariants > 1, ibis.literal(MULTIPLE)),
            (grouped._variant.notnull() & grouped._t0.isnull(), ibis.literal(NO_TIMESTAMP)),
            else_=grouped._variant,
        )
    ).drop("_nvariants")


def first_event_units(
    resolver: SourceResolver, name: str, spec: SourceSpec, exposure_filter: str | None
) -> ir.Table:
    """Units of a test not yet assigned: each unit of an event log from its first event, all in
    one variant ``ALL_UNITS`` (for planning from the event log alone)."""
    assert spec.unit is not None
    assert spec.timestamp is not None
    table = resolver.table(name, spec)
    check_columns(name, spec, table, [spec.unit, spec.timestamp])
    if exposure_filter:
        table = table.filter(
            translate_filter(exposure_filter, table, where=f"exposure filter of {name!r}")
        )
    grouped = table.group_by(table[spec.unit].name("_unit")).aggregate(
        _t0=_timestamp(table, spec.timestamp, name).min(),
    )
    variant = ibis.ifelse(grouped._t0.isnull(), ibis.literal(NO_TIMESTAMP), ALL_UNITS)
    return grouped.select("_unit", _variant=variant, _t0=grouped._t0)


def _aggregate(
    value: ir.Column | None, rows: ir.Column, cond: ir.BooleanValue, kind: str
) -> ir.Scalar:
    """One SQL aggregate; ``rows`` is a column that is never NULL where ``cond`` holds."""
    if kind == "sum":
        assert value is not None
        return value.cast("float64").sum(where=cond)
    if kind == "count":
        return (value if value is not None else rows).count(where=cond)
    if kind == "count_distinct":
        assert value is not None
        return value.nunique(where=cond)
    assert value is not None
    return value.cast("float64").max(where=cond)


def _check_unit_types(
    name: str, column: str, events: ir.Table, units_source: str, units: ir.Table
) -> None:
    """Raise when the unit ids of an event source cannot be compared with the units'."""
    got, want = events[column].type(), units._unit.type()
    same_kind = (got.is_numeric() and want.is_numeric()) or (got.is_string() and want.is_string())
    if got != want and not same_kind:
        raise DataError(
            f"the unit ids of source {name!r} (column {column!r}, {got}) and of source "
            f"{units_source!r} ({want}) have different types, so no event can be matched to a "
            "unit; store them with one type (a CSV file with a header only reads every column "
            "as text)"
        )


def _event_aggregates(
    resolver: SourceResolver,
    name: str,
    spec: SourceSpec,
    units: ir.Table,
    aggregates: Mapping[str, EventAggregate],
    request: AssignmentRequest,
    prefix: str,
) -> tuple[ir.Table, dict[str, str]]:
    """Per-unit aggregates of one event source, and the column that holds each requested key.

    Identical requests share one column (a metric's count that is also a ratio's numerator).
    """
    assert spec.unit is not None
    assert spec.timestamp is not None
    events = resolver.table(name, spec)
    needed = [spec.unit, spec.timestamp] + [a.column for a in aggregates.values() if a.column]
    check_columns(name, spec, events, needed)
    # Filters are checked and translated against the event source's own columns, and carried
    # through the join as boolean columns (one per distinct filter), so they can never see the
    # join's internal columns.
    filters = list(dict.fromkeys(a.filter for a in aggregates.values() if a.filter))
    owners = {a.filter: a.owner for a in aggregates.values() if a.filter}
    flags = {
        f"_f{i}": translate_filter(text, events, where=owners[text])
        for i, text in enumerate(filters)
    }
    _check_unit_types(name, spec.unit, events, request.source, units)
    columns = [a.column for a in aggregates.values() if a.column]
    joined = _in_window(
        events, name, spec, units, request, columns, ["_unit", "_t0"], pre_period=True, flags=flags
    )
    # Rows are in [t0 - pre, t0 + window) now, so each period is one comparison with t0.
    in_analysis = joined._ts >= joined._t0
    in_pre = joined._ts < joined._t0
    # Identical aggregates are computed once ("any" is a count of matching events above 0).
    sql_aggs: dict[tuple[str, str | None, str | None, str], str] = {}
    exprs: dict[str, ir.Scalar] = {}
    outputs: dict[str, tuple[str, bool]] = {}
    for key, a in aggregates.items():
        kind = "count" if a.aggregate == "any" else a.aggregate
        column = None if a.aggregate == "any" else a.column
        spec_key = (kind, column, a.filter, a.period)
        if spec_key not in sql_aggs:
            alias = sql_aggs[spec_key] = f"{prefix}{len(sql_aggs)}"
            cond = in_analysis if a.period == "analysis" else in_pre
            if a.filter:
                cond = cond & joined[f"_f{filters.index(a.filter)}"]
            exprs[alias] = _aggregate(joined[column] if column else None, joined._ts, cond, kind)
        outputs[key] = (sql_aggs[spec_key], a.aggregate == "any")
    per_unit = joined.group_by("_unit").aggregate(**exprs)
    # Integer literals: Spark reads 1.0 as a DECIMAL.
    anys = {f"{alias}_any" for alias, is_any in outputs.values() if is_any}
    per_unit = per_unit.mutate(
        **{name: ibis.ifelse(per_unit[name.removesuffix("_any")] > 0, 1, 0) for name in anys}
    )
    names = {key: f"{alias}_any" if is_any else alias for key, (alias, is_any) in outputs.items()}
    return per_unit, names


def event_rows(
    resolver: SourceResolver,
    sources: Mapping[str, SourceSpec],
    request: AssignmentRequest,
    name: str,
    columns: Sequence[str],
    where: str | None,
    owner: str,
    *,
    units: ir.Table | None = None,
) -> ir.Table:
    """The events of source ``name`` in each unit's analysis window ``[t0, t0 + window)``
    that pass the filter ``where``: ``_unit``, ``_variant`` and ``columns``, one row per
    event, for the metrics of the events themselves (a quantile of their values). Nothing
    runs."""
    spec = sources[name]
    assert spec.unit is not None
    assert spec.timestamp is not None
    if units is None:
        units = assigned_units(resolver, sources, request)
    events = resolver.table(name, spec)
    check_columns(name, spec, events, [spec.unit, spec.timestamp, *columns])
    if where:
        events = events.filter(translate_filter(where, events, where=owner))
    _check_unit_types(name, spec.unit, events, request.source, units)
    joined = _in_window(events, name, spec, units, request, columns, ["_unit", "_variant", "_t0"])
    return joined.select("_unit", "_variant", *dict.fromkeys(columns))


def _in_window(
    events: ir.Table,
    name: str,
    spec: SourceSpec,
    units: ir.Table,
    request: AssignmentRequest,
    columns: Sequence[str],
    keep: list[str],
    *,
    pre_period: bool = False,
    flags: Mapping[str, ir.BooleanValue] | None = None,
) -> ir.Table:
    """The events of source ``name`` (their ``_ts``, ``_key``, ``columns`` and ``flags``) joined
    to the columns ``keep`` of each unit, within its window: from ``t0`` (or ``t0 - pre``, with
    ``pre_period``) to ``t0 + window``. The window is a condition of the join, so events
    outside it are never joined."""
    assert spec.unit is not None
    assert spec.timestamp is not None
    events = events.select(
        _ts=_timestamp(events, spec.timestamp, name),
        _key=events[spec.unit],
        **{c: events[c] for c in dict.fromkeys(columns)},
        **(flags or {}),
    )
    starts = units.select(*keep)
    start = starts._t0 - _seconds(request.pre_period_days) if pre_period else starts._t0
    on = [events._key == starts._unit, events._ts >= start]
    if request.window_days is not None:
        on.append(events._ts < starts._t0 + _seconds(request.window_days))
    return events.inner_join(starts, on)


def unit_metrics(
    resolver: SourceResolver,
    sources: Mapping[str, SourceSpec],
    request: AssignmentRequest,
    aggregates: Mapping[str, EventAggregate],
    *,
    units: ir.Table | None = None,
) -> tuple[ir.Table, dict[str, str]]:
    """Return the per-unit table of an event-level experiment, and where each aggregate is.

    The table has ``_unit``, ``_variant``, ``_t0`` and one float column per distinct aggregate
    (units without events hold 0); the mapping gives, for each key of ``aggregates``, the
    column that holds it (identical requests share a column). ``units`` defaults to
    :func:`assigned_units`. Nothing runs: the caller groups the table as it needs.
    """
    if units is None:
        units = assigned_units(resolver, sources, request)
    table = units
    by_source: dict[str, dict[str, EventAggregate]] = {}
    for key, a in aggregates.items():
        by_source.setdefault(a.source, {})[key] = a
    column_of: dict[str, str] = {}
    for i, (name, group) in enumerate(by_source.items()):
        per_unit, names = _event_aggregates(
            resolver, name, sources[name], units, group, request, prefix=f"_s{i}_"
        )
        column_of.update(names)
        table = table.left_join(per_unit, table._unit == per_unit._unit).drop("_unit_right")
    columns = list(dict.fromkeys(column_of.values()))
    table = table.mutate(**{c: table[c].cast("float64").fill_null(0.0) for c in columns})
    return table, column_of


def shared_groups(
    groups: Sequence[Sequence[str]] | None, column_of: Mapping[str, str]
) -> list[list[str]] | None:
    """Map covariance groups of aggregate keys to the columns that hold them."""
    return None if groups is None else [[column_of[k] for k in g] for g in groups]


def event_moments(
    resolver: SourceResolver,
    sources: Mapping[str, SourceSpec],
    request: AssignmentRequest,
    aggregates: Mapping[str, EventAggregate],
    groups: Sequence[Sequence[str]] | None = None,
    folds: bool = False,
) -> VariantMoments:
    """Return per-variant moments of the per-unit ``aggregates`` (column name -> aggregate).

    Everything, from the assignment log to the moments, runs as one query in the engine.
    ``groups`` is passed to :func:`~proxymetric.data.moments.variant_moments`; ``folds`` splits
    each variant's units into two halves by a hash of the unit.
    """
    table, column_of = unit_metrics(resolver, sources, request, aggregates)
    columns = list(dict.fromkeys(column_of.values()))
    mapped = shared_groups(groups, column_of)
    vm = variant_moments(
        table,
        "_variant",
        columns,
        source=request.source,
        groups=mapped,
        fold_unit="_unit" if folds else None,
        shift=EVENT_SHIFT,
        segments=[f"_seg{i}" for i in range(len(request.segments))],
    )
    keys = list(aggregates)
    sources_of_keys = [column_of[k] for k in keys]
    segments = {
        segment_name(c): {
            (g if g == MISSING_SEGMENT else segment_label(c, g)): {
                v: m.rename(keys, sources_of_keys) for v, m in per.items()
            }
            for g, per in vm.segments[f"_seg{i}"].items()
        }
        for i, c in enumerate(request.segments)
    }
    return VariantMoments(
        {v: m.rename(keys, sources_of_keys) for v, m in vm.moments.items()},
        vm.missing,
        vm.unassigned,
        vm.multiple,
        {
            v: (f0.rename(keys, sources_of_keys), f1.rename(keys, sources_of_keys))
            for v, (f0, f1) in vm.folds.items()
        },
        vm.no_timestamp,
        segments,
    )

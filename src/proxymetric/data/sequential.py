"""Moments per look: per day of first assignment (event logs) or per snapshot (summaries).

A running test is looked at again and again. Two kinds of data have looks:

- **event logs** (an assignment log and event logs): :func:`daily_event_moments` runs ONE query
  that builds the per-unit metrics with the windows of
  :func:`~proxymetric.data.events.event_moments` (a test checks that both agree), and
  groups them by variant *and by the calendar day of each unit's first assignment*. Python
  receives one row per variant and day and accumulates them with :meth:`Moments.merge`
  (moments are mergeable, Chan et al. 1983), so the look at the end of day ``d`` holds every
  unit assigned by then. Each unit enters a look with its metric over its analysis window: the
  looks replay the test as if each unit's outcome were known when it was assigned, which keeps
  the looks nested (each look's units include the previous look's, with the same values), the
  condition under which always-valid inference holds. The same per-day counts of new units are
  the accrual curve of :mod:`proxymetric.design.plan`.
- **summary statistics with a snapshot column** (cumulative snapshots, as in the ASOS data set):
  :func:`snapshot_moments` returns the per-variant moments of every snapshot, in one query.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from proxymetric.data._engine import engine_errors
from proxymetric.data.events import AssignmentRequest, EventAggregate
from proxymetric.data.filters import translate_filter
from proxymetric.data.moments import MULTIPLE, variant_moments
from proxymetric.data.sources import SourceResolver, check_columns
from proxymetric.errors import DataError
from proxymetric.spec.model import SourceSpec
from proxymetric.stats.moments import Moments

__all__ = [
    "ALL_UNITS",
    "DailyMoments",
    "SnapshotMoments",
    "daily_event_moments",
    "snapshot_moments",
]

# The single "variant" of a planned test that has no assignment yet (units from the event log).
ALL_UNITS = "all"
_SEP = "\x1f"  # separates the variant from the day in the grouping key
_MAX_SNAPSHOT_ROWS = 100_000


@dataclass(frozen=True)
class DailyMoments:
    """Per variant, the moments of the units first assigned on each day.

    Attributes:
        dates: the calendar days from the first assignment to the last, every day included
            (``dates[0]`` is day 1).
        columns: the per-unit columns of the moments.
        moments: per variant, one :class:`Moments` per day of ``dates`` (the units *first
            assigned that day*, not cumulative; use :meth:`cumulative`).
        unassigned: units with no variant (excluded).
        multiple: units assigned to more than one variant (excluded).
    """

    dates: tuple[dt.date, ...]
    columns: tuple[str, ...]
    moments: dict[str, tuple[Moments, ...]] = field(default_factory=dict)
    unassigned: int = 0
    multiple: int = 0

    def cumulative(self, variant: str) -> tuple[Moments, ...]:
        """Return the moments of ``variant`` at the end of each day (all units so far)."""
        out: list[Moments] = []
        total = Moments.empty(self.columns)
        for m in self.moments[variant]:
            total = total.merge(m)
            out.append(total)
        return tuple(out)

    def total(self, variant: str) -> Moments:
        """Return the moments of every unit of ``variant``."""
        return self.cumulative(variant)[-1]

    def new_units(self) -> tuple[int, ...]:
        """Return, per day, the units first assigned that day (all variants together)."""
        return tuple(
            sum(per_day[i].count for per_day in self.moments.values())
            for i in range(len(self.dates))
        )


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


def _filtered(resolver: SourceResolver, name: str, spec: SourceSpec, where: str | None) -> ir.Table:
    table = resolver.table(name, spec)
    if where:
        table = table.filter(translate_filter(where, table, where=f"exposure filter of {name!r}"))
    return table


def _assigned_units(
    resolver: SourceResolver, sources: Mapping[str, SourceSpec], request: AssignmentRequest
) -> ir.Table:
    """Units of an assignment log: first assignment time and variant (MULTIPLE if several)."""
    spec = sources[request.source]
    assert spec.unit is not None
    assert spec.variant is not None
    assert spec.timestamp is not None
    check_columns(
        request.source,
        spec,
        resolver.table(request.source, spec),
        [spec.unit, spec.variant, spec.timestamp],
    )
    table = _filtered(resolver, request.source, spec, request.exposure_filter)
    variant = table[spec.variant].cast("string")
    grouped = table.group_by(table[spec.unit].name("_unit")).aggregate(
        _nvariants=variant.nunique(),
        _variant=variant.min(),
        _t0=_timestamp(table, spec.timestamp, request.source).min(),
    )
    return grouped.mutate(
        _variant=ibis.ifelse(grouped._nvariants > 1, ibis.literal(MULTIPLE), grouped._variant)
    ).drop("_nvariants")


def _first_event_units(
    resolver: SourceResolver, name: str, spec: SourceSpec, exposure_filter: str | None
) -> ir.Table:
    """Units of a test not yet assigned: each unit of an event log from its first event."""
    assert spec.unit is not None
    assert spec.timestamp is not None
    check_columns(name, spec, resolver.table(name, spec), [spec.unit, spec.timestamp])
    table = _filtered(resolver, name, spec, exposure_filter)
    return table.group_by(table[spec.unit].name("_unit")).aggregate(
        _variant=ibis.literal(ALL_UNITS),
        _t0=_timestamp(table, spec.timestamp, name).min(),
    )


def _aggregate(value: ir.Column | None, cond: ir.BooleanValue, kind: str) -> ir.Scalar:
    if kind == "sum":
        assert value is not None
        return value.cast("float64").sum(where=cond)
    if kind == "count":
        if value is None:
            return ibis.ifelse(cond, 1, 0).sum()
        return value.count(where=cond)
    if kind == "count_distinct":
        assert value is not None
        return value.nunique(where=cond)
    if kind == "max":
        assert value is not None
        return value.cast("float64").max(where=cond)
    return ibis.ifelse(cond, 1, 0).max()


def _per_unit(
    resolver: SourceResolver,
    name: str,
    spec: SourceSpec,
    units: ir.Table,
    aggregates: Mapping[str, EventAggregate],
    request: AssignmentRequest,
) -> ir.Table:
    """Per-unit aggregates of one event source over the analysis window and the pre-period.

    The windows of :mod:`proxymetric.data.events`: the analysis window ``[t0, t0 + window)``
    and the pre-period ``[t0 - pre, t0)``.
    """
    assert spec.unit is not None
    assert spec.timestamp is not None
    events = resolver.table(name, spec)
    needed = [spec.unit, spec.timestamp] + [a.column for a in aggregates.values() if a.column]
    check_columns(name, spec, events, needed)
    flags = {
        f"_f{i}": translate_filter(a.filter, events, where=a.owner)
        for i, a in enumerate(aggregates.values())
        if a.filter
    }
    events = events.mutate(
        _ts=_timestamp(events, spec.timestamp, name), _key=events[spec.unit], **flags
    )
    joined = events.inner_join(units.select("_unit", "_t0"), events._key == units._unit)
    start = joined._t0 - ibis.interval(seconds=round(request.pre_period_days * 86400))
    in_range = joined._ts >= start
    in_analysis = joined._ts >= joined._t0
    if request.window_days is not None:
        end = joined._t0 + ibis.interval(seconds=round(request.window_days * 86400))
        in_range = in_range & (joined._ts < end)
        in_analysis = in_analysis & (joined._ts < end)
    in_pre = joined._ts < joined._t0
    exprs = {}
    for i, (key, a) in enumerate(aggregates.items()):
        cond = in_analysis if a.period == "analysis" else in_pre
        if a.filter:
            cond = cond & joined[f"_f{i}"]
        exprs[key] = _aggregate(joined[a.column] if a.column else None, cond, a.aggregate)
    return joined.filter(in_range).group_by("_unit").aggregate(**exprs)


def daily_event_moments(
    resolver: SourceResolver,
    sources: Mapping[str, SourceSpec],
    request: AssignmentRequest,
    aggregates: Mapping[str, EventAggregate],
    groups: Sequence[Sequence[str]] | None = None,
    *,
    first_event_source: str | None = None,
) -> DailyMoments:
    """Return per-variant moments of the per-unit ``aggregates`` per day of first assignment.

    One query, as :func:`~proxymetric.data.events.event_moments`, grouped by variant and by the
    calendar day of each unit's first assignment. With ``first_event_source`` (a planned test
    with no assignment yet) the units are those of that event log from their first event, all
    in one variant named ``"all"``; ``request.source`` is then ignored. ``groups`` lists the
    sets of columns whose covariances are needed, as for
    :func:`~proxymetric.data.moments.variant_moments` (``None``: all of them).
    """
    if first_event_source is not None:
        units = _first_event_units(
            resolver,
            first_event_source,
            sources[first_event_source],
            request.exposure_filter,
        )
    else:
        units = _assigned_units(resolver, sources, request)
    table = units
    by_source: dict[str, dict[str, EventAggregate]] = {}
    for key, a in aggregates.items():
        by_source.setdefault(a.source, {})[key] = a
    for name, group in by_source.items():
        per_unit = _per_unit(resolver, name, sources[name], units, group, request)
        table = table.left_join(per_unit, table._unit == per_unit._unit).drop("_unit_right")
    table = table.mutate(**{key: table[key].cast("float64").fill_null(0.0) for key in aggregates})
    day = table._t0.date().cast("string")
    table = table.mutate(_key=table._variant.concat(_SEP, day))
    where = first_event_source or request.source
    vm = variant_moments(table, "_key", list(aggregates), source=where, groups=groups)
    per_key: dict[tuple[str, dt.date], Moments] = {}
    multiple = vm.multiple
    for key, m in vm.moments.items():
        variant, _, day_text = key.rpartition(_SEP)
        if variant == MULTIPLE:
            multiple += m.count
            continue
        per_key[(variant, dt.date.fromisoformat(day_text[:10]))] = m
    if not per_key:
        raise DataError(f"source {where!r} has no assigned units")
    first = min(d for _, d in per_key)
    last = max(d for _, d in per_key)
    dates = tuple(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    columns = tuple(aggregates)
    empty = Moments.empty(columns)
    moments = {
        v: tuple(per_key.get((v, d), empty) for d in dates) for v in sorted({v for v, _ in per_key})
    }
    return DailyMoments(dates, columns, moments, vm.unassigned, multiple)


@dataclass(frozen=True)
class SnapshotMoments:
    """Per-variant moments at every complete snapshot of a summary source.

    ``snapshots`` are the values of the snapshot column, increasing; ``moments[variant][k]``
    the (cumulative) moments at ``snapshots[k]``; ``incomplete`` counts snapshots left out
    because a variant or metric had no row there.
    """

    snapshots: tuple[float, ...]
    moments: dict[str, tuple[Moments, ...]]
    incomplete: int = 0


def snapshot_moments(
    resolver: SourceResolver,
    name: str,
    source: SourceSpec,
    metrics: Mapping[str, str],
    control: str,
) -> SnapshotMoments:
    """Return per-variant moments at every snapshot of a summary source, in one query.

    ``metrics`` maps each metric's name to its value in the source's metric column (``""``
    when the source holds one metric); ``control`` names the control of a paired layout.
    """
    s = source.summary
    assert s is not None
    if s.snapshot is None:
        raise DataError(
            f"summary source {name!r} has no `snapshot` column, so it has only one look; "
            "name the column of cumulative snapshots in `summary.snapshot`"
        )
    table = resolver.table(name, source)
    arms: list[tuple[str, tuple[str, str, str]]] = []
    if s.layout == "paired":
        assert s.control is not None
        assert s.treatment is not None
        arms = [
            ("c", (s.control.count, s.control.mean, s.control.variance)),
            ("t", (s.treatment.count, s.treatment.mean, s.treatment.variance)),
        ]
        variant_col = s.treatment_variant
    else:
        arms = [("t", (s.count or "", s.mean or "", s.variance or ""))]
        variant_col = source.variant
    needed = [s.snapshot] + [c for c in (s.metric, variant_col) if c]
    needed += [c for _, cols in arms for c in cols]
    check_columns(name, source, table, needed)
    cols: dict[str, ir.Value] = {
        "_snap": table[s.snapshot].cast("float64"),
        "_variant": table[variant_col].cast("string") if variant_col else ibis.literal("treatment"),
        "_metric": table[s.metric].cast("string") if s.metric else ibis.literal(""),
    }
    for prefix, (n, mean, var) in arms:
        cols[f"{prefix}_n"] = table[n].cast("float64")
        cols[f"{prefix}_mean"] = table[mean].cast("float64")
        cols[f"{prefix}_var"] = table[var].cast("float64")
    expr = table.select(**cols).limit(_MAX_SNAPSHOT_ROWS + 1)
    with engine_errors(f"the query on summary source {name!r} failed"):
        rows = expr.to_pyarrow().to_pylist()
    if len(rows) > _MAX_SNAPSHOT_ROWS:
        raise DataError(
            f"summary source {name!r} has more than {_MAX_SNAPSHOT_ROWS:,} rows; filter it to "
            "one experiment with `filter:` on the source"
        )
    # stats[snapshot][variant][metric value] = (count, mean, variance)
    stats: dict[float, dict[str, dict[str, tuple[float, float, float]]]] = {}

    def f(x: object) -> float:
        return float(x) if isinstance(x, int | float) else math.nan

    for row in rows:
        snap = f(row["_snap"])
        variant, metric = str(row["_variant"]), str(row["_metric"])
        per = stats.setdefault(snap, {})
        for prefix, _ in arms:
            arm = control if prefix == "c" else variant
            value = (f(row[f"{prefix}_n"]), f(row[f"{prefix}_mean"]), f(row[f"{prefix}_var"]))
            seen = per.setdefault(arm, {})
            if metric in seen and seen[metric] != value:
                raise DataError(
                    f"summary source {name!r} has several different rows for metric {metric!r} "
                    f"of variant {arm!r} at snapshot {snap:g}; filter it to one experiment "
                    "(`filter:` on the source)"
                )
            seen[metric] = value
    variants = sorted({v for per in stats.values() for v in per})
    snapshots: list[float] = []
    moments: dict[str, list[Moments]] = {v: [] for v in variants}
    incomplete = 0
    for snap in sorted(stats):
        per = stats[snap]
        built = _snapshot(per, variants, metrics)
        if built is None:
            incomplete += 1
            continue
        snapshots.append(snap)
        for v in variants:
            moments[v].append(built[v])
    if not snapshots:
        raise DataError(
            f"summary source {name!r} has no snapshot with every variant and metric "
            f"({', '.join(sorted(metrics.values()))})"
        )
    return SnapshotMoments(tuple(snapshots), {v: tuple(m) for v, m in moments.items()}, incomplete)


def _snapshot(
    per: Mapping[str, Mapping[str, tuple[float, float, float]]],
    variants: Sequence[str],
    metrics: Mapping[str, str],
) -> dict[str, Moments] | None:
    out: dict[str, Moments] = {}
    for v in variants:
        rows = per.get(v, {})
        if any(key not in rows for key in metrics.values()):
            return None
        counts = {rows[key][0] for key in metrics.values()}
        if len(counts) != 1:
            return None
        n = counts.pop()
        if not math.isfinite(n) or n < 0 or n != int(n):
            return None
        means = {m: rows[key][1] for m, key in metrics.items()}
        variances = {m: rows[key][2] for m, key in metrics.items()}
        out[v] = Moments.from_summary(int(n), means, variances)
    return out

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
from proxymetric.data.events import (
    ALL_UNITS,
    EVENT_SHIFT,
    AssignmentRequest,
    EventAggregate,
    first_event_units,
    shared_groups,
    unit_metrics,
)
from proxymetric.data.moments import MULTIPLE, NO_TIMESTAMP, variant_moments
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
        no_timestamp: units whose assignment (or, with no assignment yet, whose every event)
            has no timestamp (excluded).
    """

    dates: tuple[dt.date, ...]
    columns: tuple[str, ...]
    moments: dict[str, tuple[Moments, ...]] = field(default_factory=dict)
    unassigned: int = 0
    multiple: int = 0
    no_timestamp: int = 0

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
    units = None
    if first_event_source is not None:
        units = first_event_units(
            resolver, first_event_source, sources[first_event_source], request.exposure_filter
        )
    table, column_of = unit_metrics(resolver, sources, request, aggregates, units=units)
    # A unit without t0 keeps its (NO_TIMESTAMP) key, to be counted; one without a variant
    # has a NULL key and is counted as unassigned.
    day = table._t0.date().cast("string").fill_null("")
    table = table.mutate(_key=table._variant.concat(_SEP, day))
    where = first_event_source or request.source
    shared = list(dict.fromkeys(column_of.values()))
    vm = variant_moments(
        table,
        "_key",
        shared,
        source=where,
        groups=shared_groups(groups, column_of),
        shift=EVENT_SHIFT,
    )
    keys = list(aggregates)
    sources_of_keys = [column_of[k] for k in keys]
    per_key: dict[tuple[str, dt.date], Moments] = {}
    multiple, no_timestamp = vm.multiple, vm.no_timestamp
    for key, m in vm.moments.items():
        variant, _, day_text = key.rpartition(_SEP)
        if variant == MULTIPLE:
            multiple += m.count
            continue
        if variant == NO_TIMESTAMP:
            no_timestamp += m.count
            continue
        per_key[(variant, dt.date.fromisoformat(day_text[:10]))] = m.rename(keys, sources_of_keys)
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
    return DailyMoments(dates, columns, moments, vm.unassigned, multiple, no_timestamp)


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

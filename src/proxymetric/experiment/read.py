"""``read(experiment)``: the moments of a resolved experiment, in ONE query, by data shape.

Whoever asks (the analysis, the sequential looks, the plan), the reading depends only on the
shape of the data and on what is asked for:

- **units** (a unit table): per-variant moments of the metrics' columns and covariates, missing
  values counted per column (or filled); optionally in two random halves of the units (folds).
  A unit table has no timestamps, so no looks and no accrual.
- **events** (an assignment log and event logs): the per-unit metrics over each unit's
  analysis window (and their pre-period covariates), then per-variant moments; with ``looks``
  or ``accrual`` grouped by the day of first assignment as well, which gives the looks (the
  units assigned by the end of each day) and the new units per day; ``first_seen`` reads a
  test that has no assignment yet: every unit of the primary metric's event log from its first
  event, as one variant ``"all"``.
- **summary** (pre-aggregated statistics): the latest snapshot per variant, or, with ``looks``,
  every snapshot.

Only one row per variant (and day or snapshot) comes back from the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from proxymetric.data import (
    AssignmentRequest,
    EventAggregate,
    SourceResolver,
    check_columns,
    daily_event_moments,
    event_moments,
    snapshot_moments,
    summary_moments,
    unit_sums,
    variant_moments,
)
from proxymetric.data.caps import CapRequest, capped_table
from proxymetric.data.events import ALL_UNITS, event_rows, unit_metrics
from proxymetric.data.quantiles import (
    ArmQuantile,
    PlacedBands,
    QuantileRequest,
    band_tallies,
    clustered_quantiles,
    place_bands,
    read_tallies,
    variant_quantiles,
)
from proxymetric.data.segments import Segment, segment_column
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.experiment.model import ROWS, ResolvedExperiment, ResolvedMetric
from proxymetric.stats.moments import Moments

__all__ = ["ALL_UNITS", "ExperimentData", "arms", "event_aggregates", "read"]


@dataclass(frozen=True)
class ExperimentData:
    """What :func:`read` returns.

    Attributes:
        moments: per variant, the moments of all its units (``"all"`` for a test read from
            its event log before any assignment).
        missing: per variant, the number of missing values of each column that has any.
        warnings: what the reading noticed and left out (units without a variant or in
            several variants, variants not declared).
        folds: per variant, the moments of two random halves of its units, when asked for.
        looks: per variant, the cumulative moments at each look, when asked for.
        look_labels: the label of each look (a date, or a snapshot value).
        look_by: ``"day"``, ``"snapshot"``, or ``None`` without looks.
        new_units_per_day: units first seen on each day since the first one (all variants),
            when the data has timestamps and accrual was asked for.
        first_day: the first day (ISO date) of ``new_units_per_day``.
        caps: the cap of every capped metric, by metric (a percentile computed on the data).
        segments: per segment column and value, the moments of each variant, when asked for.
        quantiles: per quantile metric and variant, its quantile and order statistics.
    """

    moments: dict[str, Moments]
    missing: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    folds: dict[str, tuple[Moments, Moments]] = field(default_factory=dict)
    looks: dict[str, tuple[Moments, ...]] | None = None
    look_labels: tuple[str, ...] = ()
    look_by: Literal["day", "snapshot"] | None = None
    new_units_per_day: tuple[int, ...] | None = None
    first_day: str | None = None
    caps: dict[str, float] = field(default_factory=dict)
    quantiles: dict[str, dict[str, ArmQuantile]] = field(default_factory=dict)
    segments: dict[str, dict[str, dict[str, Moments]]] = field(default_factory=dict)


def read(
    exp: ResolvedExperiment,
    data: Mapping[str, Any] | None = None,
    *,
    looks: bool = False,
    accrual: bool = False,
    first_seen: bool = False,
    folds: bool = False,
    all_covariances: bool = False,
    segments: Sequence[str] = (),
) -> ExperimentData:
    """Read the moments of ``exp`` from its data in one query; return :class:`ExperimentData`.

    Args:
        exp: the resolved experiment.
        data: in-memory tables by source or table name, as for :func:`~proxymetric.analyze`.
        looks: also the moments at every look (a day of an assignment log, a snapshot).
        accrual: also the new units per day (data with timestamps only; nothing otherwise).
        first_seen: read a test with no assignment yet from its primary metric's event log.
        folds: also the moments of two random halves of every variant's units.
        all_covariances: the covariances between every pair of columns, not only within each
            metric (what the noise covariance between metrics needs).
        segments: columns of a unit table (or of an assignment log) by whose values the
            moments are also wanted, in the same query, or the names of dimensions the
            experiment's ``segments`` declare (labels derived from a column in the engine).
    """
    resolver = SourceResolver(exp.spec.base_dir, data)
    groups = None if all_covariances else [list(m.columns) for m in exp.metrics]
    if first_seen and exp.spec.sources[exp.source].kind != "events":
        raise ProxymetricError(
            f"`from_events` plans from an event log, but the primary metric "
            f"{exp.primary.name!r} reads source {exp.source!r}, which is not an event log"
        )
    if looks and exp.shape == "units":
        raise DataError(
            f"experiment {exp.name!r} reads a unit table with no timestamps, so it has no "
            "looks; sequential analysis needs an assignment log with timestamps "
            "(`assignment`) or a summary source with a `snapshot` column"
        )
    if segments and (first_seen or looks or accrual or exp.shape == "summary"):
        raise DataError(
            f"`segments` of experiment {exp.name!r} need a unit table or an assignment log "
            "(their columns, read at the end of a test); "
            + (
                f"source {exp.source!r} holds summary statistics"
                if exp.shape == "summary"
                else "they are not read with looks"
            )
        )
    dimensions = _dimensions(exp, segments)
    if first_seen or exp.shape == "events":
        out = _events(
            exp, resolver, groups, looks or accrual or first_seen, first_seen, folds, dimensions
        )
    elif exp.shape == "summary":
        out = _summary(exp, resolver, looks)
    else:
        out = _units(exp, resolver, groups, folds, dimensions)
    return _declared_variants(exp, out)


def _dimensions(exp: ResolvedExperiment, names: Sequence[str]) -> list[Segment]:
    """The segments named ``names``: a dimension the experiment declares by that name, or
    else the column of that name."""
    declared = exp.spec.experiments[exp.name].segments
    out: list[Segment] = []
    for name in dict.fromkeys(names):
        dimension = declared.dimension(name) if declared is not None else None
        out.append(dimension if dimension is not None else name)
    return out


def arms(exp: ResolvedExperiment, moments: Mapping[str, Moments]) -> list[str]:
    """Return the variants to compare, control first; raise when one has no units."""
    found = sorted(moments)
    if exp.variants is not None:
        empty = [v for v in exp.variants if moments.get(v) is None or moments[v].count == 0]
        if empty:
            raise DataError(
                f"variant(s) {', '.join(map(repr, empty))} of experiment {exp.name!r} have no "
                f"units; variants in the data: {', '.join(found) or '(none)'}"
            )
        return list(exp.variants)
    if exp.control not in moments:
        raise DataError(
            f"control variant {exp.control!r} of experiment {exp.name!r} has no units; "
            f"variants in the data: {', '.join(found) or '(none)'}"
        )
    if len(found) < 2:
        raise DataError(
            f"experiment {exp.name!r} needs a control and at least one treatment; the data has "
            f"only {', '.join(found)}"
        )
    if exp.split is not None and set(exp.split) != set(found):
        raise DataError(
            f"`split` of experiment {exp.name!r} names {', '.join(sorted(exp.split))}, but the "
            f"data has variants {', '.join(found)}; list the variants to analyse in `variants`"
        )
    return [exp.control] + [v for v in found if v != exp.control]


def _units(
    exp: ResolvedExperiment,
    resolver: SourceResolver,
    groups: list[list[str]] | None,
    folds: bool,
    segments: list[Segment],
) -> ExperimentData:
    source = exp.spec.sources[exp.source]
    assert source.unit is not None
    assert source.variant is not None
    table = resolver.table(exp.source, source)
    read_columns = list(dict.fromkeys(c for m in exp.metrics for c in m.source_columns))
    rows_id = [source.analysis_unit] if source.analysis_unit is not None else []
    check_columns(
        exp.source,
        source,
        table,
        [source.unit, source.variant, *rows_id, *read_columns, *map(segment_column, segments)],
    )
    fill = {c: v for m in exp.metrics for c, v in m.fill.items()}
    requests = {
        m.name: CapRequest(
            m.cap.column,
            m.cap.capped,
            m.cap.over,
            m.cap.value,
            m.cap.quantile,
            f"metric {m.name!r}",
        )
        for m in exp.metrics
        if m.cap is not None
    }
    caps: dict[str, float] = {}
    if requests:
        table, caps = capped_table(table, source.variant, requests, fill=fill, source=exp.source)
    columns = list(dict.fromkeys(c for m in exp.metrics for c in m.columns))
    columns += [r.over for r in requests.values()]
    rows, row_fill = table, fill
    if source.analysis_unit is not None:
        # several rows (analysis units) per randomization unit: their sums per unit
        summed = [c for c in columns if c != ROWS]
        table = unit_sums(
            table,
            source.unit,
            source.variant,
            summed,
            ROWS,
            fill=fill,
            source=exp.source,
            keys=list(dict.fromkeys(map(segment_column, segments))),
        )
        fill = {}
    quantile_requests = _quantile_requests(exp, lambda m: m.statistic.numerator)
    plain = quantile_requests if source.analysis_unit is None else {}
    # bands around the quantiles, placed by a sample before the moments, whose query counts
    # the values below and in them (the quantiles then sort only the bands)
    bands = place_bands(table, source.variant, plain, fill=fill, source=exp.source)
    vm = variant_moments(
        table,
        source.variant,
        columns,
        source=exp.source,
        fill=fill,
        groups=groups,
        fold_unit=source.unit if folds else None,
        binary=[c for m in exp.metrics if m.type == "proportion" for c in m.statistic.columns],
        unit=None if source.unique else source.unit,
        segments=segments,
        extra=band_tallies(table, plain, bands, fill=fill, source=exp.source),
    )
    if source.analysis_unit is not None:  # the quantiles of the rows, clustered by unit
        quantiles = clustered_quantiles(
            rows,
            source.unit,
            source.variant,
            {k: {v: mo.count for v, mo in vm.moments.items()} for k in quantile_requests},
            quantile_requests,
            fill=row_fill,
            source=exp.source,
        )
    else:
        placed = read_tallies(plain, bands, vm.extra)  # no band placed: none is tried again
        quantiles = _quantiles(
            plain, table, source.variant, vm.moments, vm.missing, fill, exp.source, placed
        )
    return ExperimentData(
        vm.moments,
        vm.missing,
        _left_out(vm.unassigned, 0, rows=True),
        vm.folds,
        caps=caps,
        segments=vm.segments,
        quantiles=quantiles,
    )


def _quantiles(
    requests: Mapping[str, QuantileRequest],
    table: Any,
    variant: str,
    moments: Mapping[str, Moments],
    missing: Mapping[str, Mapping[str, int]],
    fill: Mapping[str, float],
    source: str,
    placed: PlacedBands | None = None,
) -> dict[str, dict[str, ArmQuantile]]:
    """The quantiles of the quantile metrics of a unit table per variant: one more query,
    after the moments (which give each variant's number of values, and with ``placed`` its
    counts in a band)."""
    if not requests:
        return {}
    counts = {
        key: {v: mo.count - missing.get(v, {}).get(r.column, 0) for v, mo in moments.items()}
        for key, r in requests.items()
    }
    return variant_quantiles(
        table, variant, counts, requests, fill=fill, source=source, placed=placed
    )


def _quantile_requests(
    exp: ResolvedExperiment,
    column: Callable[[ResolvedMetric], str],
    keep: Callable[[ResolvedMetric], bool] = lambda _: True,
) -> dict[str, QuantileRequest]:
    """The quantile request of every quantile metric that ``keep`` selects, reading the
    column ``column`` gives."""
    from statistics import NormalDist

    return {
        m.name: QuantileRequest(
            column(m), m.quantile, NormalDist().inv_cdf(0.5 + m.confidence_level / 2)
        )
        for m in exp.metrics
        if m.quantile is not None and keep(m)
    }


def _event_quantiles(
    exp: ResolvedExperiment,
    resolver: SourceResolver,
    request: AssignmentRequest,
    aggregates: Mapping[str, EventAggregate],
    moments: Mapping[str, Moments],
) -> dict[str, dict[str, ArmQuantile]]:
    """The quantiles of the quantile metrics of an event log: of the events' values in the
    analysis window, clustered by unit (no `aggregate`), or of each unit's aggregate."""
    units = {v: m.count for v, m in moments.items()}
    sources = exp.spec.sources
    out: dict[str, dict[str, ArmQuantile]] = {}
    per_unit = _quantile_requests(exp, lambda m: m.name, lambda m: m.spec.aggregate is not None)
    if per_unit:
        table, column_of = unit_metrics(
            resolver, sources, request, {k: aggregates[k] for k in per_unit}
        )
        requests = {k: replace(r, column=column_of[k]) for k, r in per_unit.items()}
        counts = dict.fromkeys(requests, units)
        out |= variant_quantiles(table, "_variant", counts, requests, source=exp.source)
    of_events = _quantile_requests(
        exp, lambda m: str(m.spec.column), lambda m: m.spec.aggregate is None
    )
    groups: dict[tuple[str, str | None], dict[str, QuantileRequest]] = {}
    for m in exp.metrics:
        if m.name in of_events:
            groups.setdefault((m.spec.source, m.spec.filter), {})[m.name] = of_events[m.name]
    for (name, where), requests in groups.items():
        owners = ", ".join(repr(k) for k in requests)
        rows = event_rows(
            resolver,
            sources,
            request,
            name,
            [r.column for r in requests.values()],
            where,
            f"metric(s) {owners}",
        )
        out |= clustered_quantiles(
            rows, "_unit", "_variant", dict.fromkeys(requests, units), requests, source=name
        )
    return out


def event_aggregates(exp: ResolvedExperiment) -> dict[str, EventAggregate]:
    """The per-unit aggregates every event metric needs, by column name."""
    out: dict[str, EventAggregate] = {}
    for m in exp.metrics:
        value, den = m.spec.event_values()
        if m.quantile is not None and m.spec.aggregate is None:
            # a quantile of the events themselves: the moments count each unit's events
            value = value.model_copy(update={"aggregate": "count"})
        parts = [("", value)] if den is None else [("__num", value), ("__den", den)]
        periods = [("", "analysis")] + ([("__pre", "pre")] if m.covariate is not None else [])
        for suffix, v in parts:
            for period_suffix, period in periods:
                out[f"{m.name}{suffix}{period_suffix}"] = EventAggregate(
                    source=m.spec.source,
                    aggregate=v.aggregate,
                    column=v.column,
                    filter=v.filter,
                    period=period,  # type: ignore[arg-type]
                    owner=f"metric {m.name!r}",
                )
    return out


def _request(exp: ResolvedExperiment, first_seen: bool) -> AssignmentRequest:
    e = exp.spec.experiments[exp.name]
    if first_seen:
        # A test with no assignment yet: the exposure filter applies to assignments.
        return AssignmentRequest(exp.source, e.window_days, e.pre_period_days)
    assert e.assignment is not None
    return AssignmentRequest(e.assignment, e.window_days, e.pre_period_days, e.exposure_filter)


def _left_out(
    unassigned: int, multiple: int, no_timestamp: int = 0, *, rows: bool = False
) -> tuple[str, ...]:
    out = []
    if unassigned:  # rows of a unit table, units of an assignment log
        out.append(
            f"{unassigned:,} {'row' if rows else 'unit'}(s) have no variant and were left out"
        )
    if no_timestamp:
        out.append(f"{no_timestamp:,} unit(s) have no assignment time and were left out")
    if multiple:
        out.append(f"{multiple:,} unit(s) were assigned to more than one variant and were left out")
    return tuple(out)


def _events(
    exp: ResolvedExperiment,
    resolver: SourceResolver,
    groups: list[list[str]] | None,
    daily: bool,
    first_seen: bool,
    folds: bool,
    segments: Sequence[Segment] = (),
) -> ExperimentData:
    request = _request(exp, first_seen)
    if segments:
        request = replace(request, segments=tuple(segments))
    aggregates = event_aggregates(exp)
    sources = exp.spec.sources
    if not daily:
        vm = event_moments(resolver, sources, request, aggregates, groups, folds=folds)
        return ExperimentData(
            vm.moments,
            vm.missing,
            _left_out(vm.unassigned, vm.multiple, vm.no_timestamp),
            vm.folds,
            segments=vm.segments,
            quantiles=_event_quantiles(exp, resolver, request, aggregates, vm.moments),
        )
    dm = daily_event_moments(
        resolver,
        sources,
        request,
        aggregates,
        groups,
        first_event_source=exp.source if first_seen else None,
    )
    cumulative = {v: dm.cumulative(v) for v in dm.moments}
    return ExperimentData(
        moments={v: c[-1] for v, c in cumulative.items()},
        warnings=_left_out(dm.unassigned, dm.multiple, dm.no_timestamp),
        looks=cumulative,
        look_labels=tuple(d.isoformat() for d in dm.dates),
        look_by="day",
        new_units_per_day=dm.new_units(),
        first_day=dm.dates[0].isoformat(),
    )


def _summary(exp: ResolvedExperiment, resolver: SourceResolver, looks: bool) -> ExperimentData:
    keys = {m.name: m.summary_key for m in exp.metrics}
    source = exp.spec.sources[exp.source]
    if not looks:
        vm = summary_moments(resolver, exp.source, source, keys, exp.control)
        return ExperimentData(vm.moments)
    snaps = snapshot_moments(resolver, exp.source, source, keys, exp.control)
    warnings = []
    if snaps.incomplete:
        warnings.append(
            f"{snaps.incomplete} snapshot(s) lack a variant or metric (or give metrics "
            "different unit counts) and were left out"
        )
    return ExperimentData(
        moments={v: m[-1] for v, m in snaps.moments.items()},
        warnings=tuple(warnings),
        looks=dict(snaps.moments),
        look_labels=tuple(f"{s:g}" for s in snaps.snapshots),
        look_by="snapshot",
    )


def _declared_variants(exp: ResolvedExperiment, out: ExperimentData) -> ExperimentData:
    """Leave out the variants of the data that the experiment does not declare, with a warning."""
    if exp.variants is None:
        return out
    known = set(exp.variants)
    ignored = sorted(set(out.moments) - known)
    if not ignored:
        return out
    return replace(
        out,
        moments={v: m for v, m in out.moments.items() if v in known},
        missing={v: g for v, g in out.missing.items() if v in known},
        warnings=(
            *out.warnings,
            f"variant(s) {', '.join(ignored)} in the data are not in `variants` and were left out",
        ),
        folds={v: f for v, f in out.folds.items() if v in known},
        looks=None if out.looks is None else {v: m for v, m in out.looks.items() if v in known},
        segments={
            c: {g: {v: m for v, m in per.items() if v in known} for g, per in values.items()}
            for c, values in out.segments.items()
        },
    )

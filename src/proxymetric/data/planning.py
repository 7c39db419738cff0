"""What a plan needs from an experiment's own data, in ONE query.

:func:`planning_moments` returns per-variant moments of every column the experiment's metrics
read (and their CUPED covariates) and, for event logs, the number of new units per day since
the first assignment (each unit counted once, on the day of its first assignment; for a test
with no assignment yet, on the day of its first event in the event log). The design layer
turns them into baselines, variances, CUPED correlations and an accrual curve.

- **unit tables**: :func:`~proxymetric.data.moments.variant_moments`, grouped by variant;
  no accrual (the table has no timestamps).
- **event logs**: :func:`~proxymetric.data.sequential.daily_event_moments`, grouped by variant
  and by day of first assignment; the moments of every day are merged per variant in Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from proxymetric.data.events import AssignmentRequest, EventAggregate
from proxymetric.data.moments import variant_moments
from proxymetric.data.sequential import daily_event_moments
from proxymetric.data.sources import SourceResolver, check_columns
from proxymetric.spec.model import SourceSpec
from proxymetric.stats.moments import Moments

__all__ = ["PlanningMoments", "event_planning_moments", "unit_planning_moments"]


@dataclass(frozen=True)
class PlanningMoments:
    """Per-variant moments and, when the data has timestamps, the new units per day.

    Attributes:
        moments: the :class:`Moments` of each variant (``"all"`` for a test not yet assigned).
        new_units_per_day: units first seen on each day since the first one (``None`` for a
            unit table, which has no timestamps).
        first_day: the first day (ISO date) of ``new_units_per_day``, or ``None``.
        missing: per variant, the number of missing values of each column that has any.
    """

    moments: dict[str, Moments]
    new_units_per_day: tuple[int, ...] | None = None
    first_day: str | None = None
    missing: Mapping[str, Mapping[str, int]] | None = None


def unit_planning_moments(
    resolver: SourceResolver,
    name: str,
    source: SourceSpec,
    columns: Sequence[str],
    *,
    fill: Mapping[str, float] | None = None,
    groups: Sequence[Sequence[str]] | None = None,
) -> PlanningMoments:
    """Return the per-variant moments of ``columns`` of a unit table (one query).

    ``groups`` lists the sets of columns whose covariances are needed (``None``: all).
    """
    assert source.unit is not None
    assert source.variant is not None
    table = resolver.table(name, source)
    check_columns(name, source, table, [source.unit, source.variant, *columns])
    vm = variant_moments(
        table, source.variant, list(columns), source=name, fill=fill, groups=groups
    )
    return PlanningMoments(vm.moments, missing=vm.missing)


def event_planning_moments(
    resolver: SourceResolver,
    sources: Mapping[str, SourceSpec],
    request: AssignmentRequest,
    aggregates: Mapping[str, EventAggregate],
    groups: Sequence[Sequence[str]] | None = None,
    *,
    first_event_source: str | None = None,
) -> PlanningMoments:
    """Return per-variant moments of per-unit event aggregates and new units per day (one query).

    ``first_event_source`` plans a test with no assignment yet: the units of that event log,
    each from its first event (see :func:`~proxymetric.data.sequential.daily_event_moments`).
    ``groups`` lists the sets of columns whose covariances are needed (``None``: all).
    """
    daily = daily_event_moments(
        resolver, sources, request, aggregates, groups, first_event_source=first_event_source
    )
    return PlanningMoments(
        moments={v: daily.total(v) for v in daily.moments},
        new_units_per_day=daily.new_units(),
        first_day=daily.dates[0].isoformat(),
    )

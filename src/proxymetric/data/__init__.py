"""The data layer: the only package that imports ibis.

It resolves sources (files, DuckDB, any Ibis backend, in-memory tables) and computes, in the
engine, the per-variant moments the statistics need.
"""

from proxymetric.data.events import AssignmentRequest, EventAggregate, event_moments
from proxymetric.data.filters import check_filter, translate_filter
from proxymetric.data.moments import VariantMoments, variant_moments
from proxymetric.data.sequential import (
    DailyMoments,
    SnapshotMoments,
    daily_event_moments,
    snapshot_moments,
)
from proxymetric.data.sources import SourceResolver, check_columns
from proxymetric.data.summary import summary_moments

__all__ = [
    "AssignmentRequest",
    "DailyMoments",
    "EventAggregate",
    "SnapshotMoments",
    "SourceResolver",
    "VariantMoments",
    "check_columns",
    "check_filter",
    "daily_event_moments",
    "event_moments",
    "snapshot_moments",
    "summary_moments",
    "translate_filter",
    "variant_moments",
]

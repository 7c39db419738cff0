"""The data layer: the only package that imports ibis.

It resolves sources (files, DuckDB, any Ibis backend, in-memory tables) and computes, in the
engine, the per-variant moments the statistics need.
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.data.clusters import unit_sums
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
    "unit_sums",
    "variant_moments",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "clusters": ("unit_sums",),
            "events": ("AssignmentRequest", "EventAggregate", "event_moments"),
            "filters": ("check_filter", "translate_filter"),
            "moments": ("VariantMoments", "variant_moments"),
            "sequential": (
                "DailyMoments",
                "SnapshotMoments",
                "daily_event_moments",
                "snapshot_moments",
            ),
            "sources": ("SourceResolver", "check_columns"),
            "summary": ("summary_moments",),
        },
    )

"""Interleaving: team-draft lists for serving, and the analysis of their click logs.

>>> from proxymetric.interleaving import team_draft
>>> team_draft([1, 2, 3], [3, 2, 1], seed="user-42", length=2).teams in {("a", "b"), ("b", "a")}
True
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.interleaving.analysis import (
        InterleavingPlan,
        InterleavingResult,
        analyze_clicks,
        preference_from_counts,
        units_needed,
    )
    from proxymetric.interleaving.team_draft import Interleaving, interleave_table, team_draft

__all__ = [
    "Interleaving",
    "InterleavingPlan",
    "InterleavingResult",
    "analyze_clicks",
    "interleave_table",
    "preference_from_counts",
    "team_draft",
    "units_needed",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "analysis": (
                "InterleavingPlan",
                "InterleavingResult",
                "analyze_clicks",
                "preference_from_counts",
                "units_needed",
            ),
            "team_draft": ("Interleaving", "interleave_table", "team_draft"),
        },
    )

"""Interleaving: team-draft lists for serving, and the analysis of their click logs.

>>> from proxymetric.interleaving import team_draft
>>> team_draft([1, 2, 3], [3, 2, 1], seed="user-42", length=2).teams in {("a", "b"), ("b", "a")}
True
"""

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

"""Blind pairwise tests: Bradley-Terry strengths, win rates, rater agreement, planning.

>>> from proxymetric.pairwise import judgments_needed
>>> judgments_needed(0.55).non_tie_judgments
783
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.pairwise.blind_test import BlindTestResult, analyze_judgments
    from proxymetric.pairwise.bradley_terry import (
        SCORE_SCALE,
        BradleyTerryResult,
        PairStats,
        SystemStrength,
        bradley_terry,
    )
    from proxymetric.pairwise.judgments import Judgments
    from proxymetric.pairwise.notes import NoteExample, TagCount, summarise_notes
    from proxymetric.pairwise.planning import (
        JudgmentPlan,
        PairSuggestion,
        judgments_needed,
        next_pairs,
    )
    from proxymetric.pairwise.trust import (
        Agreement,
        PositionBias,
        RaterCheck,
        cohen_kappa,
        fleiss_kappa,
        krippendorff_alpha,
        position_bias,
        rater_agreement,
        rater_checks,
    )

__all__ = [
    "SCORE_SCALE",
    "Agreement",
    "BlindTestResult",
    "BradleyTerryResult",
    "JudgmentPlan",
    "Judgments",
    "NoteExample",
    "PairStats",
    "PairSuggestion",
    "PositionBias",
    "RaterCheck",
    "SystemStrength",
    "TagCount",
    "analyze_judgments",
    "bradley_terry",
    "cohen_kappa",
    "fleiss_kappa",
    "judgments_needed",
    "krippendorff_alpha",
    "next_pairs",
    "position_bias",
    "rater_agreement",
    "rater_checks",
    "summarise_notes",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "blind_test": ("BlindTestResult", "analyze_judgments"),
            "bradley_terry": (
                "SCORE_SCALE",
                "BradleyTerryResult",
                "PairStats",
                "SystemStrength",
                "bradley_terry",
            ),
            "judgments": ("Judgments",),
            "notes": ("NoteExample", "TagCount", "summarise_notes"),
            "planning": ("JudgmentPlan", "PairSuggestion", "judgments_needed", "next_pairs"),
            "trust": (
                "Agreement",
                "PositionBias",
                "RaterCheck",
                "cohen_kappa",
                "fleiss_kappa",
                "krippendorff_alpha",
                "position_bias",
                "rater_agreement",
                "rater_checks",
            ),
        },
    )

"""Automatic judges as proxies of people: corrected estimates, validation and label budgets.

A cheap judge (an LLM grading answers, a classifier labelling content) labels every item; people
label a random few. Prediction-powered inference (Angelopoulos et al., Science 2023) and its
power-tuned version PPI++ (Angelopoulos, Duchi and Zrnic 2023) estimate what people would say on
every item, with a valid interval narrower than people's alone when the judge is good.

>>> from proxymetric.judges import human_labels_needed
>>> human_labels_needed(0.05, human_sd=0.5, correlation=0.9, judge_labels=10_000).human_labels
332
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.judges.inference import (
        CorrectedBradleyTerry,
        CorrectedMean,
        CorrectedScore,
        ppi_bradley_terry,
        ppi_difference,
        ppi_mean,
        ppi_ratio,
    )
    from proxymetric.judges.planning import (
        LabelMix,
        LabelPlan,
        cheapest_mix,
        human_labels_needed,
        interval_width,
    )
    from proxymetric.judges.validation import (
        JudgeAgreement,
        JudgeBias,
        JudgeLabelsReport,
        JudgePairwiseReport,
        PositionCheck,
        SelfPreference,
        evaluate_judge,
        evaluate_labels,
        evaluate_pairwise,
    )

__all__ = [
    "CorrectedBradleyTerry",
    "CorrectedMean",
    "CorrectedScore",
    "JudgeAgreement",
    "JudgeBias",
    "JudgeLabelsReport",
    "JudgePairwiseReport",
    "LabelMix",
    "LabelPlan",
    "PositionCheck",
    "SelfPreference",
    "cheapest_mix",
    "evaluate_judge",
    "evaluate_labels",
    "evaluate_pairwise",
    "human_labels_needed",
    "interval_width",
    "ppi_bradley_terry",
    "ppi_difference",
    "ppi_mean",
    "ppi_ratio",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "inference": (
                "CorrectedBradleyTerry",
                "CorrectedMean",
                "CorrectedScore",
                "ppi_bradley_terry",
                "ppi_difference",
                "ppi_mean",
                "ppi_ratio",
            ),
            "planning": (
                "LabelMix",
                "LabelPlan",
                "cheapest_mix",
                "human_labels_needed",
                "interval_width",
            ),
            "validation": (
                "JudgeAgreement",
                "JudgeBias",
                "JudgeLabelsReport",
                "JudgePairwiseReport",
                "PositionCheck",
                "SelfPreference",
                "evaluate_judge",
                "evaluate_labels",
                "evaluate_pairwise",
            ),
        },
    )

"""Evaluating a classifier's scores: metrics with intervals, production prevalence, comparisons.

From scores to money: :func:`find_policy` chooses the thresholds of a human review band under a
review capacity and prices it against model-only, humans-only and doing nothing.
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.classifier._data import ScoredExamples, read_examples
    from proxymetric.classifier.evaluation import (
        CalibrationBin,
        ClassifierMetric,
        ClassifierNote,
        ClassifierResult,
        GroupRates,
        ModelComparison,
        OperatingPoint,
        evaluate_classifier,
    )
    from proxymetric.classifier.labels import LabelsNeeded, half_width, labels_needed
    from proxymetric.classifier.policy import (
        CostCurvePoint,
        PolicyCosts,
        PolicyOutcome,
        PolicyResult,
        best_policy,
        evaluate_policy,
        find_policy,
        policy_profit,
    )

__all__ = [
    "CalibrationBin",
    "ClassifierMetric",
    "ClassifierNote",
    "ClassifierResult",
    "CostCurvePoint",
    "GroupRates",
    "LabelsNeeded",
    "ModelComparison",
    "OperatingPoint",
    "PolicyCosts",
    "PolicyOutcome",
    "PolicyResult",
    "ScoredExamples",
    "best_policy",
    "evaluate_classifier",
    "evaluate_policy",
    "find_policy",
    "half_width",
    "labels_needed",
    "policy_profit",
    "read_examples",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "_data": ("ScoredExamples", "read_examples"),
            "evaluation": (
                "CalibrationBin",
                "ClassifierMetric",
                "ClassifierNote",
                "ClassifierResult",
                "GroupRates",
                "ModelComparison",
                "OperatingPoint",
                "evaluate_classifier",
            ),
            "labels": ("LabelsNeeded", "half_width", "labels_needed"),
            "policy": (
                "CostCurvePoint",
                "PolicyCosts",
                "PolicyOutcome",
                "PolicyResult",
                "best_policy",
                "evaluate_policy",
                "find_policy",
                "policy_profit",
            ),
        },
    )

"""Evaluating a classifier's scores: metrics with intervals, production prevalence, comparisons."""

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

__all__ = [
    "CalibrationBin",
    "ClassifierMetric",
    "ClassifierNote",
    "ClassifierResult",
    "GroupRates",
    "LabelsNeeded",
    "ModelComparison",
    "OperatingPoint",
    "ScoredExamples",
    "evaluate_classifier",
    "half_width",
    "labels_needed",
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
        },
    )

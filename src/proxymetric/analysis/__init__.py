"""Orchestration: analyse an experiment from its spec and data, and decide."""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.analysis.analyze import analyze, analyze_moments
    from proxymetric.analysis.decision import decide
    from proxymetric.analysis.result import Decision, ExperimentResult, MetricResult
    from proxymetric.analysis.sequential import SequentialAnalysis, analyze_sequential

__all__ = [
    "Decision",
    "ExperimentResult",
    "MetricResult",
    "SequentialAnalysis",
    "analyze",
    "analyze_moments",
    "analyze_sequential",
    "decide",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "analyze": ("analyze", "analyze_moments"),
            "decision": ("decide",),
            "result": ("Decision", "ExperimentResult", "MetricResult"),
            "sequential": ("SequentialAnalysis", "analyze_sequential"),
        },
    )

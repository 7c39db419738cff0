"""Orchestration: analyse an experiment from its spec and data, and decide."""

from proxymetric.analysis.analyze import analyze, analyze_moments
from proxymetric.analysis.decision import decide
from proxymetric.analysis.result import Decision, ExperimentResult, MetricResult

__all__ = [
    "Decision",
    "ExperimentResult",
    "MetricResult",
    "analyze",
    "analyze_moments",
    "decide",
]

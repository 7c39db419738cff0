"""Orchestration: analyse an experiment from its spec and data, and decide."""

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

"""The spec: what a team declares in ``proxymetric.yaml``, validated with file:line errors."""

from proxymetric.spec._load import load_spec, parse_spec
from proxymetric.spec.model import ExperimentSpec, GuardrailSpec, MetricSpec, SourceSpec, Spec

__all__ = [
    "ExperimentSpec",
    "GuardrailSpec",
    "MetricSpec",
    "SourceSpec",
    "Spec",
    "load_spec",
    "parse_spec",
]

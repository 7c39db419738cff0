"""Evaluating a classifier's scores: metrics with intervals, production prevalence, comparisons."""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.classifier._data import ScoredExamples, read_examples

__all__ = ["ScoredExamples", "read_examples"]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {"_data": ("ScoredExamples", "read_examples")},
    )

"""proxymetric: from model objective to money.

>>> import proxymetric
>>> callable(proxymetric.analyze)
True
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports
from proxymetric.errors import DataError, ProxymetricError, SpecError

if TYPE_CHECKING:
    from proxymetric.analysis import ExperimentResult, MetricResult, analyze
    from proxymetric.spec import Spec, load_spec

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "ExperimentResult",
    "MetricResult",
    "ProxymetricError",
    "Spec",
    "SpecError",
    "__version__",
    "analyze",
    "load_spec",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "analysis": ("ExperimentResult", "MetricResult", "analyze"),
            "spec": ("Spec", "load_spec"),
        },
    )

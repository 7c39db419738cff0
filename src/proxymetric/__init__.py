"""proxymetric: from model objective to money.

>>> import proxymetric
>>> callable(proxymetric.analyze)
True
"""

from proxymetric.analysis import ExperimentResult, MetricResult, analyze
from proxymetric.errors import DataError, ProxymetricError, SpecError
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

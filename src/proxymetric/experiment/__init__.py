"""One experiment, one meaning: an experiment of a spec resolved once, and read by data shape.

:func:`resolve` turns (spec, experiment) into a :class:`ResolvedExperiment` (the data shape,
the arms and the split, the test levels, the declared traffic and duration, and per metric its
role, direction, statistic, covariate, margin, money value and fill). :func:`read` turns it into
moments in one query. ``analyze``, the sequential looks, ``plan`` and ``check`` all start here.
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.experiment.model import (
        Covariate,
        Duration,
        Margin,
        ResolvedExperiment,
        ResolvedMetric,
        Traffic,
    )
    from proxymetric.experiment.read import ALL_UNITS, ExperimentData, arms, event_aggregates, read
    from proxymetric.experiment.resolve import experiment_name, resolve

__all__ = [
    "ALL_UNITS",
    "Covariate",
    "Duration",
    "ExperimentData",
    "Margin",
    "ResolvedExperiment",
    "ResolvedMetric",
    "Traffic",
    "arms",
    "event_aggregates",
    "experiment_name",
    "read",
    "resolve",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "model": (
                "Covariate",
                "Duration",
                "Margin",
                "ResolvedExperiment",
                "ResolvedMetric",
                "Traffic",
            ),
            "read": ("ALL_UNITS", "ExperimentData", "arms", "event_aggregates", "read"),
            "resolve": ("experiment_name", "resolve"),
        },
    )

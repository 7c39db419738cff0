"""The good-metric checklist (``proxymetric check``) and spec templates (``proxymetric init``).

:func:`check_spec` holds every metric of a spec's tree to the properties of a good metric and
returns a :class:`Scorecard`; :func:`render_spec` writes a commented ``proxymetric.yaml`` from a
template of a common project kind and a team's answers.
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.check.results import (
        PROJECT_CHECKS,
        PROPERTIES,
        STATUSES,
        Cell,
        MetricRow,
        ProjectCheck,
        Scorecard,
    )
    from proxymetric.check.scorecard import check_spec

__all__ = [
    "PROJECT_CHECKS",
    "PROPERTIES",
    "STATUSES",
    "Cell",
    "MetricRow",
    "ProjectCheck",
    "Scorecard",
    "check_spec",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "results": (
                "PROJECT_CHECKS",
                "PROPERTIES",
                "STATUSES",
                "Cell",
                "MetricRow",
                "ProjectCheck",
                "Scorecard",
            ),
            "scorecard": ("check_spec",),
        },
    )

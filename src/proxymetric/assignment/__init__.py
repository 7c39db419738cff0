"""Assign units to variants: deterministic, salted hashing by weight, in Python and in SQL."""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.assignment.hashing import assign, check_weights, variant_of
    from proxymetric.assignment.run import (
        DIALECTS,
        AssignmentPlan,
        AssignmentResult,
        assign_experiment,
        assignment_plan,
        experiment_sql,
    )

__all__ = [
    "DIALECTS",
    "AssignmentPlan",
    "AssignmentResult",
    "assign",
    "assign_experiment",
    "assignment_plan",
    "check_weights",
    "experiment_sql",
    "variant_of",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "hashing": ("assign", "check_weights", "variant_of"),
            "run": (
                "DIALECTS",
                "AssignmentPlan",
                "AssignmentResult",
                "assign_experiment",
                "assignment_plan",
                "experiment_sql",
            ),
        },
    )

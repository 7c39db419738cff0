"""Plan a test before running it: power, sample size, MDE, duration, feasibility and cost."""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.design.accrual import (
        AccrualModel,
        DaysResult,
        DesignSettings,
        DurationRow,
        days_for_mde,
        fit_accrual,
        mde_by_duration,
    )
    from proxymetric.design.cost import CostResult, cost_of_testing, expected_positive_part
    from proxymetric.design.feasibility import VERDICTS, FeasibilityResult, feasibility
    from proxymetric.design.plan import MetricPlan, PlanDuration, PlanResult, plan
    from proxymetric.design.power import (
        METRIC_TYPES,
        PowerResult,
        power_analysis,
        ratio_unit_variance,
    )

__all__ = [
    "METRIC_TYPES",
    "VERDICTS",
    "AccrualModel",
    "CostResult",
    "DaysResult",
    "DesignSettings",
    "DurationRow",
    "FeasibilityResult",
    "MetricPlan",
    "PlanDuration",
    "PlanResult",
    "PowerResult",
    "cost_of_testing",
    "days_for_mde",
    "expected_positive_part",
    "feasibility",
    "fit_accrual",
    "mde_by_duration",
    "plan",
    "power_analysis",
    "ratio_unit_variance",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "accrual": (
                "AccrualModel",
                "DaysResult",
                "DesignSettings",
                "DurationRow",
                "days_for_mde",
                "fit_accrual",
                "mde_by_duration",
            ),
            "cost": ("CostResult", "cost_of_testing", "expected_positive_part"),
            "feasibility": ("VERDICTS", "FeasibilityResult", "feasibility"),
            "plan": ("MetricPlan", "PlanDuration", "PlanResult", "plan"),
            "power": ("METRIC_TYPES", "PowerResult", "power_analysis", "ratio_unit_variance"),
        },
    )

"""Plan a test before running it: power, sample size, MDE, duration, feasibility and cost."""

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

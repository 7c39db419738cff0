"""Plan a test before running it: power, sample size, MDE, duration, feasibility and cost."""

from proxymetric.design.power import METRIC_TYPES, PowerResult, power_analysis, ratio_unit_variance

__all__ = ["METRIC_TYPES", "PowerResult", "power_analysis", "ratio_unit_variance"]

"""Pure statistics on sufficient statistics (numpy and scipy only; no I/O, no dataframes)."""

from proxymetric.stats.compare import Comparison, compare
from proxymetric.stats.estimators import (
    ArmEstimate,
    Statistic,
    arm_estimate,
    cuped_theta,
    effect_covariance,
)
from proxymetric.stats.moments import Moments
from proxymetric.stats.multiple import adjust_pvalues
from proxymetric.stats.srm import SrmResult, srm_test
from proxymetric.stats.welch import (
    Difference,
    RelativeDifference,
    noninferiority_pvalue,
    relative_difference,
    welch_difference,
)

__all__ = [
    "ArmEstimate",
    "Comparison",
    "Difference",
    "Moments",
    "RelativeDifference",
    "SrmResult",
    "Statistic",
    "adjust_pvalues",
    "arm_estimate",
    "compare",
    "cuped_theta",
    "effect_covariance",
    "noninferiority_pvalue",
    "relative_difference",
    "srm_test",
    "welch_difference",
]

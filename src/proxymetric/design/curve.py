"""The power curve of a planned comparison: power against the true effect at fixed units.

:func:`power_curve` re-solves :func:`~proxymetric.design.power_analysis` for the power at a
grid of effects, with every other setting of the given :class:`PowerResult` kept (units, split,
level, sidedness, CUPED variance reduction, distribution), so the curve passes through the
result's own ``(rel_mde, power)`` point.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import cast

import numpy as np

from proxymetric._result import Result
from proxymetric.design.power import (
    Correction,
    Distribution,
    MetricType,
    PowerResult,
    power_analysis,
)
from proxymetric.errors import ProxymetricError

__all__ = ["PowerCurve", "power_curve"]


@dataclasses.dataclass(frozen=True)
class PowerCurve(Result):
    """Power at each relative effect ``rel_effects[i]`` (``effects[i]`` in absolute terms)."""

    metric: str
    control_units: float
    treatment_units: float
    alpha: float
    rel_mde: float
    power_at_mde: float
    rel_effects: tuple[float, ...]
    effects: tuple[float, ...]
    powers: tuple[float, ...]


def power_curve(
    result: PowerResult, rel_effects: Sequence[float] | None = None, *, points: int = 41
) -> PowerCurve:
    """Return the :class:`PowerCurve` of ``result`` at ``rel_effects``.

    By default ``points`` effects from 0 to 2.5 times the result's relative MDE (increases,
    like the solved MDE). The units are the result's ``control_units`` and ``treatment_units``.

    >>> from proxymetric.design import power_analysis
    >>> r = power_analysis("proportion", 0.05, units_per_variant=31231, mde=0.005)
    >>> c = power_curve(r, [0.0, 0.1])
    >>> [round(p, 3) for p in c.powers]
    [0.05, 0.8]
    """
    if rel_effects is None:
        if isinstance(points, bool) or not isinstance(points, int) or points < 2:
            raise ProxymetricError(f"`points` must be an integer >= 2; got {points!r}")
        top = 2.5 * abs(result.rel_mde) if math.isfinite(result.rel_mde) else 0.0
        rel_effects = [float(x) for x in np.linspace(0.0, top or 0.1, points)]
    grid = [float(x) for x in rel_effects]
    if not grid or not all(math.isfinite(x) for x in grid):
        raise ProxymetricError(f"`rel_effects` must be finite numbers; got {list(rel_effects)!r}")
    one_sided = result.alternative == "one-sided"
    correction: Correction = "none" if result.alpha_per_comparison == result.alpha else "bonferroni"
    total = round(result.control_units + (result.variants - 1) * result.treatment_units)
    powers = []
    for rel in grid:
        if rel == 0:  # no effect: the test rejects at its own level
            powers.append(result.alpha_per_comparison)
            continue
        r = power_analysis(
            cast("MetricType", result.metric),
            result.baseline,
            sd=None if result.metric == "proportion" else result.control_sd,
            sd_treatment=None
            if result.metric == "proportion" or not math.isfinite(result.treatment_sd)
            else result.treatment_sd,
            total_units=total,
            mde=rel * result.baseline,
            alpha=result.alpha,
            one_sided=one_sided,
            variants=result.variants,
            treatment_ratio=result.treatment_ratio,
            variance_reduction=result.variance_reduction,
            correction=correction,
            distribution=cast("Distribution", result.distribution),
        )
        powers.append(r.power)
    return PowerCurve(
        metric=result.metric,
        control_units=result.control_units,
        treatment_units=result.treatment_units,
        alpha=result.alpha,
        rel_mde=result.rel_mde,
        power_at_mde=result.power,
        rel_effects=tuple(grid),
        effects=tuple(x * result.baseline for x in grid),
        powers=tuple(powers),
    )

"""Quantiles of metric columns per variant, in the engine: the inputs of a quantile metric.

For each quantile metric, one aggregate query grouped by variant returns three quantiles of
the column over each variant's units: the ``q``-quantile itself and the two order statistics
at ranks ``n q -/+ z sqrt(n q (1 - q))`` that give its standard error (Deng, Knoblich and Lu,
"Applying the Delta Method in Metric Analytics", KDD 2018, section on quantile metrics). ``n``
is the variant's number of values, known from the moments read first; only the quantiles
reach Python, never the rows.

Definition: every quantile is DuckDB's ``quantile_cont`` (what ibis ``quantile`` compiles to),
the linear interpolation between order statistics at position ``p (n - 1)`` (0-based), the
same as ``numpy.quantile(..., method="linear")`` (its default). An order statistic at
1-based rank ``r`` is therefore the quantile at ``p = (r - 1) / (n - 1)`` (clipped to [0, 1]),
interpolated between neighbouring ranks when ``r`` is not whole. PostgreSQL's
``percentile_cont`` is the same definition; Spark's ``percentile_approx`` approximates it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import ibis.expr.types as ir

from proxymetric.data._engine import engine_errors
from proxymetric.data.moments import _numeric

__all__ = ["ArmQuantile", "QuantileRequest", "order_statistic_level", "variant_quantiles"]


@dataclass(frozen=True)
class QuantileRequest:
    """The ``q``-quantile of ``column``; ``z`` sets the ranks of the two order statistics."""

    column: str
    q: float
    z: float


@dataclass(frozen=True)
class ArmQuantile:
    """The ``q``-quantile of one arm's ``count`` values, and the order statistics at ranks
    ``n q -/+ z sqrt(n q (1 - q))`` (``lower``, ``upper``): ``se = (upper - lower) / (2 z)``."""

    count: int
    q: float
    z: float
    value: float
    lower: float
    upper: float

    @property
    def se(self) -> float:
        """The standard error of the sample quantile (Deng, Knoblich and Lu 2018)."""
        return (self.upper - self.lower) / (2 * self.z)


def order_statistic_level(n: int, q: float, z: float, side: int) -> float:
    """The ``quantile_cont`` level of the order statistic at rank ``n q + side z sqrt(n q (1-q))``
    (``side`` -1 or +1) among ``n`` values: ``(rank - 1) / (n - 1)``, clipped to [0, 1]."""
    if n < 2:
        return q
    rank = n * q + side * z * math.sqrt(n * q * (1 - q))
    return min(max((rank - 1) / (n - 1), 0.0), 1.0)


def variant_quantiles(
    table: ir.Table,
    variant: str,
    counts: Mapping[str, Mapping[str, int]],
    requests: Mapping[str, QuantileRequest],
    *,
    fill: Mapping[str, float] | None = None,
    source: str = "data",
) -> dict[str, dict[str, ArmQuantile]]:
    """Return, by request key (a metric) and variant, its :class:`ArmQuantile`, in ONE query.

    ``counts`` holds, by request key, each variant's number of values (the moments' count
    less its missing values); a variant with fewer than 2 gets NaN quantiles. ``fill``
    replaces missing values first, as in the moments; missing values left are ignored.
    """
    fill = fill or {}
    if not requests:
        return {}
    # One aggregate per metric, grouped by variant: the engine sorts each variant's values
    # once, and the list holds the q-quantile then the two levels of every variant (each
    # variant's own n sets its levels; a variant reads its own pair).
    arms = table.filter(table[variant].notnull()).mutate(_arm=table[variant].cast("string"))
    aggs: dict[str, ir.Value] = {}
    slots: dict[tuple[str, str], int] = {}
    for i, (key, r) in enumerate(requests.items()):
        v = _numeric(arms, r.column, source)
        if r.column in fill:
            v = v.fill_null(float(fill[r.column]))
        levels = [r.q]
        for name, n in counts[key].items():
            if n >= 2:
                slots[key, name] = len(levels)
                levels += [
                    order_statistic_level(n, r.q, r.z, -1),
                    order_statistic_level(n, r.q, r.z, +1),
                ]
        if len(levels) > 1:
            aggs[f"_q{i}"] = v.quantile(levels)
    rows: list[dict[str, object]] = []
    if aggs:
        with engine_errors(f"the query of the quantiles on source {source!r} failed"):
            rows = arms.group_by("_arm").aggregate(**aggs).to_pyarrow().to_pylist()
    by_arm = {str(row["_arm"]): row for row in rows}

    def numbers(key: str, i: int, name: str) -> list[float]:
        got = by_arm.get(name, {}).get(f"_q{i}")
        slot = slots.get((key, name))
        if slot is None or not isinstance(got, list | tuple) or len(got) < slot + 2:
            return [math.nan] * 3
        picked = [got[0], got[slot], got[slot + 1]]
        return [float(x) if isinstance(x, int | float) else math.nan for x in picked]

    out: dict[str, dict[str, ArmQuantile]] = {}
    for i, (key, r) in enumerate(requests.items()):
        per: dict[str, ArmQuantile] = {}
        for name, n in counts[key].items():
            per[name] = ArmQuantile(n, r.q, r.z, *numbers(key, i, name))
        out[key] = per
    return out

"""Quantiles of metric columns per variant, in the engine: the inputs of a quantile metric.

For each quantile metric and variant, one aggregate (of the one query) returns three quantiles
of the column over the variant's units: the ``q``-quantile itself and the two order statistics at
ranks ``n q -/+ z sqrt(n q (1 - q))`` that give its standard error (Deng, Knoblich and Lu,
"Applying the Delta Method in Metric Analytics", KDD 2018, section on quantile metrics). ``n``
is the variant's number of values, known from the moments read first; only the quantiles reach
Python, never the rows.

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
    arm = table[variant].cast("string")
    aggs: dict[str, ir.Value] = {}
    plan: dict[tuple[str, str], str] = {}
    for i, (key, r) in enumerate(requests.items()):
        v = _numeric(table, r.column, source)
        if r.column in fill:
            v = v.fill_null(float(fill[r.column]))
        for j, (name, n) in enumerate(counts[key].items()):
            if n < 2:
                continue
            levels = [
                r.q,
                order_statistic_level(n, r.q, r.z, -1),
                order_statistic_level(n, r.q, r.z, +1),
            ]
            # one aggregate of the three levels: the engine sorts the arm's values once
            plan[key, name] = label = f"_q{i}_{j}"
            aggs[label] = v.quantile(levels, where=arm == name)
    row: dict[str, object] = {}
    if aggs:
        with engine_errors(f"the query of the quantiles on source {source!r} failed"):
            row = table.aggregate(**aggs).to_pyarrow().to_pylist()[0]

    def numbers(label: str | None) -> list[float]:
        got = row.get(label) if label is not None else None
        if not isinstance(got, list | tuple) or len(got) != 3:
            return [math.nan] * 3
        return [float(x) if isinstance(x, int | float) else math.nan for x in got]

    out: dict[str, dict[str, ArmQuantile]] = {}
    for key, r in requests.items():
        per: dict[str, ArmQuantile] = {}
        for name, n in counts[key].items():
            per[name] = ArmQuantile(n, r.q, r.z, *numbers(plan.get((key, name))))
        out[key] = per
    return out

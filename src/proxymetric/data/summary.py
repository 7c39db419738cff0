"""Pre-aggregated statistics as a source: count, mean and variance per variant (and metric).

Some teams only have summary numbers (an export of another tool, a data set such as ASOS). The
query keeps the latest snapshot of each variant and metric (when the table has cumulative
snapshots), and returns one row per variant and metric: a handful of numbers, never units.
Covariances between metrics are unknown in such tables; the statistics say so where a method
needs them (CUPED, ratio metrics).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from proxymetric.data._engine import engine_errors
from proxymetric.data.moments import VariantMoments
from proxymetric.data.sources import SourceResolver, check_columns
from proxymetric.errors import DataError
from proxymetric.spec.model import SourceSpec, SummaryColumns
from proxymetric.stats.moments import Moments

__all__ = ["summary_moments"]

MAX_ROWS = 10_000


def _arm(table: ir.Table, cols: SummaryColumns, prefix: str) -> dict[str, ir.Value]:
    return {
        f"{prefix}_n": table[cols.count].cast("float64"),
        f"{prefix}_mean": table[cols.mean].cast("float64"),
        f"{prefix}_var": table[cols.variance].cast("float64"),
    }


def _query(name: str, source: SourceSpec, table: ir.Table) -> ir.Table:
    s = source.summary
    assert s is not None
    keys = [
        c for c in (s.metric, s.treatment_variant if s.layout == "paired" else source.variant) if c
    ]
    needed = list(keys) + ([s.snapshot] if s.snapshot else [])
    if s.layout == "paired":
        assert s.control is not None
        assert s.treatment is not None
        for arm in (s.control, s.treatment):
            needed += [arm.count, arm.mean, arm.variance]
    else:
        needed += [s.count or "", s.mean or "", s.variance or ""]
    check_columns(name, source, table, needed)
    if s.snapshot:
        latest = table[s.snapshot].max().over(ibis.window(group_by=keys or None))
        table = table.mutate(_latest=latest)
        table = table.filter(table[s.snapshot] == table._latest)
    metric = table[s.metric].cast("string") if s.metric else ibis.literal("")
    if s.layout == "paired":
        assert s.control is not None
        assert s.treatment is not None
        variant = (
            table[s.treatment_variant].cast("string")
            if s.treatment_variant
            else ibis.literal("treatment")
        )
        cols = {**_arm(table, s.control, "c"), **_arm(table, s.treatment, "t")}
    else:
        assert source.variant is not None
        variant = table[source.variant].cast("string")
        cols = _arm(
            table,
            SummaryColumns(count=s.count or "", mean=s.mean or "", variance=s.variance or ""),
            "t",
        )
    return table.select(_variant=variant, _metric=metric, **cols).limit(MAX_ROWS + 1)


def _stats(row: Mapping[str, Any], prefix: str) -> tuple[float, float, float]:
    def f(key: str) -> float:
        x = row[f"{prefix}_{key}"]
        return float(x) if x is not None else math.nan

    return f("n"), f("mean"), f("var")


def summary_moments(
    resolver: SourceResolver,
    name: str,
    source: SourceSpec,
    metrics: Mapping[str, str],
    control: str,
) -> VariantMoments:
    """Return per-variant moments from summary statistics.

    ``metrics`` maps each metric's name to its value in the source's metric column (``""``
    when the source holds one metric). ``control`` names the control variant of a paired
    layout, whose control columns have no variant name of their own.
    """
    s = source.summary
    assert s is not None
    table = resolver.table(name, source)
    expr = _query(name, source, table)
    with engine_errors(f"the query on summary source {name!r} failed"):
        rows = expr.to_pyarrow().to_pylist()
    if len(rows) > MAX_ROWS:
        raise DataError(
            f"summary source {name!r} has more than {MAX_ROWS:,} rows; filter it to one "
            "experiment with `filter:` on the source"
        )
    stats: dict[str, dict[str, tuple[float, float, float]]] = {}
    paired = s.layout == "paired"

    def put(variant: str, metric: str, value: tuple[float, float, float]) -> None:
        seen = stats.setdefault(variant, {})
        if metric in seen and seen[metric] != value:
            what = f"metric {metric!r} of variant {variant!r}" if metric else f"variant {variant!r}"
            raise DataError(
                f"summary source {name!r} has several different rows for {what}; filter it to "
                "one experiment (`filter:` on the source)"
                + ("" if s.snapshot else " or name its `snapshot` column")
            )
        seen[metric] = value

    for row in rows:
        variant, metric = str(row["_variant"]), str(row["_metric"])
        if paired:
            if variant == control:
                raise DataError(
                    f"a treatment of summary source {name!r} is named {control!r}, like the "
                    "control; name the control differently in the experiment"
                )
            put(control, metric, _stats(row, "c"))
        put(variant, metric, _stats(row, "t"))
    present = sorted({m for per in stats.values() for m in per})
    moments: dict[str, Moments] = {}
    for variant, per_metric in stats.items():
        counts, means, variances = set(), {}, {}
        for metric_name, key in metrics.items():
            if key not in per_metric:
                raise DataError(
                    f"summary source {name!r} has no rows for metric {key!r} (metric "
                    f"{metric_name!r}) in variant {variant!r}; metrics present: "
                    f"{', '.join(present) or '(none)'}"
                )
            n, mean, var = per_metric[key]
            counts.add(n)
            means[metric_name] = mean
            variances[metric_name] = var
        if len(counts) > 1:
            raise DataError(
                f"summary source {name!r} gives variant {variant!r} different unit counts for "
                f"different metrics ({', '.join(f'{c:,.0f}' for c in sorted(counts))}); "
                "analyse those metrics in separate experiments"
            )
        n = counts.pop()
        if not math.isfinite(n) or n < 0 or n != int(n):
            raise DataError(
                f"summary source {name!r} gives variant {variant!r} a unit count of {n}; counts "
                "must be whole numbers"
            )
        moments[variant] = Moments.from_summary(int(n), means, variances)
    return VariantMoments(moments)

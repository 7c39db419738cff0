"""Result objects as rows of a table (``to_pandas()``, ``to_polars()``): one row per item.

Which rows a result has: the metrics of an analysis, every look of a sequential analysis (with
its metric and variant), every duration of every metric of a plan, every property of every
metric of a scorecard, every metric of every model of an offline evaluation, the summaries of a
value model, the systems of a blind test, the candidates of a proxy report, the shipped changes
of a program impact; any other result is one row of its plain fields. Nested results and lists
inside a row are left out (they have rows of their own); ``None`` stands for an undefined number.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from proxymetric._result import Result, plain

__all__ = ["table_rows"]


def _scalars(obj: Any) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(obj):
        value = plain(getattr(obj, f.name))
        if not isinstance(value, dict | list):
            out[f.name] = value
    return out


def _nested(items: Any, child: str, keep: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        parent = {k: v for k, v in _scalars(item).items() if k in keep}
        rows += [{**parent, **_scalars(c)} for c in getattr(item, child)]
    return rows


def table_rows(result: Result) -> list[dict[str, Any]]:
    """Return the rows of ``result`` as a list of flat dicts (column name to plain value)."""
    name = type(result).__name__
    r: Any = result
    if name == "ExperimentResult":
        return [_scalars(m) for m in r.results]
    if name == "SequentialAnalysis":
        rows = []
        for m in r.results:
            for label, look in zip(m.look_labels, m.looks, strict=True):
                rows.append(
                    {"metric": m.metric, "role": m.role, "variant": m.variant, "label": label}
                    | _scalars(look)
                )
        return rows
    if name == "PlanResult":
        return _nested(r.metrics, "durations", ("metric", "role", "baseline", "variance_reduction"))
    if name == "Scorecard":
        return _nested(r.rows, "cells", ("metric", "role", "measured_by"))
    if name == "OfflineResult":
        return [
            {"model": model, "metric": metric} | _scalars(v)
            for model, metrics in r.models.items()
            for metric, v in metrics.items()
        ]
    for field in ("summaries", "systems", "rows", "shipped", "effects"):
        if hasattr(r, field) and isinstance(getattr(r, field), list | tuple):
            return [_scalars(x) for x in getattr(r, field)]
    return [_scalars(r)]

"""Text renderers of :class:`~proxymetric.offline.evaluation.OfflineResult` (rich and markdown).

Model names come from the data: they are shown literally (:mod:`proxymetric.report._text`).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from proxymetric.offline.evaluation import (
    MetricValue,
    OfflineResult,
    PairedComparison,
    metric_order,
)
from proxymetric.report import format_interval, format_number, format_pvalue
from proxymetric.report._text import literal, markdown_text

__all__ = ["print_offline", "to_markdown"]


def _cell(v: MetricValue) -> str:
    value = format_number(v.value)
    interval = format_interval(v.value_ci_lower, v.value_ci_upper)
    return value if interval == "—" else f"{value} {interval}"


def _metric_names(result: OfflineResult) -> list[str]:
    present = {n for metrics in result.models.values() for n in metrics}
    return [n for n in metric_order(result.k) if n in present]


def _header(result: OfflineResult) -> str:
    level = f"{result.confidence_level:.0%}"
    return (
        f"{result.n_units} units in the truth, {result.n_units_without_relevant} without a "
        f"relevant item (left out of ranking metrics); k = {result.k}; {level} intervals from "
        f"{result.n_bootstrap} per-unit bootstrap replicates"
    )


_MARKS = {True: "▲ better", False: "▼ worse"}
_STYLES = {True: "bold green", False: "bold red"}


def _mark(c: PairedComparison) -> str:
    """Return the better/worse mark of a significant comparison (empty otherwise)."""
    return "" if c.better is None else _MARKS[c.better]


def _comparison_rows(result: OfflineResult) -> list[list[str]]:
    return [
        [
            c.model,
            c.metric,
            format_number(c.difference),
            format_interval(c.difference_ci_lower, c.difference_ci_upper),
            format_pvalue(c.pvalue),
            _mark(c),
        ]
        for c in result.comparisons
    ]


def _footnote(result: OfflineResult) -> str:
    level = f"{1 - result.confidence_level:.2g}"
    return (
        f"▲ better / ▼ worse than '{result.baseline}' where p < {level} (the interval excludes "
        "0), by the metric's direction: lower is better for rmse, mae and popularity."
    )


def print_offline(result: OfflineResult, console: Console) -> None:
    """Print the metrics table (a row per metric, a column per model) and the comparisons."""
    console.print(literal(_header(result)), soft_wrap=True)
    names = _metric_names(result)
    table = Table(title="Offline metrics: value and percentile bootstrap interval")
    table.add_column("metric")
    for model in result.models:
        table.add_column(literal(model), justify="right")
    for name in names:
        cells = (_cell(m[name]) if name in m else "—" for m in result.models.values())
        table.add_row(literal(name), *cells)
    console.print(table)
    rows = _comparison_rows(result)
    if rows:
        comp = Table(title=literal(f"Paired comparisons with baseline '{result.baseline}'"))
        for col in ("model", "metric", "difference", "interval", "p-value", "result"):
            left = col in ("model", "metric", "result")
            comp.add_column(col, justify="left" if left else "right")
        for c, row in zip(result.comparisons, rows, strict=True):
            style = "" if c.better is None else _STYLES[c.better]
            comp.add_row(*map(literal, row[:-1]), literal(row[-1], style))
        console.print(comp)
        console.print(_footnote(result), soft_wrap=True)


def to_markdown(result: OfflineResult) -> str:
    """Return the metrics and the comparisons as markdown tables."""
    names = _metric_names(result)
    models = list(result.models)
    lines = [_header(result), "", "| metric | " + " | ".join(map(markdown_text, models)) + " |"]
    lines.append("|---|" + "---:|" * len(models))
    for name in names:
        cells = (_cell(m[name]) if name in m else "—" for m in result.models.values())
        lines.append(f"| {markdown_text(name)} | " + " | ".join(cells) + " |")
    rows = _comparison_rows(result)
    if rows:
        lines += [
            "",
            markdown_text(f"Paired comparisons with baseline '{result.baseline}':"),
            "",
            "| model | metric | difference | interval | p-value | result |",
            "|---|---|---:|---:|---:|---|",
        ]
        lines += ["| " + " | ".join(map(markdown_text, row)) + " |" for row in rows]
        lines += ["", _footnote(result)]
    return "\n".join(lines)

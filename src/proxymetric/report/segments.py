"""Renderers of the segment breakdowns of an experiment (exploratory): terminal and markdown.

One table per segment column: a row per segment, metric and treatment with its units, effect
and interval, p-value and the p-value corrected across the segments; then Cochran's Q per
metric, and a line that says the decision does not rest on the segments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from proxymetric.analysis.result import (
    ExperimentResult,
    SegmentBreakdown,
    SegmentHeterogeneity,
    SegmentResult,
)
from proxymetric.report._format import format_p, format_pvalue
from proxymetric.report._text import literal, markdown_text

__all__ = ["segments_markdown", "segments_renderable"]

_CORRECTIONS = {"holm": "Holm", "bh": "Benjamini-Hochberg"}
_COLUMNS = ("segment", "metric", "variant", "units", "effect", "relative", "p-value", "adj. p", "")


def _several(b: SegmentBreakdown) -> bool:
    return len({r.variant for r in b.results}) > 1


def _columns(b: SegmentBreakdown) -> list[str]:
    return [c for c in _COLUMNS if c != "variant" or _several(b)]


def _decimals(se: float) -> int:
    if not math.isfinite(se) or se <= 0:
        return 3
    return max(0, 1 - math.floor(math.log10(se)))


def _effect(r: SegmentResult, ci: bool = True) -> str:
    if not math.isfinite(r.effect):
        return "—"
    scale, unit = (100.0, " pp") if r.metric_type == "proportion" else (1.0, "")
    d = _decimals(r.effect_se * scale)

    def f(x: float) -> str:
        return f"{x * scale:+,.{d}f}"

    interval = ""
    if ci and math.isfinite(r.effect_ci_lower):
        interval = f" [{f(r.effect_ci_lower)}, {f(r.effect_ci_upper)}]"
    return f"{f(r.effect)}{unit}{interval}"


def _relative(r: SegmentResult) -> str:
    if not math.isfinite(r.rel_effect):
        return "—"
    return f"{r.rel_effect:+.1%}"


def _mark(r: SegmentResult) -> str:
    if not r.significant:
        return ""
    return "better" if r.better else "worse"


@dataclass(frozen=True)
class _Row:
    cells: tuple[str, ...]
    reason: str | None


def _rows(b: SegmentBreakdown) -> list[_Row]:
    several = _several(b)
    out = []
    for r in b.results:
        units = f"{r.control_units:,} / {r.treatment_units:,}"
        cells = (
            r.segment + (" (pooled)" if r.segment == "other" and b.pooled else ""),
            r.metric,
            *([r.variant] if several else []),
            units,
            _effect(r),
            _relative(r),
            format_pvalue(r.pvalue),
            format_pvalue(r.pvalue_adjusted),
            _mark(r),
        )
        out.append(_Row(cells, r.reason))
    return out


def _heterogeneity(h: SegmentHeterogeneity) -> str:
    what = f"{h.metric}" + (f" ({h.variant})" if h.variant else "")
    if not math.isfinite(h.statistic):
        return f"{what}: heterogeneity not tested (fewer than two segments with an estimate)"
    return (
        f"{what}: Cochran's Q = {h.statistic:.2f} on {h.df} df, {format_p(h.pvalue)} "
        f"over {h.segments} segments"
    )


def _caption(b: SegmentBreakdown) -> str:
    pooled = (
        f" Values with fewer than {b.min_units:,} units are pooled into other "
        f"({', '.join(b.pooled)})."
        if b.pooled
        else ""
    )
    return (
        f"Exploratory: adj. p is the {_CORRECTIONS.get(b.correction, b.correction)} correction "
        f"across the segments of {b.dimension} (per metric and treatment), at alpha "
        f"{b.alpha:g}; the decision does not rest on any segment.{pooled} units: control / "
        "treatment."
    )


def segments_renderable(result: ExperimentResult) -> RenderableType:
    """Return the segment breakdowns of ``result`` for the terminal (empty without them)."""
    parts: list[RenderableType] = []
    for b in result.segments:
        parts.append(Text(""))
        parts.append(literal(f"Segments by {b.dimension}", "bold"))
        table = Table(show_edge=False, header_style="bold", pad_edge=False)
        for col in _columns(b):
            table.add_column(col, justify="left" if col in ("segment", "metric") else "right")
        notes = []
        for row in _rows(b):
            table.add_row(*(literal(c) for c in row.cells))
            if row.reason:
                notes.append(f"{row.cells[0]} · {row.cells[1]}: {row.reason}")
        parts.append(table)
        parts += [literal(_heterogeneity(h)) for h in b.heterogeneity]
        parts += [literal(f"note: {n}", "dim") for n in notes]
        parts.append(literal(_caption(b), "dim"))
    return Group(*parts)


def segments_markdown(result: ExperimentResult) -> str:
    """Return the segment breakdowns of ``result`` as markdown (empty without them)."""
    lines: list[str] = []
    for b in result.segments:
        lines += [f"### Segments by {markdown_text(b.dimension)}", ""]
        cols = _columns(b)
        lines.append("| " + " | ".join(cols) + " |")
        lines.append(
            "|"
            + "|".join("---" if c in ("segment", "metric", "variant", "") else "--:" for c in cols)
            + "|"
        )
        notes = []
        for row in _rows(b):
            lines.append("| " + " | ".join(markdown_text(c) for c in row.cells) + " |")
            if row.reason:
                notes.append(f"- {markdown_text(row.cells[0])}: {markdown_text(row.reason)}")
        lines.append("")
        lines += [f"- {markdown_text(_heterogeneity(h))}" for h in b.heterogeneity]
        lines += notes
        lines += ["", f"_{markdown_text(_caption(b))}_", ""]
    return "\n".join(lines)

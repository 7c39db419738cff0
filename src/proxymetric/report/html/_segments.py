"""The segment breakdowns of an analysis as blocks of its HTML part (exploratory)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from proxymetric.report.html._blocks import Block, Cell, Para, Table, annotate, plain, pointer

if TYPE_CHECKING:
    from proxymetric.analysis.result import ExperimentResult

__all__ = ["segment_blocks"]

# The JSON fields behind the numeric cells of a segment row, by column.
_FIELDS = {
    "units": ("control_units", "treatment_units"),
    "effect": ("effect", "effect_ci_lower", "effect_ci_upper"),
    "relative": ("rel_effect",),
    "p-value": ("pvalue",),
    "adj. p": ("pvalue_adjusted",),
}


def segment_blocks(r: ExperimentResult, base: str = "") -> list[Block]:
    """One table per segment column, Cochran's Q and the note that they are exploratory."""
    from proxymetric.report.segments import _caption, _columns, _heterogeneity, _rows

    blocks: list[Block] = []
    for i, b in enumerate(r.segments):
        columns = _columns(b)
        rows = []
        for j, (row, s) in enumerate(zip(_rows(b), b.results, strict=True)):
            scale = 100.0 if s.metric_type == "proportion" else 1.0
            cells = []
            for col, text in zip(columns, row.cells, strict=True):
                fields = _FIELDS.get(col)
                if fields is None:
                    tone = text if col == "" else ""
                    cells.append(Cell(plain(text), tone))
                    continue
                ptrs = [base + pointer("segments", i, "results", j, f) for f in fields]
                cells.append(Cell(annotate(text, ptrs, scale if col == "effect" else 1.0)))
            rows.append(tuple(cells))
        left = columns.index("units")
        blocks.append(
            Table(tuple(columns), tuple(rows), f"Segments by {b.dimension}", left, trailing=1)
        )
        blocks += [Para(plain(_heterogeneity(h))) for h in b.heterogeneity]
        blocks += [
            Para(plain(f"{row.cells[0]} · {row.cells[1]}: {row.reason}"), "note")
            for row in _rows(b)
            if row.reason
        ]
        blocks.append(Para(plain(_caption(b)), "note"))
    return blocks

"""Renderers of an :class:`~proxymetric.assignment.AssignmentResult` (``proxymetric assign``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from proxymetric.assignment.run import AssignmentResult
from proxymetric.report._format import format_p
from proxymetric.report._text import literal, markdown_code, markdown_text

__all__ = ["assignment_markdown", "assignment_rows", "print_assignment", "srm_sentence"]


def assignment_rows(r: AssignmentResult) -> list[tuple[str, str, str, str]]:
    """Return (variant, weight, units, observed share) per variant."""
    rows = []
    for variant, weight in r.weights.items():
        units = r.variant_units[variant]
        share = f"{units / r.units:.2%}" if r.units else "—"
        rows.append((variant, f"{weight:.2%}", f"{units:,}", share))
    return rows


def srm_sentence(r: AssignmentResult) -> str:
    """Return what the SRM check of the counts says."""
    s = r.srm
    if r.units == 0:
        return "No units to assign: the SRM check is undefined."
    if len(r.weights) < 2:
        return "One variant: the SRM check is undefined."
    if s.mismatch:
        return (
            f"SAMPLE RATIO MISMATCH: {format_p(s.pvalue)} < {s.threshold}: the counts are not "
            "the weights; check the ids (duplicates removed, a filter) before using them."
        )
    return f"SRM check passed ({format_p(s.pvalue)}): the counts match the weights."


def _header(r: AssignmentResult) -> str:
    return f"{r.units:,} units of column {r.id_column!r}, salt {r.salt!r}"


def assignment_markdown(r: AssignmentResult) -> str:
    """Return the result as markdown: a heading, the counts per variant and the SRM check."""
    lines = [
        f"## Assignment of {markdown_text(r.experiment)}",
        "",
        f"{r.units:,} units of column {markdown_code(r.id_column)}, salt {markdown_code(r.salt)}.",
        "",
        "| variant | weight | units | share |",
        "|---|---:|---:|---:|",
    ]
    for variant, weight, units, share in assignment_rows(r):
        lines.append(f"| {markdown_text(variant)} | {weight} | {units} | {share} |")
    lines += ["", srm_sentence(r)]
    if r.output is not None:
        lines += ["", f"Written to {markdown_code(r.output)}."]
    return "\n".join(lines)


def print_assignment(r: AssignmentResult, con: Console) -> None:
    """Print the result as a rich table and the SRM check."""
    table = Table(title=Text.assemble("Assignment of ", literal(r.experiment)))
    table.add_column("variant")
    for name in ("weight", "units", "share"):
        table.add_column(name, justify="right")
    for variant, weight, units, share in assignment_rows(r):
        table.add_row(literal(variant), weight, units, share)
    con.print(literal(_header(r)), soft_wrap=True)
    con.print(table)
    style = "bold white on red" if r.srm.mismatch else "green"
    con.print(Text(srm_sentence(r), style=style), soft_wrap=True)
    if r.output is not None:
        con.print(Text.assemble("written to ", literal(r.output)), soft_wrap=True)

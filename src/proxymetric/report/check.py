"""Render a :class:`Scorecard` as a terminal table (rich) or markdown.

Names, reasons and the spec's file name are shown literally (:mod:`proxymetric.report._text`).
"""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table
from rich.text import Text

from proxymetric.check.results import Cell, Scorecard
from proxymetric.report._format import terminal_text
from proxymetric.report._text import literal, markdown_text

__all__ = ["print_scorecard", "to_markdown"]

_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "n/a": "dim"}
_TITLE = {
    "tied_to_money": "money",
    "external_oracle": "oracle",
    "attributable": "attributable",
    "cheap_and_fast": "cheap & fast",
    "sensitive": "sensitive",
    "balanced": "balanced",
    "validated": "validated",
}


def _number(cell: Cell) -> str:
    v = cell.value
    if not math.isfinite(v):
        return ""
    if cell.value_name in ("rel_mde", "win_rate"):
        return f"{v:.1%}"
    if cell.value_name == "correlation":
        return f"{v:+.2f}"
    if cell.value_name == "days":
        return f"{v:.0f} d"
    if cell.value_name in ("units", "judgments"):
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _summary(card: Scorecard) -> str:
    verdict = "PASS" if card.passed else "FAIL"
    return f"{verdict}: {card.n_pass} pass, {card.n_warn} warn, {card.n_fail} fail"


def print_scorecard(card: Scorecard, console: Console) -> None:
    """Print the scorecard: a status grid, the reasons of every cell, the project checks."""
    grid = Table(title=literal(f"Good-metric checklist {card.spec}".rstrip()), title_justify="left")
    grid.add_column("metric")
    grid.add_column("role")
    for prop in card.properties:
        grid.add_column(_TITLE[prop], justify="center")
    for row in card.rows:
        cells = []
        for c in row.cells:
            text = c.status + (f" {_number(c)}" if _number(c) else "")
            cells.append(literal(text, _STYLE[c.status]))
        grid.add_row(literal(row.metric), literal(row.role.replace("_", " ")), *cells)
    if card.rows:
        console.print(grid)
    else:
        console.print(Text("no metrics or evaluations to check", style="yellow"))
    details = Table(show_header=True, box=None, pad_edge=False)
    details.add_column("metric")
    details.add_column("property")
    details.add_column("status")
    details.add_column("reason")
    for row in card.rows:
        for c in row.cells:
            reason = terminal_text(c.reason)
            if c.advice:
                reason.append_text(terminal_text(f" -> {c.advice}", style="dim"))
            details.add_row(
                literal(row.metric), _TITLE[c.property], literal(c.status, _STYLE[c.status]), reason
            )
    if card.rows:
        console.print(details)
    project = Table(title="Project", title_justify="left", box=None, pad_edge=False)
    project.add_column("check")
    project.add_column("status")
    project.add_column("reason")
    for p in card.project:
        project.add_row(
            literal(p.check.replace("_", " ")),
            literal(p.status, _STYLE[p.status]),
            terminal_text(p.reason),
        )
    console.print(project)
    style = "green" if card.passed else "bold red"
    console.print(Text(_summary(card), style=style))


_md = markdown_text


def to_markdown(card: Scorecard) -> str:
    """Return the scorecard as markdown: the status grid, the reasons, the project checks."""
    head = ["metric", "role", *(_TITLE[p] for p in card.properties)]
    lines = [f"## Good-metric checklist {_md(card.spec)}".rstrip(), ""]
    if card.rows:
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in card.rows:
            cells = [f"{c.status} {_number(c)}".strip() for c in row.cells]
            lines.append(f"| {_md(row.metric)} | {row.role} | " + " | ".join(cells) + " |")
        lines += ["", "| metric | property | status | reason |", "|---|---|---|---|"]
        for row in card.rows:
            for c in row.cells:
                reason = c.reason + (f" (instead: {c.advice})" if c.advice else "")
                lines.append(f"| {_md(row.metric)} | {c.property} | {c.status} | {_md(reason)} |")
    lines += ["", "| project check | status | reason |", "|---|---|---|"]
    lines += [f"| {p.check} | {p.status} | {_md(p.reason)} |" for p in card.project]
    lines += ["", f"**{_summary(card)}**"]
    return "\n".join(lines)

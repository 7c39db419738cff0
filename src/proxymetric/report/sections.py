"""Results rendered as sections (a heading, a line of text, a table) for the terminal and markdown.

Capabilities that report several tables (blind tests, interleaving, the registry, proxy
validation) turn their result objects into sections; these two renderers print them, so the
terminal and the markdown always say the same thing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from proxymetric.report._format import terminal_text

__all__ = ["Section", "print_sections", "sections_markdown"]


@dataclasses.dataclass(frozen=True)
class Section:
    """A heading, a line of text and a table (no columns: a paragraph)."""

    heading: str
    text: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def print_sections(sections: Sequence[Section], console: Console) -> None:
    """Print ``sections`` as rich tables (text-only sections as paragraphs)."""
    for s in sections:
        if not s.columns:
            console.print(f"[bold]{escape(s.heading)}[/]")
            if s.text:
                console.print(terminal_text(s.text), soft_wrap=True)
            continue
        table = Table(title=s.heading, title_justify="left", caption=s.text or None)
        for c in s.columns:
            table.add_column(c)
        for row in s.rows:
            table.add_row(*(escape(v) for v in row))
        console.print(table)


def sections_markdown(sections: Sequence[Section]) -> str:
    """Return ``sections`` as markdown: a heading, the text and a pipe table each.

    >>> print(sections_markdown([Section("Pairs", "two systems", ("a", "b"), (("x|y", "1"),))]))
    ## Pairs
    <BLANKLINE>
    two systems
    <BLANKLINE>
    | a | b |
    |---|---|
    | x\\|y | 1 |
    <BLANKLINE>
    """
    out: list[str] = []
    for s in sections:
        out.extend([f"## {s.heading}", ""])
        if s.text:
            out.extend([s.text, ""])
        if s.columns:
            out.append("| " + " | ".join(s.columns) + " |")
            out.append("|" + "|".join("---" for _ in s.columns) + "|")
            out.extend(
                "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in s.rows
            )
            out.append("")
    return "\n".join(out).rstrip() + "\n"

"""Results rendered as sections (a heading, a line of text, a table) for the terminal and markdown.

Capabilities that report several tables (blind tests, interleaving, the registry, proxy
validation) turn their result objects into sections; these two renderers print them, so the
terminal and the markdown always say the same thing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from proxymetric.report._format import terminal_text
from proxymetric.report._text import literal, markdown_text

__all__ = ["Section", "print_sections", "sections_markdown"]


@dataclasses.dataclass(frozen=True)
class Section:
    """A heading, a line of text and a table (no columns: a paragraph)."""

    heading: str
    text: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def print_sections(sections: Sequence[Section], console: Console) -> None:
    """Print ``sections`` as rich tables (text-only sections as paragraphs).

    Every heading, text and cell is shown literally (:func:`~proxymetric.report._text.literal`).
    """
    for s in sections:
        if not s.columns:
            console.print(literal(s.heading, "bold"))
            if s.text:
                console.print(terminal_text(s.text, multiline=True), soft_wrap=True)
            continue
        table = Table(
            title=literal(s.heading),
            title_justify="left",
            caption=literal(s.text, multiline=True) if s.text else None,
        )
        for c in s.columns:
            table.add_column(literal(c))
        for row in s.rows:
            table.add_row(*(literal(v) for v in row))
        console.print(table)


def sections_markdown(sections: Sequence[Section]) -> str:
    """Return ``sections`` as markdown: a heading, the text and a pipe table each.

    Headings, text and cells are escaped (:func:`~proxymetric.report._text.markdown_text`): a
    pipe or a newline cannot break the table, HTML is shown as text.

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
        out.extend([f"## {markdown_text(s.heading)}", ""])
        if s.text:
            out.extend([markdown_text(s.text, multiline=True, code=True), ""])
        if s.columns:
            out.append("| " + " | ".join(map(markdown_text, s.columns)) + " |")
            out.append("|" + "|".join("---" for _ in s.columns) + "|")
            out.extend("| " + " | ".join(map(markdown_text, row)) + " |" for row in s.rows)
            out.append("")
    return "\n".join(out).rstrip() + "\n"

"""The pieces an HTML page is made of, and the annotation of numbers with their JSON field.

A page is a list of :class:`Part` (a section with a heading), each a list of blocks: a
paragraph, a table, a chart, a decision, definitions, a metric tree, a glossary. Text is a
tuple of :class:`Seg`; a segment with a ``pointer`` is a number shown in the page whose value
is the JSON field at that pointer (RFC 6901) of the result: the page says
``<span data-json="/results/0/rel_effect">-4.3%</span>``, so a test (or a reader) can check
every number against the JSON contract.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Literal

from proxymetric.report.charts import Chart

__all__ = [
    "Block",
    "Cell",
    "Decision",
    "Definition",
    "Definitions",
    "Figure",
    "Glossary",
    "Missing",
    "Para",
    "Part",
    "Seg",
    "Table",
    "Tree",
    "TreeCard",
    "annotate",
    "plain",
    "pointer",
]

# A number as the text renderers print it: an optional "<", sign, currency symbol, digits with
# thousands separators, decimals, an exponent, then a percent sign or a k/M/B suffix.
NUMBER = re.compile(
    r"(?<![\w.])(?P<cmp><)?(?P<sign>[+-])?(?P<cur>[$€£¥])?"
    r"(?P<num>\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?)(?P<suf>%|k\b|M\b|B\b)?"
)


@dataclasses.dataclass(frozen=True)
class Seg:
    """A piece of text; with a ``pointer``, a number whose value is that JSON field.

    ``scale`` is what the field was multiplied by before it was printed (100 for percentage
    points; a ``%`` suffix implies 100 on its own).
    """

    text: str
    pointer: str | None = None
    scale: float = 1.0


Text = tuple[Seg, ...]


def plain(text: str) -> Text:
    """Text without annotated numbers."""
    return (Seg(text),)


def pointer(*parts: object) -> str:
    """The JSON pointer of a path: ``pointer("results", 0, "effect") == "/results/0/effect"``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def annotate(text: str, pointers: Sequence[str | None], scale: float = 1.0) -> Text:
    """Split ``text`` so that its k-th number carries ``pointers[k]``.

    A text without digits (``—``, ``never``) is left as it is; otherwise the numbers must match
    the pointers one to one (``None`` leaves a number unannotated), or this raises: a renderer
    that prints a different number of values than it says is a bug to see, not to hide.

    >>> [(s.text, s.pointer) for s in annotate("-4.3% [-6.9%, -1.7%]", ["/a", "/b", "/c"])]
    [('-4.3%', '/a'), (' [', None), ('-6.9%', '/b'), (', ', None), ('-1.7%', '/c'), (']', None)]
    """
    matches = list(NUMBER.finditer(text))
    if not matches:
        return plain(text)
    if len(matches) != len(pointers):
        raise ValueError(f"{text!r} holds {len(matches)} numbers, {len(pointers)} pointers given")
    out: list[Seg] = []
    at = 0
    for m, ptr in zip(matches, pointers, strict=True):
        if m.start() > at:
            out.append(Seg(text[at : m.start()]))
        out.append(Seg(m.group(0), ptr, scale))
        at = m.end()
    if at < len(text):
        out.append(Seg(text[at:]))
    return tuple(out)


@dataclasses.dataclass(frozen=True)
class Para:
    """A paragraph; ``tone`` styles it (``note``, ``warning``, ``alarm``, ``missing``)."""

    text: Text
    tone: str = ""
    kind: Literal["para"] = "para"


@dataclasses.dataclass(frozen=True)
class Missing:
    """A part left out, and the one line saying what would fill it."""

    text: str
    kind: Literal["missing"] = "missing"


@dataclasses.dataclass(frozen=True)
class Cell:
    """A table cell; ``tone`` colours it (``better``, ``worse``, ``ok``, ``pass``, ...)."""

    text: Text
    tone: str = ""


@dataclasses.dataclass(frozen=True)
class Table:
    """A table; ``left`` leading columns are names (left-aligned), the rest numbers."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    left: int = 1
    trailing: int = 0
    kind: Literal["table"] = "table"

    def align(self, column: int) -> str:
        """``l`` for a column of text (the leading names, the trailing words), ``r`` else."""
        n = len(self.columns)
        return "l" if column < self.left or column >= n - self.trailing else "r"


@dataclasses.dataclass(frozen=True)
class Figure:
    """A chart with its title and its reading in words."""

    chart: Chart
    kind: Literal["figure"] = "figure"


@dataclasses.dataclass(frozen=True)
class Decision:
    """The verdict, loud, with the variant it is about and its reasons."""

    verdict: str
    label: str
    variant: str | None
    reasons: tuple[Text, ...]
    kind: Literal["decision"] = "decision"


@dataclasses.dataclass(frozen=True)
class Definition:
    """What a metric means: description, unit, direction, who computes and owns it."""

    name: str
    facts: tuple[tuple[str, str], ...]
    description: str


@dataclasses.dataclass(frozen=True)
class Definitions:
    """The definitions of the metrics on a part."""

    items: tuple[Definition, ...]
    kind: Literal["definitions"] = "definitions"


@dataclasses.dataclass(frozen=True)
class TreeCard:
    """One metric of the tree: its name, role, what it links to and its facts."""

    name: str
    role: str
    description: str
    facts: tuple[tuple[str, str], ...]
    link: str


@dataclasses.dataclass(frozen=True)
class Tree:
    """The metric tree as tiers, from money down to the model objectives."""

    tiers: tuple[tuple[str, tuple[TreeCard, ...]], ...]
    kind: Literal["tree"] = "tree"


@dataclasses.dataclass(frozen=True)
class Glossary:
    """Terms and their plain-language definitions."""

    terms: tuple[tuple[str, str], ...]
    kind: Literal["glossary"] = "glossary"


Block = Para | Missing | Table | Figure | Decision | Definitions | Tree | Glossary


@dataclasses.dataclass(frozen=True)
class Part:
    """A section of the page: a heading, an anchor and its blocks."""

    title: str
    anchor: str
    blocks: tuple[Block, ...]
    lead: str = ""

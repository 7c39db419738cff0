"""The anecdotes of a blind test: tags and notes summarised per system and outcome."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import numpy as np

from proxymetric._result import Result
from proxymetric.pairwise.judgments import Judgments

__all__ = ["NoteExample", "TagCount", "summarise_notes"]

_SPLIT = re.compile(r"[,;|]")


@dataclasses.dataclass(frozen=True)
class TagCount(Result):
    """How often ``tag`` was given when ``system`` had ``outcome`` (``won``, ``lost``, ``tied``).

    ``share`` is ``count`` over the system's judgments with that outcome.
    """

    system: str
    outcome: str
    tag: str
    count: int
    share: float


@dataclasses.dataclass(frozen=True)
class NoteExample(Result):
    """A free-text note left on a judgment where ``system`` had ``outcome``."""

    system: str
    outcome: str
    item: str
    note: str


def summarise_notes(
    judgments: Judgments, *, max_examples: int = 3
) -> tuple[tuple[TagCount, ...], tuple[NoteExample, ...]]:
    """Return tag counts per (system, outcome) and up to ``max_examples`` notes for each.

    Tags are split on ``,``, ``;`` or ``|`` and lower-cased. Each judgment counts for both
    systems: the winner ``won``, the other ``lost``, or both ``tied``. Tag counts are sorted by
    system, outcome and decreasing count. Examples are distinct: the same note on the same item
    (several raters of one item often write the same words) is shown once.

    >>> j = Judgments.from_table({"item": [1, 2], "system_a": ["x", "x"],
    ...     "system_b": ["y", "y"], "winner": ["a", "b"], "tags": ["Popular; long", "popular"]})
    >>> [(t.system, t.outcome, t.tag, t.count) for t in summarise_notes(j)[0]][:2]
    [('x', 'lost', 'popular', 1), ('x', 'won', 'long', 1)]
    """
    side_a = np.where(
        judgments.outcome == 1.0, "won", np.where(judgments.outcome == 0.0, "lost", "tied")
    )
    side_b = np.where(
        judgments.outcome == 1.0, "lost", np.where(judgments.outcome == 0.0, "won", "tied")
    )
    systems = np.asarray(judgments.systems, dtype=object)
    sys_side = np.concatenate([systems[judgments.system_a], systems[judgments.system_b]])
    sys_side = np.array([str(v) for v in sys_side.tolist()], dtype=object)
    outcome_names = [str(v) for v in np.concatenate([side_a, side_b]).tolist()]
    outcome = np.array(outcome_names, dtype=object)
    group_sizes = Counter(zip(sys_side.tolist(), outcome.tolist(), strict=True))
    tags: list[TagCount] = []
    if judgments.tags is not None:
        both = np.concatenate([judgments.tags, judgments.tags])
        has = np.flatnonzero(both != "")
        counter: Counter[tuple[str, str, str]] = Counter()
        for k in has.tolist():
            for tag in {t.strip().lower() for t in _SPLIT.split(both[k])} - {""}:
                counter[(sys_side[k], outcome[k], tag)] += 1
        tags = [
            TagCount(system=s, outcome=o, tag=t, count=c, share=c / group_sizes[(s, o)])
            for (s, o, t), c in counter.items()
        ]
        tags.sort(key=lambda r: (r.system, r.outcome, -r.count, r.tag))
    examples: list[NoteExample] = []
    if judgments.note is not None:
        both = np.concatenate([judgments.note, judgments.note])
        items = np.concatenate([judgments.item, judgments.item])
        seen: Counter[tuple[str, str]] = Counter()
        shown: set[tuple[str, str, str, str]] = set()
        for k in np.flatnonzero(both != "").tolist():
            key = (sys_side[k], outcome[k])
            if seen[key] < max_examples:
                code = int(items[k])
                name = judgments.item_names[code] if judgments.item_names else str(code)
                example = (key[0], key[1], name, str(both[k]))
                if example in shown:  # the same note on the same item by another rater
                    continue
                shown.add(example)
                seen[key] += 1
                examples.append(NoteExample(*example))
        examples.sort(key=lambda r: (r.system, r.outcome))
    return tuple(tags), tuple(examples)

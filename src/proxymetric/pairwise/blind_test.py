"""One call for a whole blind test: strengths, trust checks and anecdotes."""

from __future__ import annotations

import dataclasses
from typing import Any

from proxymetric._result import Result
from proxymetric.pairwise.bradley_terry import PairStats, SystemStrength, bradley_terry
from proxymetric.pairwise.judgments import Judgments
from proxymetric.pairwise.notes import NoteExample, TagCount, summarise_notes
from proxymetric.pairwise.trust import (
    Agreement,
    PositionBias,
    RaterCheck,
    position_bias,
    rater_agreement,
    rater_checks,
)

__all__ = ["BlindTestResult", "analyze_judgments"]


@dataclasses.dataclass(frozen=True)
class BlindTestResult(Result):
    """Everything a blind pairwise test says (the JSON contract of ``proxymetric pairwise``).

    ``systems`` (sorted by rank) and ``pairs`` come from the Bradley-Terry fit; ``agreement`` is
    None when no unit was judged twice, ``position_bias`` None without a ``position`` column;
    ``raters`` is empty without a ``rater`` column; ``tags`` and ``notes`` keep the anecdotes.
    """

    systems: tuple[SystemStrength, ...]
    pairs: tuple[PairStats, ...]
    judgments: int
    items: int
    confidence_level: float
    n_bootstrap: int
    agreement: Agreement | None
    position_bias: PositionBias | None
    raters: tuple[RaterCheck, ...]
    tags: tuple[TagCount, ...]
    notes: tuple[NoteExample, ...]


def analyze_judgments(
    source: Judgments | Any,
    *,
    n_bootstrap: int = 1000,
    confidence_level: float = 0.95,
    seed: int | None = 0,
    ridge: float = 0.0,
    alpha: float = 0.05,
) -> BlindTestResult:
    """Return the full analysis of a blind test read from ``source``.

    ``source`` is a :class:`Judgments` object, a CSV/Parquet path, a data frame or a mapping of
    columns (see :meth:`Judgments.from_table`). ``alpha`` is the level at which raters are
    flagged; the other parameters are those of :func:`bradley_terry`.

    >>> r = analyze_judgments({"item": [1, 2, 3, 4], "system_a": ["x", "y", "x", "y"],
    ...     "system_b": ["y", "x", "y", "x"], "winner": ["a", "b", "b", "tie"]}, n_bootstrap=20)
    >>> [(s.system, round(s.win_rate, 3)) for s in r.systems]
    [('x', 0.625), ('y', 0.375)]
    """
    judgments = source if isinstance(source, Judgments) else Judgments.from_table(source)
    fit = bradley_terry(
        judgments,
        n_bootstrap=n_bootstrap,
        confidence_level=confidence_level,
        seed=seed,
        ridge=ridge,
    )
    agreement = rater_agreement(judgments)
    tags, notes = summarise_notes(judgments)
    return BlindTestResult(
        systems=fit.systems,
        pairs=fit.pairs,
        judgments=fit.judgments,
        items=fit.items,
        confidence_level=confidence_level,
        n_bootstrap=n_bootstrap,
        agreement=agreement if agreement.units > 0 else None,
        position_bias=position_bias(judgments, confidence_level=confidence_level),
        raters=rater_checks(judgments, alpha=alpha),
        tags=tags,
        notes=notes,
    )

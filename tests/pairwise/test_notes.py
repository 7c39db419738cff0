"""Notes and tags are summarised per system and outcome (constructed example)."""

from __future__ import annotations

import pytest

from proxymetric.pairwise import Judgments, analyze_judgments, summarise_notes
from proxymetric.report import to_json


def _table() -> dict[str, list[object]]:
    return {
        "item": ["q1", "q2", "q3", "q4"],
        "system_a": ["new", "old", "new", "new"],
        "system_b": ["old", "new", "old", "old"],
        "winner": ["a", "a", "tie", "b"],
        "tags": ["Popular titles, diverse", "popular titles", None, "stale|Popular titles"],
        "note": ["new finds niche films", "", "both fine", "new misses blockbusters"],
    }


def test_tags_are_counted_per_system_and_outcome() -> None:
    """By hand: 'popular titles' appears when new won (q1), lost (q2, q4) and old won/lost."""
    tags, notes = summarise_notes(Judgments.from_table(_table()))
    counts = {(t.system, t.outcome, t.tag): (t.count, t.share) for t in tags}
    assert counts[("new", "won", "popular titles")] == (1, 1.0)
    assert counts[("new", "lost", "popular titles")] == (2, 1.0)
    assert counts[("new", "lost", "stale")] == (1, 0.5)
    assert counts[("old", "won", "popular titles")] == (2, 1.0)
    assert ("new", "tied", "popular titles") not in counts
    examples = {(n.system, n.outcome, n.item): n.note for n in notes}
    assert examples[("new", "lost", "q4")] == "new misses blockbusters"
    assert examples[("old", "tied", "q3")] == "both fine"
    assert len(notes) == 6  # three notes, each kept for both systems


def test_full_analysis_json_contract() -> None:
    """The JSON of the analysis carries the documented `systems` fields."""
    import json

    result = analyze_judgments(_table(), n_bootstrap=50, ridge=0.1)
    doc = json.loads(to_json(result))
    keys = {
        "system", "strength", "score", "score_ci_lower", "score_ci_upper", "rank", "rank_ci_lower",
        "rank_ci_upper", "win_rate", "judgments",
    }  # fmt: skip
    assert keys <= set(doc["systems"][0])
    assert doc["agreement"] is None
    assert doc["position_bias"] is None
    assert doc["tags"][0]["system"] in {"new", "old"}
    by = {s.system: s for s in result.systems}
    assert by["old"].win_rate == pytest.approx(2.5 / 4)  # won q2 and q4, tied q3
    assert by["new"].win_rate == pytest.approx(1.5 / 4)


def test_the_same_note_by_two_raters_is_shown_once() -> None:
    """By hand: q1 is judged twice with the same note; q2 once. `new` won all three times, so
    its won notes are q1's (once) and q2's, and old's lost notes the same two: no repeats,
    and the third example slot goes to a distinct note rather than a copy."""
    table = {
        "item": ["q1", "q1", "q2", "q3"],
        "system_a": ["new", "new", "new", "new"],
        "system_b": ["old", "old", "old", "old"],
        "winner": ["a", "a", "a", "a"],
        "rater": ["ana", "ben", "ana", "ben"],
        "note": ["found Fight Club", "found Fight Club", "found Speed", "found Heat"],
    }
    _, notes = summarise_notes(Judgments.from_table(table), max_examples=3)
    rows = [(n.system, n.outcome, n.item, n.note) for n in notes]
    assert len(rows) == len(set(rows))
    assert [(n.item, n.note) for n in notes if n.system == "new"] == [
        ("q1", "found Fight Club"),
        ("q2", "found Speed"),
        ("q3", "found Heat"),
    ]
    assert sorted(r[1] for r in rows if r[0] == "old") == ["lost"] * 3


def test_pairwise_output_of_the_example_repeats_no_note() -> None:
    """The bundled judgments have two raters per user who often write the same note."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples/interleaving-movielens/judgments.csv"
    result = analyze_judgments(str(path), n_bootstrap=20)
    rows = [(n.system, n.outcome, n.item, n.note) for n in result.notes]
    assert rows
    assert len(rows) == len(set(rows))

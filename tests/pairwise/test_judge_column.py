"""The optional `judge` column of blind-test judgments (who judged: a person or a machine)."""

from __future__ import annotations

import pytest

from proxymetric.errors import DataError
from proxymetric.pairwise import Judgments, analyze_judgments

ROWS = {
    "item": [1, 1, 2, 2, 3],
    "system_a": ["x", "x", "y", "y", "x"],
    "system_b": ["y", "y", "x", "x", "y"],
    "winner": ["a", "b", "a", "a", "tie"],
    "judge": ["gpt", "ann", "gpt", "ann", "gpt"],
}


def test_the_judge_column_is_read_and_can_select_one_judge() -> None:
    j = Judgments.from_table(ROWS)
    assert j.judges == ("ann", "gpt")
    assert j.judge is not None
    assert j.judge.tolist() == [1, 0, 1, 0, 1]
    only = Judgments.from_table(ROWS, judge="ann")
    assert len(only) == 2
    assert only.outcome.tolist() == [0.0, 1.0]
    assert analyze_judgments(ROWS).judgments == 5  # the column does not change the analysis


def test_selecting_a_judge_needs_the_column_and_a_known_name() -> None:
    with pytest.raises(DataError, match="`judge` 'ann' needs a column `judge`"):
        Judgments.from_table({k: v for k, v in ROWS.items() if k != "judge"}, judge="ann")
    with pytest.raises(
        DataError, match="`judge` 'bob' judged no row; judges in column `judge`: 'ann', 'gpt'"
    ):
        Judgments.from_table(ROWS, judge="bob")

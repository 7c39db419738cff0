"""The reader of scored, labelled examples: shapes, alignment of models, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from proxymetric.classifier import read_examples
from proxymetric.errors import DataError


def test_one_model_without_a_model_column() -> None:
    ex = read_examples({"score": [0.9, 0.2, 0.6], "label": [1, 0, 0]})
    assert ex.models == ("model",)
    assert ex.scores.shape == (1, 3)
    assert ex.labels.tolist() == [True, False, False]
    assert ex.weights.tolist() == [1.0, 1.0, 1.0]
    assert not ex.weighted
    assert ex.groups is None
    assert ex.strata is None


def test_models_are_lined_up_by_id() -> None:
    ex = read_examples(
        {
            "model": ["a", "a", "a", "b", "b", "b"],
            "id": [1, 2, 3, 3, 1, 2],
            "score": [0.1, 0.2, 0.3, 0.33, 0.11, 0.22],
            "label": [0, 1, 1, 1, 0, 1],
            "group": ["x", "y", "x", "x", "x", "y"],
        }
    )
    assert ex.models == ("a", "b")
    np.testing.assert_allclose(ex.score("b"), [0.11, 0.22, 0.33])
    np.testing.assert_allclose(ex.score("a"), [0.1, 0.2, 0.3])
    assert ex.labels.tolist() == [False, True, True]
    assert ex.groups is not None
    assert ex.groups.tolist() == ["x", "y", "x"]


def test_models_without_id_are_taken_in_order() -> None:
    ex = read_examples(
        {"model": ["a", "b", "a", "b"], "score": [0.1, 0.5, 0.9, 0.7], "label": [0, 0, 1, 1]}
    )
    np.testing.assert_allclose(ex.scores, [[0.1, 0.9], [0.5, 0.7]])


def test_text_and_boolean_labels_and_a_named_positive() -> None:
    assert read_examples({"score": [1, 2], "label": ["true", "False"]}).labels.tolist() == [
        True,
        False,
    ]
    assert read_examples({"score": [1, 2], "label": [True, False]}).labels.tolist() == [True, False]
    ex = read_examples({"score": [1, 2, 3], "label": ["spam", "ham", "spam"]}, positive="spam")
    assert ex.labels.tolist() == [True, False, True]


def test_weights_and_strata_are_read(tmp_path: Path) -> None:
    path = tmp_path / "scored.csv"
    path.write_text("score,label,weight,stratum\n0.9,1,2.5,high\n0.1,0,10,low\n")
    ex = read_examples(path)
    assert ex.weights.tolist() == [2.5, 10.0]
    assert ex.weighted
    assert ex.strata is not None
    assert ex.strata.tolist() == ["high", "low"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"prob": [0.1], "label": [1]}, "`data` has no column 'score'; columns: label, prob"),
        ({"score": [0.1], "y": [1]}, "`data` has no column 'label'; columns: score, y"),
        ({"score": [0.1, 0.2], "label": [1, 2]}, "must hold 0/1 or true/false; got 2"),
        ({"score": [0.1, 0.2], "label": ["spam", "ham"]}, "got 'spam'"),
        ({"score": ["a", "0.2"], "label": [1, 0]}, "column 'score' must be numeric; got 'a'"),
        ({"score": [np.nan, 0.2], "label": [1, 0]}, "has 1 missing or non-finite values"),
        ({"score": [0.1], "label": [1], "weight": [0.0]}, "column 'weight' must be positive"),
        ({"score": [], "label": []}, "`data` has no rows"),
        (
            {"model": ["a", "a", "b"], "score": [0.1, 0.2, 0.3], "label": [0, 1, 0]},
            "score different numbers of examples ('a': 2, 'b': 1)",
        ),
        (
            {"model": ["a", "a", "b", "b"], "score": [0.1, 0.2, 0.3, 0.4], "label": [0, 1, 1, 0]},
            "model 'b' has other labels than 'a'",
        ),
        (
            {
                "model": ["a", "a", "b", "b"],
                "id": [1, 2, 1, 3],
                "score": [0.1, 0.2, 0.3, 0.4],
                "label": [0, 1, 0, 1],
            },
            "model 'b' does not score the same examples as 'a'",
        ),
    ],
)
def test_bad_tables_name_the_problem(data: dict[str, list[object]], message: str) -> None:
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_examples(data)


def test_unknown_model_lists_the_models() -> None:
    ex = read_examples({"model": ["a", "b"], "score": [0.1, 0.2], "label": [0, 0]})
    with pytest.raises(DataError, match="`model` 'c' is not in the data; models: 'a', 'b'"):
        ex.score("c")

"""Bad input raises a ProxymetricError that names the parameter, the value and what is valid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from proxymetric.errors import DataError, ProxymetricError
from proxymetric.offline import (
    MatrixFactorization,
    MostPopular,
    Recommender,
    evaluate,
    predictions_table,
    temporal_split,
)

TRUTH = {"unit": [1, 1, 2], "item": ["a", "b", "a"], "relevance": [1.0, 0.0, 2.0]}
PRED = {"unit": [1, 1, 2], "item": ["a", "b", "a"], "score": [0.3, 0.2, 0.1]}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "`k` must be an integer >= 1; got 0"),
        ({"k": 2.5}, "`k` must be an integer >= 1; got 2.5"),
        ({"gain": "log"}, "`gain` must be one of 'linear', 'exponential'; got 'log'"),
        ({"n_bootstrap": -1}, "`n_bootstrap` must be an integer >= 0; got -1"),
        ({"confidence_level": 1.5}, "`confidence_level` == 1.5, must be < 1"),
        ({"baseline": "mf"}, "`baseline` 'mf' is not defined; defined models: model"),
        ({"relevance_threshold": float("nan")}, "`relevance_threshold` must be a finite number"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ProxymetricError) as info:
        evaluate(PRED, TRUTH, **kwargs)
    assert message in str(info.value)


def test_missing_columns_list_the_existing_ones() -> None:
    with pytest.raises(DataError, match=r"`truth` has no column 'unit'; columns: item, relevance"):
        evaluate(PRED, {"item": ["a"], "relevance": [1.0]})
    with pytest.raises(
        DataError, match=r"`truth` needs a column 'relevance' or 'rating'; columns: item, unit"
    ):
        evaluate(PRED, {"unit": [1], "item": ["a"]})
    with pytest.raises(DataError, match=r"needs a column 'score' or 'predicted_rating'"):
        evaluate({"unit": [1], "item": ["a"], "value": [1.0]}, TRUTH)


def test_duplicates_and_bad_relevance() -> None:
    with pytest.raises(DataError, match=r"`truth` has duplicate \(unit, item\) pairs"):
        evaluate(PRED, {"unit": [1, 1], "item": ["a", "a"], "relevance": [1.0, 1.0]})
    dup = {"unit": [1, 1], "item": ["a", "a"], "score": [1.0, 2.0]}
    with pytest.raises(DataError, match=r"model 'model' has duplicate \(unit, item\) pairs"):
        evaluate(dup, TRUTH)
    with pytest.raises(DataError, match=r"`truth` column 'rating' must be finite; got nan"):
        evaluate(PRED, {"unit": [1], "item": ["a"], "relevance": [1.0], "rating": [float("nan")]})
    with pytest.raises(DataError, match=r"column 'relevance' must be non-negative; got -1.0"):
        evaluate(PRED, {"unit": [1], "item": ["a"], "relevance": [-1.0]})
    with pytest.raises(
        DataError, match=r"`truth` column 'relevance' must be numeric; got values such as 'high'"
    ):
        evaluate(PRED, {"unit": [1], "item": ["a"], "relevance": ["high"]})


def test_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"`predictions` file not found: '.*nope.csv'"):
        evaluate(str(tmp_path / "nope.csv"), TRUTH)
    bad = tmp_path / "p.json"
    bad.write_text("{}")
    with pytest.raises(DataError, match=r"`truth` '.*p.json' has an unknown format; expected"):
        evaluate(PRED, str(bad))
    with pytest.raises(DataError, match=r"`truth` must be a file path, a mapping of columns"):
        evaluate(PRED, 42)


def test_unknown_model_or_metric_in_a_result() -> None:
    res = evaluate(PRED, TRUTH, n_bootstrap=0)
    with pytest.raises(ProxymetricError, match=r"`metric` 'ndcg@5' is not defined"):
        res.metric("model", "ndcg@5")
    with pytest.raises(ProxymetricError, match=r"no comparison for `model` 'model'"):
        res.comparison("model", "ndcg@10")


def test_baseline_errors() -> None:
    with pytest.raises(ProxymetricError, match=r"`n_factors` must be an integer >= 1; got 0"):
        MatrixFactorization(n_factors=0)
    with pytest.raises(ProxymetricError, match=r"MatrixFactorization is not fitted"):
        MatrixFactorization().predict([1], [1])
    with pytest.raises(DataError, match=r"`train` has no column 'rating'; columns: item, unit"):
        MatrixFactorization().fit({"unit": [1], "item": [1]})
    with pytest.raises(ProxymetricError, match=r"`test_fraction` == 1.0, must be < 1"):
        temporal_split({"unit": [1], "timestamp": [1]}, test_fraction=1.0)


def test_empty_tables_are_data_errors(tmp_path: Path) -> None:
    # An empty table is a mistake upstream (a filter that kept nothing), never a model that
    # scores 0 everywhere.
    empty: dict[str, list[object]] = {"unit": [], "item": [], "score": []}
    with pytest.raises(DataError, match=r"`predictions` has no rows for model 'model'"):
        evaluate(empty, TRUTH)
    with pytest.raises(DataError, match=r"`predictions` has no rows for model 'new'"):
        evaluate({"old": PRED, "new": empty}, TRUTH)
    header_only = tmp_path / "predictions.csv"
    header_only.write_text("unit,item,score\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"`predictions` has no rows for model 'model'"):
        evaluate(str(header_only), TRUTH)
    with pytest.raises(DataError, match=r"`truth` has no rows"):
        evaluate(PRED, {"unit": [], "item": [], "relevance": []})
    with pytest.raises(DataError, match=r"`ratings` has no rows; there is nothing to split"):
        temporal_split({"unit": [], "item": [], "rating": [], "timestamp": []})
    fitted: dict[str, Recommender] = {
        "popular": MostPopular().fit({"unit": [1], "item": ["a"], "rating": [4.0]})
    }
    with pytest.raises(DataError, match=r"`test` has no rows"):
        predictions_table(fitted, {"unit": [], "item": []})
    with pytest.raises(ProxymetricError, match=r"`models` is empty"):
        predictions_table({}, {"unit": [1], "item": ["a"]})

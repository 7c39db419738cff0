"""Offline metrics against hand-computed cases, scikit-learn and a naive per-unit reference."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import mean_absolute_error, mean_squared_error, ndcg_score
from sklearn.metrics.pairwise import cosine_similarity

from proxymetric.offline import evaluate

LOG2_3 = math.log2(3)


def _hand_case() -> tuple[dict[str, Any], dict[str, Any]]:
    # unit 1 ranks a > b > c > d; relevant: b (3), d (1), e (2, not listed); R = 3
    # unit 2 ranks e > a (shorter than k = 3); relevant: a (1)
    # unit 3 has only a zero-relevance item: left out of ranking metrics
    # unit 4 has a relevant item but no list: scores 0
    predictions = {
        "unit": [1, 1, 1, 1, 2, 2],
        "item": ["a", "b", "c", "d", "e", "a"],
        "score": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4],
    }
    truth = {
        "unit": [1, 1, 1, 2, 3, 4],
        "item": ["b", "d", "e", "a", "c", "c"],
        "relevance": [3.0, 1.0, 2.0, 1.0, 0.0, 2.0],
    }
    return predictions, truth


def test_ranking_metrics_match_hand_computation() -> None:
    # reference: the definitions worked out by hand for each unit, then averaged over units 1, 2, 4
    predictions, truth = _hand_case()
    res = evaluate(predictions, truth, k=3, n_bootstrap=0).models["model"]
    assert res["precision@3"].value == pytest.approx((1 / 3 + 1 / 3 + 0) / 3)
    assert res["recall@3"].value == pytest.approx((1 / 3 + 1 + 0) / 3)
    assert res["hit_rate@3"].value == pytest.approx(2 / 3)
    assert res["mrr@3"].value == pytest.approx((1 / 2 + 1 / 2 + 0) / 3)
    # AP@3 unit 1: precision@2 = 1/2 over min(3, 3); unit 2: precision@2 = 1/2 over min(3, 1)
    assert res["map@3"].value == pytest.approx((1 / 6 + 1 / 2 + 0) / 3)
    ndcg1 = (3 / LOG2_3) / (3 + 2 / LOG2_3 + 1 / 2)
    ndcg2 = (1 / LOG2_3) / 1
    assert res["ndcg@3"].value == pytest.approx((ndcg1 + ndcg2 + 0) / 3)
    assert res["ndcg@3"].n_units == 3


def test_exponential_gain_matches_hand_computation() -> None:
    # reference: gains 2^rel - 1 (7, 3, 1 for relevances 3, 2, 1) worked out by hand
    predictions, truth = _hand_case()
    res = evaluate(predictions, truth, k=3, gain="exponential", n_bootstrap=0)
    ndcg1 = (7 / LOG2_3) / (7 + 3 / LOG2_3 + 1 / 2)
    ndcg2 = (1 / LOG2_3) / 1
    assert res.models["model"]["ndcg@3"].value == pytest.approx((ndcg1 + ndcg2) / 3)


def test_units_without_relevant_items_are_left_out_and_counted() -> None:
    predictions, truth = _hand_case()
    res = evaluate(predictions, truth, k=3, n_bootstrap=0)
    assert res.n_units == 4
    assert res.n_units_without_relevant == 1
    # with a threshold of 2, unit 2 (relevance 1) has no relevant item either
    res2 = evaluate(predictions, truth, k=3, relevance_threshold=2, n_bootstrap=0)
    assert res2.n_units_without_relevant == 2
    # unit 1: b relevant (3), e relevant (2), d is not (1, gain 0); unit 4: relevant c, no list
    assert res2.models["model"]["recall@3"].value == pytest.approx((1 / 2 + 0) / 2)
    ndcg1 = (3 / LOG2_3) / (3 + 2 / LOG2_3)
    assert res2.models["model"]["ndcg@3"].value == pytest.approx(ndcg1 / 2)


def test_k_larger_than_every_list() -> None:
    # reference: hand computation; precision divides by k, so short lists are penalised
    predictions, truth = _hand_case()
    res = evaluate(predictions, truth, k=50, n_bootstrap=0).models["model"]
    assert res["precision@50"].value == pytest.approx((2 / 50 + 1 / 50 + 0) / 3)
    assert res["recall@50"].value == pytest.approx((2 / 3 + 1 + 0) / 3)
    # AP unit 1: (1/2 + 2/4) / min(50, 3); unit 2: (1/2) / 1
    assert res["map@50"].value == pytest.approx(((1 / 2 + 2 / 4) / 3 + 1 / 2) / 3)


def test_ties_are_broken_by_item_identifier() -> None:
    # documented tie-breaking: equal scores are ranked by item identifier, ascending
    truth = {"unit": [1], "item": ["b"], "relevance": [1.0]}
    for rows in (["a", "b"], ["b", "a"]):
        predictions = {"unit": [1, 1], "item": rows, "score": [1.0, 1.0]}
        res = evaluate(predictions, truth, k=1, n_bootstrap=0).models["model"]
        assert res["hit_rate@1"].value == 0.0  # 'a' comes first
        assert res["mrr@1"].value == 0.0
    other = {"unit": [1, 1], "item": ["b", "c"], "score": [1.0, 1.0]}
    tied = evaluate(other, truth, k=1, n_bootstrap=0)
    assert tied.models["model"]["hit_rate@1"].value == 1.0  # 'b' comes before 'c'


def test_predicted_rating_ranks_when_there_is_no_score() -> None:
    truth = {"unit": [1, 1], "item": [1, 2], "rating": [5.0, 1.0]}
    predictions = {"unit": [1, 1], "item": [1, 2], "predicted_rating": [2.0, 4.0]}
    res = evaluate(predictions, truth, k=1, relevance_threshold=4, n_bootstrap=0)
    assert res.models["model"]["precision@1"].value == 0.0
    assert res.models["model"]["rmse"].value == pytest.approx(3.0)


def _random_case(
    seed: int, n_units: int = 40, n_items: int = 25
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    rel = rng.integers(0, 4, size=(n_units, n_items)) * (rng.random((n_units, n_items)) < 0.3)
    rel[np.arange(n_units), rng.integers(0, n_items, n_units)] = rng.integers(1, 4, n_units)
    score = rng.normal(size=(n_units, n_items))
    units, items = np.meshgrid(np.arange(n_units), np.arange(n_items), indexing="ij")
    predictions = {"unit": units.ravel(), "item": items.ravel(), "score": score.ravel()}
    nz = rel.ravel() > 0
    truth = {
        "unit": units.ravel()[nz],
        "item": items.ravel()[nz],
        "relevance": rel.ravel()[nz].astype(float),
    }
    return rel.astype(float), score, predictions, truth


@pytest.mark.parametrize("k", [1, 5, 10, 25, 40])
def test_ndcg_matches_scikit_learn(k: int) -> None:
    # reference: sklearn.metrics.ndcg_score (linear gain, log2 discount, ideal from y_true);
    # continuous scores so that sklearn's tie averaging plays no role
    rel, score, predictions, truth = _random_case(seed=k)
    res = evaluate(predictions, truth, k=k, n_bootstrap=0)
    assert res.models["model"][f"ndcg@{k}"].value == pytest.approx(
        ndcg_score(rel, score, k=k), rel=1e-12
    )
    # exponential gain equals sklearn's linear NDCG of the transformed relevance 2^rel - 1
    res = evaluate(predictions, truth, k=k, gain="exponential", n_bootstrap=0)
    assert res.models["model"][f"ndcg@{k}"].value == pytest.approx(
        ndcg_score(np.exp2(rel) - 1, score, k=k), rel=1e-12
    )


def _naive(rel: np.ndarray, score: np.ndarray, k: int) -> dict[str, float]:
    """A per-unit loop straight from the textbook definitions (the independent reference)."""
    out: dict[str, list[float]] = {m: [] for m in ("precision", "recall", "hit", "mrr", "ap")}
    for r, s in zip(rel, score, strict=True):
        ranked = sorted(range(len(s)), key=lambda j: (-s[j], j))[:k]
        relevant = {j for j in range(len(r)) if r[j] > 0}
        hits = [j in relevant for j in ranked]
        out["precision"].append(sum(hits) / k)
        out["recall"].append(sum(hits) / len(relevant))
        out["hit"].append(float(any(hits)))
        out["mrr"].append(next((1 / (i + 1) for i, h in enumerate(hits) if h), 0.0))
        precisions = [sum(hits[: i + 1]) / (i + 1) for i, h in enumerate(hits) if h]
        out["ap"].append(sum(precisions) / min(k, len(relevant)))
    return {m: float(np.mean(v)) for m, v in out.items()}


@pytest.mark.parametrize("k", [1, 3, 10, 30])
def test_binary_metrics_match_a_naive_reference(k: int) -> None:
    rel, score, predictions, truth = _random_case(seed=100 + k)
    got = evaluate(predictions, truth, k=k, n_bootstrap=0).models["model"]
    want = _naive(rel, score, k)
    assert got[f"precision@{k}"].value == pytest.approx(want["precision"], rel=1e-12)
    assert got[f"recall@{k}"].value == pytest.approx(want["recall"], rel=1e-12)
    assert got[f"hit_rate@{k}"].value == pytest.approx(want["hit"], rel=1e-12)
    assert got[f"mrr@{k}"].value == pytest.approx(want["mrr"], rel=1e-12)
    assert got[f"map@{k}"].value == pytest.approx(want["ap"], rel=1e-12)


def test_rating_metrics_match_scikit_learn() -> None:
    # reference: sklearn mean_squared_error / mean_absolute_error over the pooled pairs
    rng = np.random.default_rng(7)
    n = 300
    truth = {
        "unit": rng.integers(0, 30, n),
        "item": np.arange(n),
        "rating": rng.integers(1, 6, n).astype(float),
    }
    pred = truth["rating"] + rng.normal(0, 0.8, n)
    predictions = {"unit": truth["unit"], "item": truth["item"], "predicted_rating": pred}
    res = evaluate(predictions, truth, n_bootstrap=0)
    m = res.models["model"]
    assert m["rmse"].value == pytest.approx(math.sqrt(mean_squared_error(truth["rating"], pred)))
    assert m["mae"].value == pytest.approx(mean_absolute_error(truth["rating"], pred))
    assert res.missing_rating_predictions == {"model": 0}


def test_rating_metrics_count_missing_predictions() -> None:
    truth = {"unit": [1, 1, 2], "item": [1, 2, 1], "rating": [4.0, 2.0, 3.0]}
    predictions = {"unit": [1, 2], "item": [1, 1], "predicted_rating": [3.0, 3.0]}
    res = evaluate(predictions, truth, n_bootstrap=0)
    assert res.models["model"]["rmse"].value == pytest.approx(math.sqrt(1 / 2))
    assert res.missing_rating_predictions == {"model": 1}


def test_list_metrics_match_hand_computation() -> None:
    # two units; lists: unit 1 -> a, b, c ; unit 2 -> a
    predictions = {
        "unit": [1, 1, 1, 2],
        "item": ["a", "b", "c", "a"],
        "score": [3.0, 2.0, 1.0, 1.0],
    }
    truth = {"unit": [1, 2], "item": ["a", "d"], "relevance": [1.0, 1.0]}
    # interactions: 4 units; a seen by 3 of them, b by 1, c and d by none
    interactions = {"unit": [1, 2, 3, 4], "item": ["a", "a", "a", "b"]}
    features = {"a": ["x"], "b": ["x", "y"], "c": [], "d": ["y"]}
    res = evaluate(
        predictions, truth, k=3, n_bootstrap=0, interactions=interactions, item_features=features
    ).models["model"]
    assert res["coverage@3"].value == pytest.approx(3 / 4)  # a, b, c of catalogue a-d
    assert res["popularity@3"].value == pytest.approx(((3 / 4 + 1 / 4 + 0) / 3 + 3 / 4) / 2)
    info = [-math.log2(4 / 5), -math.log2(2 / 5), -math.log2(1 / 5)]
    assert res["novelty@3"].value == pytest.approx((sum(info) / 3 + info[0]) / 2)
    # pairs of unit 1: cos(a, b) = 1/sqrt(2), cos(a, c) = cos(b, c) = 0; unit 2 has no pair
    assert res["diversity@3"].value == pytest.approx(1 - (1 / math.sqrt(2)) / 3)
    assert res["diversity@3"].n_units == 1


def test_diversity_matches_pairwise_cosine_of_scikit_learn() -> None:
    # reference: sklearn cosine_similarity over the list's feature vectors, averaged over pairs
    rng = np.random.default_rng(3)
    n_units, n_items, k = 20, 30, 6
    feats = (rng.random((n_items, 5)) < 0.4).astype(float)
    features = {i: [f"g{j}" for j in range(5) if feats[i, j]] for i in range(n_items)}
    score = rng.normal(size=(n_units, n_items))
    units, items = np.meshgrid(np.arange(n_units), np.arange(n_items), indexing="ij")
    predictions = {"unit": units.ravel(), "item": items.ravel(), "score": score.ravel()}
    truth = {"unit": np.arange(n_units), "item": np.zeros(n_units, int), "relevance": np.ones(20)}
    res = evaluate(predictions, truth, k=k, n_bootstrap=0, item_features=features)
    expected = []
    for s in score:
        top = np.argsort(-s)[:k]
        sim = cosine_similarity(feats[top])
        expected.append(1 - sim[np.triu_indices(k, 1)].mean())
    assert res.models["model"][f"diversity@{k}"].value == pytest.approx(np.mean(expected))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 12))
def test_results_do_not_depend_on_row_order(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    _, _, predictions, truth = _random_case(seed, n_units=8, n_items=10)
    # integer scores create many ties; the documented tie-break must make order irrelevant
    predictions["score"] = rng.integers(0, 3, predictions["score"].size).astype(float)
    perm = rng.permutation(predictions["unit"].size)
    shuffled = {c: v[perm] for c, v in predictions.items()}
    a = evaluate(predictions, truth, k=k, n_bootstrap=0).to_dict()
    b = evaluate(shuffled, truth, k=k, n_bootstrap=0).to_dict()
    assert a == b


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 12))
def test_metrics_are_bounded_and_ordered(seed: int, k: int) -> None:
    _, _, predictions, truth = _random_case(seed, n_units=8, n_items=10)
    m = evaluate(predictions, truth, k=k, n_bootstrap=0).models["model"]
    for name in ("precision", "recall", "hit_rate", "mrr", "map", "ndcg", "coverage"):
        assert 0.0 <= m[f"{name}@{k}"].value <= 1.0 + 1e-12
    # a unit with a hit has reciprocal rank <= 1 and hit 1, so MRR <= hit rate
    assert m[f"mrr@{k}"].value <= m[f"hit_rate@{k}"].value + 1e-12


def test_a_perfect_ranking_scores_one() -> None:
    rel, _, predictions, truth = _random_case(seed=11)
    # score = relevance + tiny index term: a perfect ranking of every unit
    predictions["score"] = rel.ravel() - 1e-6 * predictions["item"]
    m = evaluate(predictions, truth, k=5, n_bootstrap=0).models["model"]
    assert m["ndcg@5"].value == pytest.approx(1.0)
    assert m["hit_rate@5"].value == 1.0


def test_packed_sort_key_and_lexsort_fallback_agree() -> None:
    # reference: numpy.lexsort on (unit, -score, item); the packed key must give the same order,
    # and codes large enough to overflow the packed key must fall back to lexsort
    from proxymetric.offline._ranking import _list_order

    rng = np.random.default_rng(8)
    n = 5000
    unit = rng.integers(0, 50, n)
    item = rng.permutation(n)  # distinct pairs
    score = rng.integers(0, 20, n).astype(float)
    want = np.lexsort((item, -score, unit))
    np.testing.assert_array_equal(_list_order(unit, item, score), want)
    big_unit = unit * 2**45
    np.testing.assert_array_equal(_list_order(big_unit, item, score), want)


def test_chunked_passes_give_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    # reference: the same evaluation in one chunk; tiny chunks split the rows at many places
    import proxymetric.offline._ranking as ranking

    rng = np.random.default_rng(12)
    _, _, predictions, truth = _random_case(seed=12, n_units=30, n_items=20)
    features = {i: [f"g{j}" for j in range(4) if rng.random() < 0.5] for i in range(20)}
    whole = evaluate(predictions, truth, k=7, n_bootstrap=0, item_features=features).to_dict()
    shuffled = rng.permutation(predictions["unit"].size)
    for chunk in (1, 7, 50):
        monkeypatch.setattr(ranking, "_CHUNK_ROWS", chunk)
        for rows in (predictions, {c: v[shuffled] for c, v in predictions.items()}):
            got = evaluate(rows, truth, k=7, n_bootstrap=0, item_features=features).to_dict()
            assert got == whole

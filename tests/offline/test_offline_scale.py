"""The memory-bounded passes of offline evaluation give the same answers as naive references.

Duplicate (unit, item) pairs are found by a check within each unit's rows instead of a sort of
every pair key; the reference is pandas' ``DataFrame.duplicated``. Positions within lists are
computed in chunks; the reference is a Python loop. Small chunks (monkeypatched) make every
chunk boundary fall inside the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import proxymetric.offline._ranking as ranking
from proxymetric.errors import DataError
from proxymetric.offline import evaluate


def _predictions(rng: np.random.Generator, layout: str) -> dict[str, np.ndarray]:
    """Lists of 1-8 items (fixed length 5 for "equal"), some with a repeated item."""
    n_units = 40
    lengths = np.full(n_units, 5) if layout == "equal" else rng.integers(1, 9, n_units)
    unit = np.repeat(np.arange(n_units), lengths)
    item = np.concatenate([rng.choice(30, size=m, replace=False) for m in lengths])
    if rng.random() < 0.6:  # repeat one item within a unit's list
        u = int(rng.choice(np.flatnonzero(lengths >= 2)))
        rows = np.flatnonzero(unit == u)
        item[rows[-1]] = item[rows[0]]
    score = rng.permutation(unit.size).astype(np.float64)
    if layout in {"ranked", "equal"}:
        order = np.lexsort((item, -score, unit))
        unit, item, score = unit[order], item[order], score[order]
    elif layout == "nan":
        score[rng.integers(0, unit.size, 3)] = np.nan
        order = rng.permutation(unit.size)
        unit, item, score = unit[order], item[order], score[order]
    else:
        order = rng.permutation(unit.size)
        unit, item, score = unit[order], item[order], score[order]
    return {"unit": unit, "item": item, "score": score}


@pytest.mark.parametrize("layout", ["ranked", "equal", "shuffled", "nan"])
@pytest.mark.parametrize("chunk", [7, 1_000_000])
def test_duplicate_pairs_are_found_as_pandas_finds_them(
    layout: str, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranking, "_CHUNK_ROWS", chunk)
    truth = {"unit": np.arange(40), "item": np.zeros(40, dtype=np.int64), "relevance": np.ones(40)}
    found = 0
    for seed in range(12):
        preds = _predictions(np.random.default_rng(seed), layout)
        want = bool(pd.DataFrame({"u": preds["unit"], "i": preds["item"]}).duplicated().any())
        found += want
        if want:
            with pytest.raises(DataError, match=r"model 'model' has duplicate \(unit, item\)"):
                evaluate(preds, truth, k=3, n_bootstrap=0)
        else:
            evaluate(preds, truth, k=3, n_bootstrap=0)
    assert 0 < found < 12  # both outcomes occurred


def test_a_duplicate_below_the_cut_at_k_is_still_found() -> None:
    preds = {"unit": [1, 1, 1], "item": ["a", "b", "a"], "score": [3.0, 2.0, 1.0]}
    truth = {"unit": [1], "item": ["a"], "relevance": [1.0]}
    with pytest.raises(DataError, match=r"duplicate \(unit, item\) pairs"):
        evaluate(preds, truth, k=1, n_bootstrap=0)


def test_duplicate_truth_pairs_are_found_in_any_order() -> None:
    truth = {"unit": [2, 1, 2, 1], "item": ["a", "b", "b", "b"], "relevance": [1.0, 1, 1, 1]}
    with pytest.raises(DataError, match=r"`truth` has duplicate \(unit, item\) pairs"):
        evaluate({"unit": [1], "item": ["a"], "score": [1.0]}, truth, n_bootstrap=0)
    truth["item"] = ["a", "b", "b", "c"]
    evaluate({"unit": [1], "item": ["a"], "score": [1.0]}, truth, n_bootstrap=0)


@pytest.mark.parametrize("chunk", [1, 3, 5, 1_000])
def test_positions_in_lists_match_a_loop(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "_CHUNK_ROWS", chunk)
    units = np.sort(np.random.default_rng(4).integers(0, 6, 23))
    want, previous, position = [], None, 0
    for u in units.tolist():  # the reference: count rows since the unit changed
        position = position + 1 if u == previous else 0
        want.append(position)
        previous = u
    assert ranking._group_rank(units).tolist() == want

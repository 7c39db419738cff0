"""Inputs: files (CSV, gzipped CSV, Parquet), data frames, Arrow and Ibis tables all agree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from proxymetric.offline import evaluate

TRUTH: dict[str, list[Any]] = {
    "unit": [1, 1, 2, 3],
    "item": ["a", "b", "a", "c"],
    "rating": [5.0, 1.0, 4.0, 2.0],
}
PRED: dict[str, list[Any]] = {
    "model": ["m1"] * 4 + ["m2"] * 4,
    "unit": [1, 1, 2, 3] * 2,
    "item": ["a", "b", "a", "c"] * 2,
    "predicted_rating": [4.0, 2.0, 3.0, 2.5, 5.0, 2.0, 4.0, 1.0],
}


def _expected() -> dict[str, Any]:
    return evaluate(PRED, TRUTH, k=2, relevance_threshold=4, n_bootstrap=50).to_dict()


@pytest.mark.parametrize(
    "convert",
    [
        pd.DataFrame,
        pl.DataFrame,
        pa.table,
        lambda d: ibis.memtable(pa.table(d)),
    ],
    ids=["pandas", "polars", "pyarrow", "ibis"],
)
def test_table_kinds(convert: Callable[[dict[str, list[Any]]], Any]) -> None:
    got = evaluate(convert(PRED), convert(TRUTH), k=2, relevance_threshold=4, n_bootstrap=50)
    assert got.to_dict() == _expected()


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet"])
def test_files(tmp_path: Path, suffix: str) -> None:
    paths = []
    for name, data in (("p", PRED), ("t", TRUTH)):
        path = tmp_path / f"{name}{suffix}"
        frame = pd.DataFrame(data)
        if suffix == ".parquet":
            frame.to_parquet(path)
        else:
            frame.to_csv(path, index=False)
        paths.append(path)
    got = evaluate(paths[0], str(paths[1]), k=2, relevance_threshold=4, n_bootstrap=50)
    assert got.to_dict() == _expected()


def test_a_mapping_of_models() -> None:
    frame = pd.DataFrame(PRED)
    per_model = {
        name: rows.drop(columns="model") for name, rows in frame.groupby("model", sort=False)
    }
    got = evaluate(per_model, TRUTH, k=2, relevance_threshold=4, n_bootstrap=50)
    assert got.to_dict() == _expected()


def test_interleaved_model_rows() -> None:
    # rows of the two models alternate: the result must not depend on it
    frame = pd.DataFrame(PRED).sort_values(["unit", "item", "model"])
    got = evaluate(frame, TRUTH, k=2, relevance_threshold=4, n_bootstrap=50)
    assert got.to_dict() == _expected()

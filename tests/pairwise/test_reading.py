"""Judgments read from CSV, gzip CSV, Parquet, pandas and polars give the same result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from proxymetric.errors import DataError
from proxymetric.pairwise import Judgments

ROWS = {
    "item": ["q1", "q2", "q3", "q4"],
    "system_a": ["x", "y", "x", "z"],
    "system_b": ["y", "z", "z", "x"],
    "winner": ["a", "TIE", "b", " a "],
    "rater": ["r1", "r2", "r1", None],
    "position": ["a", "z", None, "b"],
    "note": ["good", None, "", "fine"],
}


def _check(j: Judgments) -> None:
    assert j.systems == ("x", "y", "z")
    assert j.outcome.tolist() == [1.0, 0.5, 0.0, 1.0]
    assert j.item_names == ("q1", "q2", "q3", "q4")
    assert j.shown_first is not None
    assert j.shown_first.tolist() == [1, 0, -1, 0]
    assert j.note is not None
    assert j.note.tolist() == ["good", "", "", "fine"]


def test_mapping_and_frames() -> None:
    import pandas as pd
    import polars as pl

    with pytest.raises(DataError, match=r"column `rater` has 1 missing values"):
        Judgments.from_table(ROWS)
    rows = {**ROWS, "rater": ["r1", "r2", "r1", "r3"]}
    _check(Judgments.from_table(rows))
    _check(Judgments.from_table(pd.DataFrame(rows)))
    _check(Judgments.from_table(pl.DataFrame(rows)))


@pytest.mark.parametrize("name", ["judgments.csv", "judgments.csv.gz", "judgments.parquet"])
def test_files(tmp_path: Path, name: str) -> None:
    import pandas as pd

    frame = pd.DataFrame({**ROWS, "rater": ["r1", "r2", "r1", "r3"]})
    path = tmp_path / name
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    _check(Judgments.from_table(path))


def test_unknown_file_type_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "judgments.xlsx"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(DataError, match=r"must end in .csv, .csv.gz, .tsv or .parquet"):
        Judgments.from_table(path)
    with pytest.raises(DataError, match=r"file not found: .*nope.csv"):
        Judgments.from_table(tmp_path / "nope.csv")


def test_numeric_system_names_and_items() -> None:
    j = Judgments.from_table(
        {"item": [1, 2], "system_a": [10, 2], "system_b": [2, 10], "winner": ["a", "b"]}
    )
    assert j.systems == ("10", "2")
    assert np.array_equal(j.system_a, [0, 1])


def test_from_codes_rejects_unjudged_and_bad_outcomes() -> None:
    with pytest.raises(DataError, match=r"system 'c' has no judgments"):
        Judgments.from_codes([0], [1], [1.0], systems=("a", "b", "c"))
    with pytest.raises(DataError, match=r"`outcome` must be 1 \(a won\), 0 \(b won\) or 0.5"):
        Judgments.from_codes([0], [1], [0.7])

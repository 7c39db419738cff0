"""The unit-table query checks its data: 0/1 proportions and one row per unit.

The counts in the messages are checked against pandas (``duplicated``, ``nunique``, boolean
masks) on the same frame.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

import proxymetric
from proxymetric.design.plan import plan
from proxymetric.errors import DataError


def _spec(**metric: Any) -> dict[str, Any]:
    return {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm"}},
        "metrics": {
            "bought": {"type": "proportion", "source": "u", "column": "bought", **metric},
            "y": {"type": "mean", "source": "u", "column": "y"},
        },
        "experiments": {"e": {"control": "a", "primary": "y", "secondary": ["bought"]}},
    }


def _frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "arm": np.where(np.arange(n) % 2 == 0, "a", "b"),
            "y": rng.normal(10, 2, n),
            "bought": rng.binomial(1, 0.3, n).astype(float),
        }
    )


def test_a_proportion_with_values_other_than_0_and_1_is_refused() -> None:
    data = _frame()
    data.loc[[3, 10, 11], "bought"] = [5.0, -1.0, 2.0]
    bad = ~data["bought"].isin([0.0, 1.0])
    msg = (
        f"column 'bought' of source 'u' is read by a proportion metric but has {bad.sum()} "
        f"value(s) other than 0 and 1 (from {data.bought[bad].min():g} to "
        f"{data.bought[bad].max():g})"
    )
    assert msg.endswith("has 3 value(s) other than 0 and 1 (from -1 to 5)")
    with pytest.raises(DataError, match=re.escape(msg)):
        proxymetric.analyze(_spec(), data={"u": data})


def test_a_fraction_is_not_a_0_1_value() -> None:
    data = _frame()
    data.loc[7, "bought"] = 0.5
    with pytest.raises(
        DataError, match=re.escape("1 value(s) other than 0 and 1 (from 0.5 to 0.5)")
    ):
        proxymetric.analyze(_spec(), data={"u": data})


def test_booleans_filled_gaps_and_unassigned_rows_pass() -> None:
    data = _frame()
    reference = proxymetric.analyze(_spec(), data={"u": data}).result("bought")
    as_bool = data.assign(bought=data["bought"].astype(bool))
    assert proxymetric.analyze(_spec(), data={"u": as_bool}).result("bought").pvalue == (
        pytest.approx(reference.pvalue, rel=1e-12)
    )
    gaps = data.copy()
    gaps.loc[[0, 1], "bought"] = np.nan  # filled with 0 before the check
    proxymetric.analyze(_spec(fill_missing=0), data={"u": gaps})
    stray = pd.concat(
        [data, pd.DataFrame({"id": [9999], "arm": [None], "y": [1.0], "bought": [7]})]
    )
    result = proxymetric.analyze(_spec(), data={"u": stray})  # the row without a variant is out
    assert result.warnings[0].startswith("1 ")


def _counts(data: pd.DataFrame) -> tuple[int, int]:
    """Rows beyond the first of each unit, and units in more than one variant (pandas)."""
    extra = int(data["id"].duplicated().sum())
    multi = int((data.groupby("id")["arm"].nunique() > 1).sum())
    return extra, multi


def test_duplicate_units_within_a_variant_are_refused_with_counts() -> None:
    data = _frame()
    data = pd.concat([data, data.iloc[[0, 2, 2]]], ignore_index=True)  # id 0 twice, id 2 thrice
    assert _counts(data) == (3, 0)
    message = "repeats units: 3 row(s) beyond the first of a unit, and 0 unit(s) in more than one"
    with pytest.raises(DataError, match=re.escape(message)):
        proxymetric.analyze(_spec(), data={"u": data})


@pytest.mark.parametrize("folds", [False, True])
def test_a_unit_in_both_variants_is_refused_with_counts(folds: bool) -> None:
    data = _frame()
    swapped = data.iloc[[0, 4, 4]].assign(arm="b")  # ids 0 and 4 also in the treatment
    data = pd.concat([data, swapped], ignore_index=True)
    extra, multi = _counts(data)
    assert (extra, multi) == (3, 2)
    message = f"{extra} row(s) beyond the first of a unit, and {multi} unit(s) in more than one"
    with pytest.raises(DataError, match=re.escape(message)):
        proxymetric.analyze(_spec(), data={"u": data}, folds=folds)


def test_rows_without_a_variant_or_a_unit_id_are_not_duplicates() -> None:
    data = _frame()
    blank = pd.DataFrame({"id": [0, None, None], "arm": [None, "a", "a"], "y": 1.0, "bought": 0.0})
    result = proxymetric.analyze(_spec(), data={"u": pd.concat([data, blank])})
    assert result.units == {"a": 202, "b": 200}


def test_plan_refuses_duplicate_units_too() -> None:
    data = _frame()
    data = pd.concat([data, data.iloc[[5]]], ignore_index=True)
    with pytest.raises(DataError, match=re.escape("repeats units: 1 row(s) beyond the first")):
        plan(_spec(), data={"u": data}, units_per_day=100)


@pytest.mark.parametrize("ids", ["dense", "sparse", "text"])
def test_a_duplicate_hidden_by_a_gap_is_refused(ids: str) -> None:
    # As many rows as integers from the smallest id to the largest, yet id 3 twice (and id 5
    # missing): counting rows against the range of ids would miss it; pandas finds one.
    data = _frame()
    data.loc[5, "id"] = 3
    if ids == "sparse":
        data["id"] = data["id"] * 7 + 1
    if ids == "text":
        data["id"] = "u" + data["id"].astype(str)
    assert _counts(data) == (1, 0)  # rows 3 and 5 are both in arm b
    message = "repeats units: 1 row(s) beyond the first of a unit, and 0 unit(s) in more than one"
    with pytest.raises(DataError, match=re.escape(message)):
        proxymetric.analyze(_spec(), data={"u": data})


def test_a_source_declared_unique_is_not_counted() -> None:
    # `unique: true` is the team's word that the table has one row per unit (a primary key):
    # the distinct units are not counted, so even a duplicate passes, with every row a unit.
    data = _frame()
    data = pd.concat([data, data.iloc[[0]]], ignore_index=True)
    spec = _spec()
    spec["sources"]["u"]["unique"] = True
    assert proxymetric.analyze(spec, data={"u": data}).units == {"a": 201, "b": 200}
    with pytest.raises(DataError, match="repeats units"):
        proxymetric.analyze(_spec(), data={"u": data})

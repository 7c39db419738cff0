"""Summary-statistics sources: ASOS final snapshots against scipy's Welch test from stats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import proxymetric
from proxymetric.errors import DataError, ProxymetricError

ROOT = Path(__file__).resolve().parents[2]
ASOS = ROOT / "examples" / "data" / "asos" / "asos_digital_experiments.csv.gz"


def asos_spec(experiment: str, metrics: tuple[int, ...] = (1, 2, 3, 4)) -> dict[str, Any]:
    return {
        "sources": {
            "asos": {
                "path": str(ASOS),
                "filter": f"experiment_id = '{experiment}'",
                "summary": {
                    "layout": "paired",
                    "metric": "metric_id",
                    "snapshot": "time_since_start",
                    "treatment_variant": "variant_id",
                    "control": {"count": "count_c", "mean": "mean_c", "variance": "variance_c"},
                    "treatment": {"count": "count_t", "mean": "mean_t", "variance": "variance_t"},
                },
            }
        },
        "metrics": {
            f"m{i}": {"type": "mean", "source": "asos", "summary_metric": i} for i in metrics
        },
        "experiments": {
            "e": {
                "control": "control",
                "primary": f"m{metrics[0]}",
                "secondary": [f"m{i}" for i in metrics[1:]],
            }
        },
    }


@pytest.fixture(scope="module")
def asos() -> pd.DataFrame:
    return pd.read_csv(ASOS)


@pytest.mark.parametrize("experiment", ["591c2c", "036afc", "3b4300", "2203f3"])
def test_asos_final_snapshot_against_scipy(asos: pd.DataFrame, experiment: str) -> None:
    # Reference: scipy.stats.ttest_ind_from_stats(equal_var=False) on the rows of the latest
    # snapshot, picked with pandas.
    rows = asos[asos.experiment_id == experiment]
    metrics = tuple(sorted(rows.metric_id.unique()))
    result = proxymetric.analyze(asos_spec(experiment, metrics))
    last = rows[
        rows.time_since_start
        == rows.groupby(["variant_id", "metric_id"]).time_since_start.transform("max")
    ]
    checked = 0
    records: list[dict[Any, Any]] = last.to_dict("records")
    for row in records:
        r = result.result(f"m{row['metric_id']}", str(row["variant_id"]))
        ref = sps.ttest_ind_from_stats(
            row["mean_t"],
            np.sqrt(row["variance_t"]),
            row["count_t"],
            row["mean_c"],
            np.sqrt(row["variance_c"]),
            row["count_c"],
            equal_var=False,
        )
        assert r.effect == pytest.approx(row["mean_t"] - row["mean_c"], rel=1e-12)
        if np.isfinite(row["variance_t"]) and np.isfinite(row["variance_c"]):
            assert r.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
            checked += 1
        else:
            assert np.isnan(r.pvalue)
            assert r.reason is not None
        assert r.control_units == row["count_c"]
    assert checked >= 1
    assert result.units["control"] == int(last.count_c.iloc[0])


def test_long_layout(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "arm": ["a", "b", "c"],
            "n": [1000, 1010, 990],
            "avg": [5.0, 5.3, 5.1],
            "var": [4.0, 4.2, 3.9],
        }
    )
    table.to_csv(tmp_path / "summary.csv", index=False)
    spec = {
        "sources": {
            "s": {
                "path": str(tmp_path / "summary.csv"),
                "variant": "arm",
                "summary": {"count": "n", "mean": "avg", "variance": "var"},
            }
        },
        "metrics": {"spend": {"type": "mean", "source": "s"}},
        "experiments": {"e": {"control": "a", "primary": "spend"}},
    }
    result = proxymetric.analyze(spec)
    ref = sps.ttest_ind_from_stats(5.3, 4.2**0.5, 1010, 5.0, 2.0, 1000, equal_var=False)
    assert result.result("spend", "b").pvalue == pytest.approx(ref.pvalue, rel=1e-10)
    assert result.units == {"a": 1000, "b": 1010, "c": 990}


def test_unfiltered_asos_is_rejected_with_advice() -> None:
    spec = asos_spec("x")
    del spec["sources"]["asos"]["filter"]
    with pytest.raises(
        DataError,
        match=r"has several different rows for metric '[1-4]' of variant 'control'; filter it to one experiment",
    ):
        proxymetric.analyze(spec)


def test_unknown_summary_metric() -> None:
    spec = asos_spec("591c2c", (1, 7))
    with pytest.raises(
        DataError,
        match=r"no rows for metric '7' \(metric 'm7'\) in variant '.*'; metrics present: 1, 2, 3, 4",
    ):
        proxymetric.analyze(spec)


def test_cuped_and_ratio_are_rejected_on_summaries() -> None:
    spec = asos_spec("591c2c", (1,))
    spec["metrics"]["r"] = {"type": "ratio", "source": "asos", "numerator": "a", "denominator": "b"}
    with pytest.raises(ProxymetricError, match="ratio metric 'r' needs unit-level data"):
        proxymetric.load_spec(spec)
    spec = asos_spec("591c2c", (1,))
    spec["metrics"]["m1"]["covariate"] = "pre"
    with pytest.raises(ProxymetricError, match="cannot use `covariate`"):
        proxymetric.load_spec(spec)

"""Imports of summary statistics: ASOS final snapshots and generic CSV exports."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from proxymetric.errors import DataError
from proxymetric.registry import Registry, import_asos, import_csv
from proxymetric.registry.imports import ASOS_COLUMNS


@pytest.fixture(scope="module")
def asos_path(root: Path) -> Path:
    return root / "examples" / "data" / "asos" / "asos_digital_experiments.csv.gz"


@pytest.fixture(scope="module")
def asos_registry(tmp_path_factory: pytest.TempPathFactory, asos_path: Path) -> Registry:
    reg = Registry(tmp_path_factory.mktemp("asos") / "r.db")
    import_asos(reg, asos_path)
    return reg


def test_asos_final_snapshot(asos_registry: Registry, asos_path: Path) -> None:
    # Reference: the final snapshot recomputed with pandas from the raw file (78 experiments,
    # 99 treatment/control pairs, 4 metrics: the figures of the data set's README).
    raw = pd.read_csv(asos_path)
    final = (
        raw.sort_values("time_since_start")
        .groupby(["experiment_id", "variant_id", "metric_id"])
        .tail(1)
    )
    records = asos_registry.records(with_effects=True)
    assert len(records) == 78
    assert sum(len(r.effects) for r in records) == len(final) == 99 * 4
    assert all(r.noise_covariance == "unknown" for r in records)
    by_key = {(r.experiment, e.variant, e.metric): e for r in records for e in r.effects}
    for row in final.sample(40, random_state=0).to_dict("records"):
        key = (row["experiment_id"], f"variant_{row['variant_id']}", f"metric_{row['metric_id']}")
        e = by_key[key]
        assert e.effect == pytest.approx(row["mean_t"] - row["mean_c"], rel=1e-12)
        se = math.sqrt(row["variance_t"] / row["count_t"] + row["variance_c"] / row["count_c"])
        if math.isnan(se):
            assert e.effect_se is None
        else:
            assert e.effect_se == pytest.approx(se, rel=1e-12)
        assert (e.control_units, e.treatment_units) == (row["count_c"], row["count_t"])


def test_asos_reimport_is_a_no_op(asos_registry: Registry, asos_path: Path) -> None:
    again = import_asos(asos_registry, asos_path)
    assert (again.experiments_added, again.experiments_skipped) == (0, 78)
    assert len(asos_registry.records()) == 78


CSV = """experiment,variant,metric,effect,effect_se,control_units,treatment_units,shipped
e1,b,revenue,0.5,0.2,1000,1000,true
e1,b,clicks,0.1,0.05,1000,1000,true
e2,,revenue,-0.1,0.2,500,500,
"""


def test_generic_csv(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV)
    reg = Registry(tmp_path / "r.db")
    summary = import_csv(reg, path)
    assert (summary.experiments_added, summary.effects) == (2, 3)
    e1, e2 = reg.records(with_effects=True)
    assert e1.shipped is True
    assert e2.shipped is None
    assert [(e.variant, e.metric, e.effect) for e in e2.effects] == [("treatment", "revenue", -0.1)]
    assert import_csv(reg, path).experiments_skipped == 2
    rows = reg.effect_rows()
    assert np.isclose(sum(rows["effect"]), 0.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "experiment,metric,effect\ne,m,1\n",
            (
                "export.csv: missing column(s) effect_se, control_units, treatment_units; "
                "the file has: experiment, metric, effect"
            ),
        ),
        (
            "experiment,metric,effect,effect_se,control_units,treatment_units\ne,m,big,1,1,1\n",
            "export.csv:2: column `effect` must be a number; got 'big'",
        ),
        (
            "experiment,metric,effect,effect_se,control_units,treatment_units\ne,m,1,-1,1,1\n",
            "export.csv:2: column `effect_se` must be >= 0; got -1.0",
        ),
        (
            "experiment,metric,effect,effect_se,control_units,treatment_units\ne,m,1,1,0,1\n",
            "export.csv:2: column `control_units` must be a positive whole number of units; got '0'",
        ),
        (
            "experiment,metric,effect,effect_se,control_units,treatment_units\ne,m,1,1,1,1\ne,m,2,1,1,1\n",
            (
                "export.csv:3: experiment 'e', variant 'treatment', metric 'm' is already on "
                "line 2; give one row per variant and metric"
            ),
        ),
        (
            (
                "experiment,metric,effect,effect_se,control_units,treatment_units,shipped\n"
                "e,m,1,1,1,1,maybe\n"
            ),
            "export.csv:2: column `shipped` must be true/false, 1/0 or yes/no; got 'maybe'",
        ),
    ],
)
def test_csv_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "export.csv"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        import_csv(Registry(tmp_path / "r.db"), path)
    assert str(info.value) == message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"`file` '.*nope.csv' does not exist"):
        import_asos(Registry(tmp_path / "r.db"), tmp_path / "nope.csv")


def test_asos_relative_effects_of_losses(tmp_path: Path) -> None:
    # docs/architecture.md: (t - c) / |c|; -10 -> -12 is -20% (a larger loss), and means of
    # opposite signs have no relative effect. Reference: the closed form.
    header = ",".join(ASOS_COLUMNS)
    rows = ["x,1,1,1,100,100,-10,-12,4,4", "x,1,2,1,100,100,-10,2,4,4", "x,1,3,1,100,100,10,12,4,4"]
    path = tmp_path / "asos.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    reg = Registry(tmp_path / "r.db")
    import_asos(reg, path)
    (record,) = reg.records(with_effects=True)
    rel = {e.metric: e.rel_effect for e in record.effects}
    assert rel["metric_1"] == pytest.approx(-0.2)
    assert rel["metric_2"] is None or math.isnan(rel["metric_2"])
    assert rel["metric_3"] == pytest.approx(0.2)

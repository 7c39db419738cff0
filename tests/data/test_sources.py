"""The same analysis from CSV, Parquet, a DuckDB table and in-memory tables gives the same numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import proxymetric
from proxymetric.errors import DataError

SPEC: dict[str, Any] = {
    "sources": {"units": {"path": "PLACEHOLDER", "unit": "user", "variant": "arm"}},
    "metrics": {
        "revenue": {
            "type": "mean",
            "source": "units",
            "column": "revenue",
            "covariate": "pre_revenue",
        },
        "converted": {"type": "proportion", "source": "units", "column": "converted"},
        "ctr": {
            "type": "ratio",
            "source": "units",
            "numerator": "clicks",
            "denominator": "views",
            "numerator_covariate": "pre_clicks",
            "denominator_covariate": "pre_views",
        },
    },
    "experiments": {
        "test": {
            "control": "a",
            "primary": "revenue",
            "guardrails": [{"metric": "converted", "margin": 0.05}],
            "secondary": ["ctr"],
        }
    },
}


def make_units(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = rng.choice(["a", "b", "c"], size=n)
    pre = rng.gamma(2.0, 10.0, n)
    lift = np.where(arm == "b", 1.05, 1.0)
    views = rng.poisson(8, n) + 1
    pre_views = rng.poisson(8, n) + 1
    return pd.DataFrame(
        {
            "user": np.arange(n),
            "arm": arm,
            "pre_revenue": pre,
            "revenue": (0.6 * pre + rng.gamma(2.0, 5.0, n)) * lift,
            "converted": rng.random(n) < 0.3,
            "views": views,
            "clicks": rng.binomial(views, 0.1),
            "pre_views": pre_views,
            "pre_clicks": rng.binomial(pre_views, 0.1),
        }
    )


def _spec(**source: Any) -> dict[str, Any]:
    return {**SPEC, "sources": {"units": {"unit": "user", "variant": "arm", **source}}}


def _numbers(result: proxymetric.ExperimentResult) -> list[float]:
    return [
        x
        for r in result.results
        for x in (
            r.effect,
            r.effect_se,
            r.pvalue,
            r.rel_effect_ci_lower,
            r.noninferiority_pvalue or 0,
        )
    ]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_units()


@pytest.fixture(scope="module")
def reference(frame: pd.DataFrame) -> list[float]:
    return _numbers(proxymetric.analyze(_spec(table="units"), data={"units": frame}))


def test_csv_and_parquet_files(tmp_path: Path, frame: pd.DataFrame, reference: list[float]) -> None:
    frame.to_csv(tmp_path / "units.csv", index=False)
    frame.to_parquet(tmp_path / "units.parquet")
    for name in ("units.csv", "units.parquet"):
        spec = _spec(path=str(tmp_path / name))
        np.testing.assert_allclose(_numbers(proxymetric.analyze(spec)), reference, rtol=1e-9)


def test_duckdb_table(tmp_path: Path, frame: pd.DataFrame, reference: list[float]) -> None:
    db = tmp_path / "warehouse.db"
    with duckdb.connect(str(db)) as con:
        con.register("frame", frame)
        con.execute("CREATE TABLE units AS SELECT * FROM frame")
    spec = _spec(table="units", connection=f"duckdb://{db}")
    np.testing.assert_allclose(_numbers(proxymetric.analyze(spec)), reference, rtol=1e-9)


def test_duckdb_file_relative_to_the_spec(
    tmp_path: Path, frame: pd.DataFrame, reference: list[float]
) -> None:
    import yaml

    with duckdb.connect(str(tmp_path / "warehouse.db")) as con:
        con.register("frame", frame)
        con.execute("CREATE TABLE units AS SELECT * FROM frame")
    spec = _spec(table="units", connection="duckdb:///warehouse.db")
    (tmp_path / "proxymetric.yaml").write_text(yaml.safe_dump(spec))
    result = proxymetric.analyze(tmp_path / "proxymetric.yaml")
    np.testing.assert_allclose(_numbers(result), reference, rtol=1e-9)


@pytest.mark.parametrize("kind", ["polars", "pyarrow"])
def test_in_memory_tables(kind: str, frame: pd.DataFrame, reference: list[float]) -> None:
    obj = pl.from_pandas(frame) if kind == "polars" else pa.Table.from_pandas(frame)
    result = proxymetric.analyze(_spec(table="units"), data={"units": obj})
    np.testing.assert_allclose(_numbers(result), reference, rtol=1e-9)


def test_moments_match_pandas(frame: pd.DataFrame) -> None:
    # Reference: pandas groupby mean/var/cov on the unit-level table.
    from proxymetric.data import SourceResolver, variant_moments

    resolver = SourceResolver(Path.cwd(), {"units": frame})
    spec = proxymetric.load_spec(_spec(table="units"))
    table = resolver.table("units", spec.sources["units"])
    vm = variant_moments(table, "arm", ["revenue", "converted", "pre_revenue"])
    for arm, group in frame.groupby("arm"):
        m = vm.moments[str(arm)]
        sub = group[["revenue", "converted", "pre_revenue"]].astype(float)
        assert m.count == len(group)
        np.testing.assert_allclose(m.mean, sub.mean().to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(m.covariance(), sub.cov().to_numpy(), rtol=1e-9)


def test_missing_values_make_a_metric_undefined_unless_filled(frame: pd.DataFrame) -> None:
    holes = frame.copy()
    holes.loc[holes.index[:7], "revenue"] = np.nan
    result = proxymetric.analyze(_spec(table="units"), data={"units": holes})
    r = result.result("revenue", "b")
    assert np.isnan(r.pvalue)
    assert r.reason is not None
    assert "missing value(s)" in r.reason
    assert "fill_missing" in r.reason
    spec = _spec(table="units")
    spec["metrics"] = {
        **spec["metrics"],
        "revenue": {**spec["metrics"]["revenue"], "fill_missing": 0},
    }
    filled = proxymetric.analyze(spec, data={"units": holes})
    assert np.isfinite(filled.result("revenue", "b").pvalue)


def test_rows_without_variant_are_reported(frame: pd.DataFrame) -> None:
    holes = frame.copy()
    holes["arm"] = holes["arm"].astype(object)
    holes.loc[holes.index[:5], "arm"] = None
    result = proxymetric.analyze(_spec(table="units"), data={"units": holes})
    assert result.warnings == ["5 row(s) have no variant and were left out"]
    assert sum(result.units.values()) == len(frame) - 5


def test_unknown_column_lists_existing_ones(frame: pd.DataFrame) -> None:
    spec = _spec(table="units")
    spec["metrics"] = {
        **spec["metrics"],
        "converted": {"type": "proportion", "source": "units", "column": "convert"},
    }
    with pytest.raises(
        DataError,
        match=r"column 'convert' not found in source 'units' .*columns: user, arm, .*did you mean 'converted'\?",
    ):
        proxymetric.analyze(spec, data={"units": frame})


def test_missing_data_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="data file of source 'units' not found"):
        proxymetric.analyze(_spec(path=str(tmp_path / "nope.csv")))


def test_string_column_is_rejected(frame: pd.DataFrame) -> None:
    bad = frame.assign(revenue=frame["revenue"].astype(str))
    with pytest.raises(
        DataError,
        match="column 'revenue' of source 'units' has type string; metrics need numeric or boolean columns",
    ):
        proxymetric.analyze(_spec(table="units"), data={"units": bad})


def test_missing_in_memory_table() -> None:
    with pytest.raises(DataError, match="`data` has no 'units'; tables passed: other"):
        proxymetric.analyze(_spec(table="units"), data={"other": pd.DataFrame()})


def test_unknown_table_in_duckdb(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE unit AS SELECT 1 AS x")
    with pytest.raises(
        DataError, match=r"table 'units' not found at .*; tables: unit; did you mean 'unit'"
    ):
        proxymetric.analyze(_spec(table="units", connection=f"duckdb://{db}"))


def test_no_unit_rows_reach_python(frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    # The engine returns one row per variant: count the rows the query hands to Python.
    from proxymetric.data import moments as data_moments

    seen: list[int] = []
    original = data_moments._collect

    def spy(rows: list[dict[str, object]], cols: list[str], shifts: list[float]) -> Any:
        seen.append(len(rows))
        return original(rows, cols, shifts)

    monkeypatch.setattr(data_moments, "_collect", spy)
    proxymetric.analyze(_spec(table="units"), data={"units": frame})
    assert seen == [3]

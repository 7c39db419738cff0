"""The banded path of the quantile query: the same exact quantiles from a sort of a band.

Reference: ``numpy.quantile(..., method="linear")`` (DuckDB's ``quantile_cont``) of each arm's
values at the quantile's level and at the levels of its two order statistics, to 1e-12
relative. The band is taken from a block sample; a band that misses an order statistic is
detected by the exact counts, and the query over all values is run instead (checked on a table
whose sampled blocks are unrepresentative).
"""

from __future__ import annotations

import math

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from proxymetric.data import quantiles as qd

Z = 1.959963984540054


@pytest.fixture
def small_band(monkeypatch: pytest.MonkeyPatch) -> None:
    # The banded path at the size of a test (it starts at 200,000 values per arm otherwise).
    monkeypatch.setattr(qd, "BAND_MIN_VALUES", 2_000)
    monkeypatch.setattr(qd, "SAMPLE_FRACTION", 0.2)


def _table(frame: pd.DataFrame) -> ir.Table:
    con = ibis.duckdb.connect()
    con.con.register("t", pa.Table.from_pandas(frame, preserve_index=False))
    return con.table("t")


def _expected(x: np.ndarray, q: float) -> list[float]:
    n = len(x)
    levels = [q, qd.order_statistic_level(n, q, Z, -1), qd.order_statistic_level(n, q, Z, +1)]
    return [float(np.quantile(x, p, method="linear")) for p in levels]


def _arms(table: ir.Table) -> ir.Table:
    return table.filter(table.arm.notnull()).mutate(_arm=table.arm.cast("string"))


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(n) < 0.4, "a", "b")
    latency = rng.lognormal(0.0, 1.0, n) * np.where(arm == "b", 1.2, 1.0)
    clicks = rng.poisson(np.where(arm == "b", 2.2, 2.0)).astype(float)  # many ties
    latency[rng.random(n) < 0.01] = np.nan  # missing values are left out
    return pd.DataFrame({"arm": arm, "latency": latency, "clicks": clicks})


@pytest.mark.usefixtures("small_band")
@pytest.mark.parametrize("q", [0.5, 0.95, 0.99])
def test_banded_quantiles_equal_numpy(q: float) -> None:
    frame = _frame(60_000, seed=int(q * 100))
    table = _table(frame)
    requests = {
        "lat": qd.QuantileRequest("latency", q, Z),
        "clk": qd.QuantileRequest("clicks", q, Z),
    }
    counts = {
        key: {a: int(frame.loc[frame.arm == a, r.column].notna().sum()) for a in ("a", "b")}
        for key, r in requests.items()
    }
    banded = qd._banded(_arms(table), table, "arm", requests, counts, {}, "data")
    assert banded is not None  # the band was used, not the query over all values
    assert banded == qd.variant_quantiles(table, "arm", counts, requests)
    for key, r in requests.items():
        for a in ("a", "b"):
            x = frame.loc[frame.arm == a, r.column].dropna().to_numpy()
            got = banded[key][a]
            assert got.count == len(x)
            np.testing.assert_allclose(
                [got.value, got.lower, got.upper], _expected(x, q), rtol=1e-12
            )


@pytest.mark.usefixtures("small_band")
def test_filled_values_are_in_the_band_as_in_the_one_query() -> None:
    frame = _frame(30_000, seed=3)
    table = _table(frame)
    requests = {"lat": qd.QuantileRequest("latency", 0.9, Z)}
    counts = {"lat": {a: int((frame.arm == a).sum()) for a in ("a", "b")}}
    got = qd.variant_quantiles(table, "arm", counts, requests, fill={"latency": 0.0})
    for a in ("a", "b"):
        x = frame.loc[frame.arm == a, "latency"].fillna(0.0).to_numpy()
        q = got["lat"][a]
        np.testing.assert_allclose([q.value, q.lower, q.upper], _expected(x, 0.9), rtol=1e-12)


@pytest.mark.usefixtures("small_band")
def test_a_band_that_misses_is_detected_and_the_one_query_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A band placed around the median for a 95th percentile (as an unrepresentative sample
    # would place it): the counts show that its ranks are outside, and the one query runs.
    frame = _frame(40_000, seed=8)
    table = _table(frame)
    requests = {"lat": qd.QuantileRequest("latency", 0.95, Z)}
    counts = {"lat": {a: int(frame.loc[frame.arm == a, "latency"].notna().sum()) for a in "ab"}}
    median = float(frame["latency"].median())
    monkeypatch.setattr(qd, "place_bands", lambda *a, **k: {"lat": (0.9 * median, 1.1 * median)})
    assert qd._banded(_arms(table), table, "arm", requests, counts, {}, "data") is None
    got = qd.variant_quantiles(table, "arm", counts, requests)
    for a in ("a", "b"):
        x = frame.loc[frame.arm == a, "latency"].dropna().to_numpy()
        q = got["lat"][a]
        np.testing.assert_allclose([q.value, q.lower, q.upper], _expected(x, 0.95), rtol=1e-12)


def test_small_arms_take_the_one_query() -> None:
    frame = _frame(5_000, seed=1)
    table = _table(frame)
    requests = {"clk": qd.QuantileRequest("clicks", 0.5, Z)}
    counts = {"clk": {a: int((frame.arm == a).sum()) for a in ("a", "b")}}
    assert qd._banded(_arms(table), table, "arm", requests, counts, {}, "data") is None


@pytest.mark.parametrize(
    ("positions", "inside"),
    [
        ([10.0, 19.0], True),  # the first and the last value of the band
        ([10.0, 14.5, 18.2], True),
        ([9.5], False),  # interpolated with the value just below the band
        ([9.0], False),
        ([19.5], False),  # interpolated with the value just above it
        ([20.0], False),
    ],
)
def test_a_position_is_in_the_band_only_with_both_its_neighbours(
    positions: list[float], inside: bool
) -> None:
    # 10 values below the band, 10 in it: positions 10 to 19.
    assert qd.in_band(positions, 10, 10) is inside


def latency_case() -> tuple[pd.DataFrame, dict[str, qd.QuantileRequest], dict[str, dict[str, int]]]:
    """A p95 of lognormal latencies in two arms of 20,000 rows (the engine tests' case)."""
    rng = np.random.default_rng(12)
    n = 40_000
    frame = pd.DataFrame({"arm": np.where(rng.random(n) < 0.5, "a", "b")})
    frame["latency"] = rng.lognormal(0.0, 1.0, n)
    requests = {"p95": qd.QuantileRequest("latency", 0.95, Z)}
    counts = {"p95": {a: int((frame.arm == a).sum()) for a in ("a", "b")}}
    return frame, requests, counts


def assert_latency_quantiles(
    got: dict[str, dict[str, qd.ArmQuantile]], frame: pd.DataFrame, rtol: float
) -> None:
    """The quantile and order statistics of each arm against numpy's linear quantile."""
    for a in ("a", "b"):
        x = frame.loc[frame.arm == a, "latency"].to_numpy()
        q = got["p95"][a]
        np.testing.assert_allclose([q.value, q.lower, q.upper], _expected(x, 0.95), rtol=rtol)


def test_an_analysis_places_the_band_before_the_moments_and_sorts_only_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Through `analyze`: the sample, the moments (which count each band) and the sort of the
    # bands, three queries; the quantiles equal numpy's. The arms differ (the treatment's
    # latencies 3 times the control's), so each band must span both arms' ranks; the clicks
    # have ties, some at a band's edge.
    import proxymetric

    monkeypatch.setattr(qd, "BAND_MIN_VALUES", 2_000)
    monkeypatch.setattr(qd, "SAMPLE_FRACTION", 0.2)
    frame, _, _ = latency_case()
    frame["latency"] *= np.where(frame.arm == "b", 3.0, 1.0)
    frame["clicks"] = np.random.default_rng(3).poisson(4.0, len(frame)).astype(float)
    frame["id"] = np.arange(len(frame))
    spec = {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm", "unique": True}},
        "metrics": {
            "p95": {"type": "quantile", "q": 0.95, "source": "u", "column": "latency"},
            "c90": {"type": "quantile", "q": 0.9, "source": "u", "column": "clicks"},
        },
        "experiments": {"e": {"control": "a", "primary": "p95", "secondary": ["c90"]}},
    }
    queries: list[str] = []
    run = ir.Table.to_pyarrow

    def counted(self: ir.Table, *args: object, **kwargs: object) -> pa.Table:
        queries.append(ibis.to_sql(self))
        return run(self, *args, **kwargs)

    monkeypatch.setattr(ir.Table, "to_pyarrow", counted)
    result = proxymetric.analyze(spec, data={"u": frame})
    assert len(queries) == 3
    assert "TABLESAMPLE" in queries[0]
    assert "_xb0" in queries[1]  # the moments count the bands
    assert "_xb1" in queries[1]
    assert "FILTER(WHERE" in queries[2]  # the bands only
    for metric, column, q in (("p95", "latency", 0.95), ("c90", "clicks", 0.9)):
        r = result.result(metric)
        expected = [_expected(frame.loc[frame.arm == a, column].to_numpy(), q) for a in "ab"]
        assert r.control_mean == pytest.approx(expected[0][0], rel=1e-12)
        assert r.treatment_mean == pytest.approx(expected[1][0], rel=1e-12)
        se = [(e[2] - e[1]) / (2 * Z) for e in expected]
        assert r.effect_se == pytest.approx(math.hypot(*se), rel=1e-9)

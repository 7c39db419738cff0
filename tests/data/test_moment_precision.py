"""The moments query keeps its digits for data with a large mean.

Reference: numpy's two-pass computation (the mean first, then the sum of squared deviations
from it: ``np.cov(..., ddof=1)``) on the same values. Variances and covariances of columns with
a mean of 1e6 (integers) and 1e9 (doubles) agree to 1e-9 relative; raw one-pass sums lose
about ``(mean / sd) ** 2`` times the machine precision, i.e. all their digits here. The same
checks run on Spark and PostgreSQL (tests/data/test_spark.py, tests/data/test_postgres.py).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from proxymetric.data.moments import VariantMoments, variant_moments

COLUMNS = ["count6", "x9", "y9", "flag"]


def large_mean_frame(n: int = 40_000, seed: int = 11) -> pd.DataFrame:
    """Two arms; an integer column of mean 1e6 (sd about 29), doubles of mean 1e9 (sd 1)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, n)
    return pd.DataFrame(
        {
            "user": np.arange(n, dtype=np.int64) * 7 + 3,  # distinct, not a dense range
            "arm": np.where(rng.random(n) < 0.5, "a", "b"),
            "count6": 1_000_000 + rng.integers(0, 100, n),
            "x9": 1e9 + x,
            "y9": 1e9 + 0.5 * x + rng.normal(0.0, 1.0, n),
            "flag": rng.random(n) < 0.3,
        }
    )


def assert_matches_numpy(vm: VariantMoments, frame: pd.DataFrame) -> None:
    """Means to 1e-12 and the covariance matrix to 1e-9 relative, per arm, against numpy."""
    assert sorted(vm.moments) == ["a", "b"]
    for arm, m in vm.moments.items():
        rows = frame[frame["arm"] == arm]
        values = rows[COLUMNS].astype(float).to_numpy()
        assert m.count == len(rows)
        np.testing.assert_allclose(m.mean, values.mean(axis=0), rtol=1e-12)
        reference = np.cov(values, rowvar=False, ddof=1)
        for i, a in enumerate(COLUMNS):
            for j, b in enumerate(COLUMNS):
                got = m.comoment[i, j] / (m.count - 1)
                # A covariance near 0 (of independent columns) is compared on the scale of
                # the variances, not relative to itself.
                scale = max(abs(reference[i, j]), 1e-3 * np.sqrt(reference[i, i] * reference[j, j]))
                assert abs(got - reference[i, j]) <= 1e-9 * scale, (arm, a, b)


def on_duckdb(frame: pd.DataFrame) -> ir.Table:
    con = ibis.duckdb.connect()
    con.con.register("t", pa.Table.from_pandas(frame, preserve_index=False))
    return con.table("t")


def moments_of(table: ir.Table) -> VariantMoments:
    return variant_moments(table, "arm", COLUMNS, binary=["flag"], unit="user")


def test_large_means_on_duckdb_agree_with_a_two_pass_computation() -> None:
    frame = large_mean_frame()
    assert_matches_numpy(moments_of(on_duckdb(frame)), frame)


@pytest.mark.parametrize("mean", [1e6, 1e9, -1e9])
def test_a_single_large_mean_column(mean: float) -> None:
    rng = np.random.default_rng(int(abs(mean)) % 1000)
    n = 20_000
    y = mean + rng.normal(0.0, 0.5, n)
    frame = pd.DataFrame({"arm": np.where(np.arange(n) % 2, "a", "b"), "y": y})
    vm = variant_moments(on_duckdb(frame), "arm", ["y"])
    for arm, m in vm.moments.items():
        ref = frame.loc[frame.arm == arm, "y"].to_numpy()
        assert float(m.variance("y")) == pytest.approx(np.var(ref, ddof=1), rel=1e-9)


def test_a_given_shift_of_zero_is_the_raw_sum_and_loses_digits() -> None:
    # The shift is what keeps the digits: unshifted sums of the same data miss the reference
    # (so the check above can fail).
    frame = large_mean_frame(n=4000)
    raw = variant_moments(on_duckdb(frame), "arm", ["x9"], shift={})
    ref = np.var(frame.loc[frame.arm == "a", "x9"].to_numpy(), ddof=1)
    assert abs(float(raw.moments["a"].variance("x9")) / ref - 1) > 1e-3


def test_an_arm_constant_at_a_value_far_from_the_shift_has_mean_and_variance_exact() -> None:
    # The shift is read from the first rows (arm a, values from 5.3 up); arm b is 7.1 on every
    # row and 0 in column z: its means are 7.1 (to rounding) and exactly 0 (a proportion of 0
    # stays 0, whose logarithm a relative interval would take), its variances exactly 0.
    rng = np.random.default_rng(2)
    a = 5.3 + rng.random(3000)
    frame = pd.DataFrame(
        {
            "arm": ["a"] * 3000 + ["b"] * 3001,
            "y": np.concatenate([a, np.full(3001, 7.1)]),
            "z": np.concatenate([rng.integers(0, 2, 3000), np.zeros(3001)]).astype(float),
        }
    )
    b = variant_moments(on_duckdb(frame), "arm", ["y", "z"]).moments["b"]
    assert b.mean[0] == pytest.approx(7.1, rel=1e-14)
    assert b.mean[1] == 0.0
    assert np.var(np.full(3001, 7.1), ddof=1) == 0.0
    assert b.comoment[0, 0] == 0.0
    assert b.comoment[1, 1] == 0.0


@pytest.mark.parametrize(
    ("values", "shift"),
    [
        ([3.0, 5.0], 3.0),  # mean 4 > 2 x (4 - 3): shifted by the smallest value
        ([1.0, 5.0], 0.0),  # mean 3 <= 2 x (3 - 1): near 0, summed raw
        ([2.0, 6.0], 0.0),  # mean 4 == 2 x (4 - 2): the boundary is summed raw
        ([-7.0, -5.0], -7.0),  # negative data far from 0
        ([0.0, 0.0], 0.0),
        ([7.1, 7.1], 7.1),  # a constant: shifted by its value (exact mean and variance 0)
    ],
)
def test_the_shift_is_the_smallest_value_read_only_where_the_data_are_far_from_0(
    values: list[float], shift: float
) -> None:
    # The rule |m| > 2 (m - K), with m the mean and K the smallest value of the rows read.
    from proxymetric.data.moments import _shifts

    table = on_duckdb(pd.DataFrame({"arm": ["a"] * len(values), "y": values}))
    assert _shifts(table, ["y"], [table["y"]], None, "data") == [shift]


@pytest.mark.parametrize("mean", [0.0, 6.0, 50.0])
def test_data_near_0_summed_raw_keep_their_digits(mean: float) -> None:
    # Normal data of sd 1 whose mean is at most about the distance from the smallest of the
    # first 1,000 values to the mean (about 3.2 sd), or twice it, are summed unshifted; at the
    # largest such mean (6) the variance still agrees with numpy's two-pass computation to
    # 1e-9 relative; a mean of 50 is shifted.
    rng = np.random.default_rng(int(mean) + 5)
    n = 200_000
    frame = pd.DataFrame({"arm": np.where(rng.random(n) < 0.5, "a", "b")})
    frame["y"] = mean + rng.normal(0.0, 1.0, n)
    frame["x"] = 0.5 * frame["y"] + rng.normal(0.0, 1.0, n)
    vm = variant_moments(on_duckdb(frame), "arm", ["y", "x"])
    for arm, m in vm.moments.items():
        ref = np.cov(frame.loc[frame.arm == arm, ["y", "x"]].to_numpy(), rowvar=False, ddof=1)
        np.testing.assert_allclose(m.comoment / (m.count - 1), ref, rtol=1e-9)

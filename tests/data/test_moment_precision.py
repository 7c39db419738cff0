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


def _variant_row(c: int, mean: float, sd: float) -> dict[str, object]:
    # The sums of a variant of c values of this mean and standard deviation (population sd).
    return {"_variant": "a", "_n": c, "_s0": c * mean, "_q0_0": c * (mean**2 + sd**2)}


@pytest.mark.parametrize(
    ("c", "mean", "sd", "far"),
    [
        # sum x^2 sqrt(c) eps > 1e-10 x sum (x - mean)^2: (m^2 + 1) sqrt(1e7) 2.2e-16 > 1e-10,
        # i.e. m > 11.9 standard deviations at 10 million values
        (10_000_000, 11.5, 1.0, False),
        (10_000_000, 12.5, 1.0, True),
        (10_000_000, -12.5, 1.0, True),
        # 120 at 1,000 (the 1e-10 scales with sqrt(c))
        (1000, 115.0, 1.0, False),
        (1000, 125.0, 1.0, True),
        (1000, 7.1, 0.0, True),  # a constant: summed again, so that its variance is exactly 0
        (1000, 0.0, 0.0, False),  # zeros lose nothing
        (1, 1e9, 0.0, False),  # one value has no variance to lose
    ],
)
def test_a_column_is_summed_again_only_where_its_raw_sums_lose_digits(
    c: int, mean: float, sd: float, far: bool
) -> None:
    from proxymetric.data.moments import _far_from_zero

    got = _far_from_zero([_variant_row(c, mean, sd)], [0])
    assert got == ({0: pytest.approx(mean, rel=1e-12)} if far else {})


def _queries(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    run = ir.Table.to_pyarrow

    def counted(self: ir.Table, *args: object, **kwargs: object) -> pa.Table:
        calls.append(1)
        return run(self, *args, **kwargs)

    monkeypatch.setattr(ir.Table, "to_pyarrow", counted)
    return calls


def test_data_near_0_take_one_query_and_a_large_mean_two(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    n = 10_000
    arm = np.where(rng.random(n) < 0.5, "a", "b")
    near = pd.DataFrame({"arm": arm, "y": rng.gamma(2.0, 5.0, n), "x": rng.normal(0, 1, n)})
    calls = _queries(monkeypatch)
    variant_moments(on_duckdb(near), "arm", ["y", "x"])
    assert len(calls) == 1
    far = near.assign(x=1e6 + near["x"])
    calls.clear()
    vm = variant_moments(on_duckdb(far), "arm", ["y", "x"])
    assert len(calls) == 2
    ref = np.var(far.loc[far.arm == "a", "x"].to_numpy(), ddof=1)
    assert float(vm.moments["a"].variance("x")) == pytest.approx(ref, rel=1e-9)


def test_a_small_segment_of_equal_values_takes_no_second_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Four units of country "lu" (two per arm) with the same value: constant in that segment,
    # not in a variant, so the one query serves.
    rng = np.random.default_rng(6)
    n = 4000
    frame = pd.DataFrame(
        {
            "arm": np.where(np.arange(n) % 2, "a", "b"),
            "y": rng.poisson(3.0, n).astype(float),
            "country": ["us"] * (n - 4) + ["lu"] * 4,
        }
    )
    frame.loc[frame.country == "lu", "y"] = 5.0
    calls = _queries(monkeypatch)
    vm = variant_moments(on_duckdb(frame), "arm", ["y"], segments=["country"])
    assert len(calls) == 1
    lu = vm.segments["country"]["lu"]
    assert [m.count for m in lu.values()] == [2, 2]
    assert all(m.comoment[0, 0] == 0.0 for m in lu.values())


@pytest.mark.parametrize("mean", [0.0, 6.0, 50.0])
def test_data_near_0_summed_raw_keep_their_digits(mean: float) -> None:
    # Normal data of sd 1 and 100,000 values per arm: means up to about 38 sd are summed raw
    # (``_far_from_zero``); at 6 the variance agrees with numpy's two-pass computation to
    # 1e-9 relative; 50 is summed again, shifted by its mean.
    rng = np.random.default_rng(int(mean) + 5)
    n = 200_000
    frame = pd.DataFrame({"arm": np.where(rng.random(n) < 0.5, "a", "b")})
    frame["y"] = mean + rng.normal(0.0, 1.0, n)
    frame["x"] = 0.5 * frame["y"] + rng.normal(0.0, 1.0, n)
    vm = variant_moments(on_duckdb(frame), "arm", ["y", "x"])
    for arm, m in vm.moments.items():
        ref = np.cov(frame.loc[frame.arm == arm, ["y", "x"]].to_numpy(), rowvar=False, ddof=1)
        np.testing.assert_allclose(m.comoment / (m.count - 1), ref, rtol=1e-9)

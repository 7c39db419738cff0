"""Moments: constructors and merging against direct numpy computations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from proxymetric.errors import ProxymetricError
from proxymetric.stats import Moments

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


def test_from_rows_matches_numpy() -> None:
    # Reference: numpy mean and np.cov (ddof=1).
    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.3], [0, 0, 2]])
    m = Moments.from_rows(["a", "b", "c"], x)
    np.testing.assert_allclose(m.mean, x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m.covariance(), np.cov(x, rowvar=False), rtol=1e-12)


def test_from_sums_and_from_covariance_agree_with_rows() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(5, 2, size=(200, 2))
    reference = Moments.from_rows(["a", "b"], x)
    sums = Moments.from_sums(["a", "b"], 200, x.sum(axis=0), x.T @ x)
    cov = Moments.from_covariance(["a", "b"], 200, x.mean(axis=0), np.cov(x, rowvar=False))
    for m in (sums, cov):
        np.testing.assert_allclose(m.mean, reference.mean, rtol=1e-12)
        np.testing.assert_allclose(m.comoment, reference.comoment, rtol=1e-9)


def test_centred_moments_survive_a_large_offset() -> None:
    # Raw sums of squares lose all precision at an offset of 1e9; centred co-moments do not.
    x = np.array([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4])
    halves = Moments.from_rows(["x"], x[:2]).merge(Moments.from_rows(["x"], x[2:]))
    assert halves.variance("x") == pytest.approx(np.var(x - 1e9, ddof=1), rel=1e-9)


def test_from_summary_leaves_covariances_unknown() -> None:
    m = Moments.from_summary(10, {"a": 1.0, "b": 2.0}, {"a": 4.0, "b": 9.0})
    assert m.variance("a") == pytest.approx(4.0)
    assert m.variance("b") == pytest.approx(9.0)
    assert np.isnan(m.covariance()[0, 1])


def test_unknown_column_lists_known_ones() -> None:
    m = Moments.from_rows(["a", "b"], [[1, 2], [3, 4]])
    with pytest.raises(ProxymetricError, match="column 'c' is not in these moments; columns: a, b"):
        m.mean_of("c")


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(0, 30), st.just(2)), elements=finite),
    arrays(np.float64, st.tuples(st.integers(0, 30), st.just(2)), elements=finite),
)
def test_merge_equals_moments_of_merged_data(a: np.ndarray, b: np.ndarray) -> None:
    merged = Moments.from_rows(["x", "y"], a).merge(Moments.from_rows(["x", "y"], b))
    direct = Moments.from_rows(["x", "y"], np.vstack([a, b]))
    assert merged.count == direct.count
    np.testing.assert_allclose(merged.mean, direct.mean, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(merged.comoment, direct.comoment, rtol=1e-7, atol=1e-3)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 40), st.just(2)), elements=finite), st.randoms())
def test_row_order_changes_nothing(x: np.ndarray, rnd: object) -> None:
    perm = np.random.default_rng(abs(hash(rnd)) % 2**32).permutation(len(x))
    a = Moments.from_rows(["x", "y"], x)
    b = Moments.from_rows(["x", "y"], x[perm])
    np.testing.assert_allclose(a.mean, b.mean, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(a.comoment, b.comoment, rtol=1e-7, atol=1e-4)

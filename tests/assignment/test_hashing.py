"""The hashed assignment: the documented scheme, its balance, independence and stability.

References: the scheme of docs/assignment.md re-implemented here scalar by scalar (hashlib and
math.log); Pearson's chi-square from ``scipy.stats.chisquare`` and
``scipy.stats.chi2_contingency``; binomial standard deviations for the shares. Large samples
(a million ids) are hashed by DuckDB with the SQL twin, which ``test_sql.py`` checks equal to
the Python function id for id.
"""

from __future__ import annotations

import hashlib
import math
import re

import hypothesis.strategies as st
import ibis
import numpy as np
import pytest
from hypothesis import given, settings
from scipy import stats

from proxymetric.assignment import assign, check_weights, variant_of
from proxymetric.data.assignment import assignment_table
from proxymetric.errors import ProxymetricError
from proxymetric.stats.srm import srm_test

# A 4.5-sigma binomial bound: a correct hash exceeds it with probability about 7e-6 per check.
SIGMAS = 4.5


def reference_variant(unit: str, weights: dict[str, float], salt: str) -> str:
    """The scheme as docs/assignment.md states it, one variant at a time."""
    best, best_score = "", math.inf
    for variant, weight in weights.items():
        digest = hashlib.md5(f"{salt}:{variant}:{unit}".encode()).hexdigest()
        u = (int(digest[:8], 16) + 0.5) / 2**32
        score = -math.log(u) / weight
        if score < best_score:
            best, best_score = variant, score
    return best


def duckdb_counts(n: int, *assignments: tuple[dict[str, float], str]) -> dict[tuple[str, ...], int]:
    """Units of ids 0..n-1 per combination of variants under each (weights, salt), by DuckDB."""
    con = ibis.duckdb.connect()
    ids = con.sql(f"SELECT range AS id FROM range({n})")
    joined = None
    for i, (weights, salt) in enumerate(assignments):
        one = assignment_table(ids, "id", weights, salt).rename({f"v{i}": "variant"})
        joined = one if joined is None else joined.join(one, "id")
    assert joined is not None
    keys = [f"v{i}" for i in range(len(assignments))]
    grouped = joined.group_by(keys).aggregate(units=joined.count())
    frame = grouped.to_pyarrow().to_pylist()
    return {tuple(str(row[k]) for k in keys): int(row["units"]) for row in frame}


def test_the_python_function_is_the_documented_scheme() -> None:
    weights = {"control": 0.5, "t1": 0.3, "t2": 0.2}
    ids = [f"user-{i}" for i in range(3000)] + ["", "ü-名前", "it's"]
    expected = [reference_variant(u, weights, "exp-7") for u in ids]
    assert assign(ids, weights, "exp-7") == expected
    assert variant_of(ids[5], weights, "exp-7") == expected[5]


def test_integer_ids_hash_as_their_decimal_digits() -> None:
    weights = {"a": 0.5, "b": 0.5}
    ids = [0, 7, -3, 2**62, np.int64(12345)]
    digits = ["0", "7", "-3", "4611686018427387904", "12345"]
    assert assign(ids, weights, "s") == assign(digits, weights, "s")


def test_a_million_ids_pass_the_srm_check_like_scipy() -> None:
    weights = {"control": 0.5, "treatment": 0.5}
    counts = {k[0]: n for k, n in duckdb_counts(1_000_000, (weights, "aa-test")).items()}
    observed = [counts["control"], counts["treatment"]]
    reference = stats.chisquare(observed, [500_000, 500_000])
    srm = srm_test(dict(counts), weights)
    assert srm.pvalue == pytest.approx(reference.pvalue, rel=1e-9)
    assert not srm.mismatch  # an A/A of the hash: p >= 0.001
    assert srm.pvalue > 0.001


def test_shares_match_uneven_weights_within_the_binomial_tolerance() -> None:
    n = 300_000
    weights = {"control": 0.7, "t1": 0.2, "t2": 0.07, "t3": 0.03}
    counts = {k[0]: c for k, c in duckdb_counts(n, (weights, "uneven")).items()}
    for variant, w in weights.items():
        assert abs(counts[variant] - n * w) < SIGMAS * math.sqrt(n * w * (1 - w)), variant
    reference = stats.chisquare([counts[v] for v in weights], [n * w for w in weights.values()])
    assert reference.pvalue > 0.001


def test_experiments_with_different_salts_are_independent() -> None:
    counts = duckdb_counts(
        300_000,
        ({"control": 0.5, "treatment": 0.5}, "experiment-a"),
        ({"a": 0.2, "b": 0.3, "c": 0.5}, "experiment-b"),
    )
    table = np.array([[counts[r, c] for c in ("a", "b", "c")] for r in ("control", "treatment")])
    _, pvalue, _, _ = stats.chi2_contingency(table)
    assert pvalue > 0.001


def test_the_same_weights_under_two_salts_agree_only_by_chance() -> None:
    # With a salt that did not matter every unit would land in the same variant twice.
    n = 300_000
    weights = {"control": 0.5, "treatment": 0.5}
    counts = duckdb_counts(n, (weights, "s1"), (weights, "s2"))
    same = counts["control", "control"] + counts["treatment", "treatment"]
    assert abs(same - n / 2) < SIGMAS * math.sqrt(n / 4)


def _stays(before: list[str], after: list[str], variant: str) -> bool:
    return all(b == variant for a, b in zip(before, after, strict=True) if a == variant)


def test_a_ramp_up_keeps_every_treatment_unit_and_moves_only_the_ramp() -> None:
    n = 200_000
    ids = [f"u{i}" for i in range(n)]
    before = assign(ids, {"control": 0.9, "treatment": 0.1}, "ramp")
    after = assign(ids, {"control": 0.5, "treatment": 0.5}, "ramp")
    assert _stays(before, after, "treatment")
    moved = sum(a != b for a, b in zip(before, after, strict=True))
    # Exactly the 40% the treatment gains moves (a binomial count of n, p = 0.4).
    assert abs(moved - 0.4 * n) < SIGMAS * math.sqrt(n * 0.4 * 0.6)


def test_treatments_ramped_together_keep_their_units() -> None:
    ids = [f"u{i}" for i in range(100_000)]
    before = assign(ids, {"control": 0.8, "t1": 0.1, "t2": 0.1}, "ramp3")
    after = assign(ids, {"control": 0.4, "t1": 0.3, "t2": 0.3}, "ramp3")
    assert _stays(before, after, "t1")
    assert _stays(before, after, "t2")


def test_a_new_variant_takes_units_but_moves_none_between_the_old_ones() -> None:
    ids = [f"u{i}" for i in range(100_000)]
    before = assign(ids, {"a": 0.5, "b": 0.5}, "grow")
    after = assign(ids, {"a": 0.4, "b": 0.4, "c": 0.2}, "grow")
    assert all(y in (x, "c") for x, y in zip(before, after, strict=True))


@settings(max_examples=30, deadline=None)
@given(
    old=st.lists(st.integers(1, 100), min_size=2, max_size=4),
    factor=st.floats(1.0, 20.0),
    shrink=st.lists(st.floats(0.05, 1.0), min_size=4, max_size=4),
)
def test_a_variant_whose_weight_grows_most_keeps_every_unit(
    old: list[int], factor: float, shrink: list[float]
) -> None:
    names = [f"v{i}" for i in range(len(old))]
    raw_before = dict(zip(names, map(float, old), strict=True))
    # v0 grows by `factor`; every other weight is multiplied by at most 1 (it shrinks).
    raw_after = {
        v: w * (factor if v == "v0" else shrink[i]) for i, (v, w) in enumerate(raw_before.items())
    }
    before_w = {v: w / sum(raw_before.values()) for v, w in raw_before.items()}
    after_w = {v: w / sum(raw_after.values()) for v, w in raw_after.items()}
    ids = [f"id{i}" for i in range(2000)]
    assert _stays(assign(ids, before_w, "prop"), assign(ids, after_w, "prop"), "v0")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"a": 0.5, "b": 0.6}, "`weights` must sum to 1; got 1.1 (a: 0.5, b: 0.6)"),
        ({}, "`weights` must give at least one variant a share"),
        ({"a": 0.0, "b": 1.0}, "`weights['a']` must be a share > 0 and <= 1; got 0.0"),
        ({"a": -0.5, "b": 1.5}, "`weights['a']` must be a share > 0 and <= 1; got -0.5"),
        ({"a": float("nan"), "b": 1.0}, "`weights['a']` must be a share > 0"),
        ({"": 1.0}, "`weights` names variants by non-empty text; got ''"),
    ],
)
def test_bad_weights_are_named(weights: dict[str, float], message: str) -> None:
    with pytest.raises(ProxymetricError, match="^" + _escape(message)):
        check_weights(weights)
    with pytest.raises(ProxymetricError, match="^" + _escape(message)):
        assign(["u"], weights, "s")


def _escape(text: str) -> str:
    return re.escape(text)


def test_weights_that_round_to_one_are_accepted_and_others_are_not() -> None:
    assert sum(check_weights({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}).values()) == pytest.approx(1)
    with pytest.raises(ProxymetricError, match=r"must sum to 1; got 1\.000001"):
        check_weights({"a": 0.5, "b": 0.500001})


@pytest.mark.parametrize("unit", [1.5, None, True, b"x"])
def test_ids_that_are_neither_text_nor_integers_are_refused(unit: object) -> None:
    with pytest.raises(ProxymetricError, match="unit ids must be text or integers; got"):
        assign([unit], {"a": 1.0}, "s")


def test_an_empty_salt_is_refused() -> None:
    with pytest.raises(ProxymetricError, match="`salt` must be non-empty text; got ''"):
        assign(["u"], {"a": 1.0}, "")


def test_an_exact_tie_goes_to_the_first_declared_variant(monkeypatch: pytest.MonkeyPatch) -> None:
    from proxymetric.assignment import hashing

    monkeypatch.setattr(hashing, "uniforms", lambda keys, salt, v: np.full(len(keys), 0.5))
    assert assign(["a", "b"], {"x": 0.25, "y": 0.25, "z": 0.5}, "s") == ["z", "z"]
    assert assign(["a", "b"], {"x": 0.5, "y": 0.5}, "s") == ["x", "x"]

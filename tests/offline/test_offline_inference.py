"""Per-unit bootstrap intervals and paired comparisons: closed forms and simulations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from proxymetric.offline import evaluate
from proxymetric.offline._bootstrap import (
    bootstrap_sums,
    paired_differences,
    percentile_interval,
    percentile_pvalue,
)


def _two_models(
    seed: int, *, n_units: int = 200, n_items: int = 15, noise_b: float = 1.0
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Ratings with a unit-level taste; two models that add independent noise to the truth.

    With ``noise_b == 1`` the models are equal in distribution (the null hypothesis); the
    shared truth makes their per-unit metrics correlated, which is why comparisons are paired.
    """
    rng = np.random.default_rng(seed)
    grid_u, grid_i = np.meshgrid(np.arange(n_units), np.arange(n_items), indexing="ij")
    u, i = grid_u.ravel(), grid_i.ravel()
    taste = rng.normal(0, 1, n_units)[u]
    rating = np.clip(np.round(3 + taste + rng.normal(0, 1, u.size)), 1, 5)
    parts = []
    for name, sd in (("a", 1.0), ("b", noise_b)):
        guess = rating + rng.normal(0, sd, u.size)
        parts.append(
            {
                "model": np.full(u.size, name),
                "unit": u,
                "item": i,
                "score": guess,
                "predicted_rating": guess,
            }
        )
    predictions = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    return predictions, {"unit": u, "item": i, "rating": rating}


def test_bootstrap_standard_error_of_a_mean_matches_the_closed_form() -> None:
    # reference: the bootstrap distribution of a mean has sd sqrt(mean((x - xbar)^2) / n)
    # exactly (Efron and Tibshirani 1993, eq. 5.4); the Monte Carlo estimate from B replicates
    # has relative sd 1 / sqrt(2 (B - 1)) = 1.1% at B = 4000, so 5% is a 4.5-sigma tolerance
    rng = np.random.default_rng(1)
    x = rng.exponential(size=500)
    per_unit = np.column_stack([x, np.ones_like(x)])
    sums = bootstrap_sums(per_unit, 4000, seed=2)
    means = sums[:, 0] / sums[:, 1]
    assert np.all(sums[:, 1] == x.size)
    assert means.std(ddof=1) == pytest.approx(x.std() / math.sqrt(x.size), rel=0.05)
    assert means.mean() == pytest.approx(x.mean(), abs=4 * x.std() / math.sqrt(x.size * 4000))


def test_bootstrap_is_reproducible_and_chunk_independent() -> None:
    per_unit = np.random.default_rng(0).random((50, 3))
    a = bootstrap_sums(per_unit, 300, seed=9)
    b = bootstrap_sums(per_unit, 300, seed=9)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, bootstrap_sums(per_unit, 300, seed=10))


def test_interval_of_hit_rate_matches_the_normal_interval() -> None:
    # reference: the Wald interval p +- 1.96 sqrt(p (1 - p) / n) (n = 2000 units, so the
    # binomial is close to normal); percentile noise at B = 2000 is about 3% of the half-width,
    # so a 12% tolerance on each bound's distance to the estimate is about 4 sigma
    rng = np.random.default_rng(5)
    n = 2000
    hit = rng.random(n) < 0.3
    truth = {"unit": np.arange(n), "item": np.zeros(n, int), "relevance": np.ones(n)}
    predictions = {"unit": np.arange(n), "item": np.where(hit, 0, 1), "score": np.ones(n)}
    m = evaluate(predictions, truth, k=1, n_bootstrap=2000, seed=3).models["model"]["hit_rate@1"]
    p = hit.mean()
    half = sps.norm.ppf(0.975) * math.sqrt(p * (1 - p) / n)
    assert m.value == pytest.approx(p)
    assert p - m.value_ci_lower == pytest.approx(half, rel=0.12)
    assert m.value_ci_upper - p == pytest.approx(half, rel=0.12)


@pytest.mark.slow
def test_paired_pvalues_are_calibrated_when_models_are_equal() -> None:
    # simulation: 600 data sets where both models are equal in distribution. Under the null the
    # rejection rate at level a is Binomial(600, a) / 600; the bands are 3.5 binomial sds
    # (0.031 at a = 0.05, 0.057 at a = 0.2), and a KS test checks uniformity of the p-values
    # (at B = 400 their resolution 1/401 is far below the KS distance that would reject)
    n_sim = 600
    pvalues: dict[str, list[float]] = {}
    for s in range(n_sim):
        predictions, truth = _two_models(s)
        res = evaluate(predictions, truth, k=5, relevance_threshold=4, n_bootstrap=400, seed=s)
        for c in res.comparisons:
            pvalues.setdefault(c.metric, []).append(c.pvalue)
    for metric in ("rmse", "mae", "ndcg@5", "map@5", "recall@5"):
        p = np.array(pvalues[metric])
        for a in (0.05, 0.2):
            band = 3.5 * math.sqrt(a * (1 - a) / n_sim)
            assert abs((p < a).mean() - a) < band, (metric, a, (p < a).mean())
        assert sps.kstest(p, "uniform").pvalue > 0.001, metric


def test_a_better_model_is_detected() -> None:
    # model b has half the noise: its RMSE is lower and NDCG higher, with small p-values
    predictions, truth = _two_models(0, noise_b=0.5)
    res = evaluate(predictions, truth, k=5, relevance_threshold=4, n_bootstrap=500)
    rmse = res.comparison("b", "rmse")
    assert rmse.difference < 0
    assert rmse.difference_ci_upper < 0
    assert rmse.pvalue < 0.01
    assert res.comparison("b", "ndcg@5").difference > 0
    assert res.comparison("b", "ndcg@5").difference_ci_lower > 0


def test_identical_models_differ_by_exactly_zero() -> None:
    predictions, truth = _two_models(1)
    a_rows = predictions["model"] == "a"
    same = {c: np.concatenate([v[a_rows], v[a_rows]]) for c, v in predictions.items()}
    same["model"] = np.r_[np.full(a_rows.sum(), "a"), np.full(a_rows.sum(), "b")]
    res = evaluate(same, truth, k=5, relevance_threshold=4, n_bootstrap=200)
    for c in res.comparisons:
        assert c.difference == 0.0
        assert c.pvalue == 1.0


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000))
def test_swapping_the_baseline_flips_the_comparison(seed: int) -> None:
    predictions, truth = _two_models(seed, n_units=30, n_items=6)
    ab = evaluate(predictions, truth, k=3, relevance_threshold=4, n_bootstrap=100, seed=seed)
    ba = evaluate(
        predictions, truth, k=3, relevance_threshold=4, n_bootstrap=100, seed=seed, baseline="b"
    )
    for c in ab.comparisons:
        d = ba.comparison("a", c.metric)
        assert d.difference == pytest.approx(-c.difference, abs=1e-12)
        assert d.difference_ci_lower == pytest.approx(-c.difference_ci_upper, abs=1e-12)
        assert d.difference_ci_upper == pytest.approx(-c.difference_ci_lower, abs=1e-12)
        assert d.pvalue == pytest.approx(c.pvalue, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(-3, 3), min_size=1, max_size=300),
    shift=st.integers(-2, 2),
    level=st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99]),
)
def test_pvalue_and_interval_follow_one_rule(values: list[int], shift: int, level: float) -> None:
    # p < 1 - level exactly when the interval at `level` excludes 0, for every data set, ties
    # at 0 included (integer draws tie often). Reference for the bounds: the j-th order
    # statistics with j = ceil((B + 1)(1 - level) / 2) - 1 (Davison and Hinkley 1997,
    # sec. 5.2.2), computed here from the sorted draws with exact rational arithmetic.
    from fractions import Fraction

    reps = (np.asarray(values, dtype=np.float64) + shift)[:, None]
    b = reps.shape[0]
    p = float(percentile_pvalue(reps)[0])
    lo, hi = percentile_interval(reps, level)
    tail = Fraction(b + 1) * (1 - Fraction(str(level))) / 2
    j = math.ceil(tail) - 1
    if j < 1:
        assert math.isnan(lo[0])
        assert math.isnan(hi[0])
        assert p >= 1 - level  # too few draws to exclude 0 at this level
        return
    ordered = np.sort(reps[:, 0])
    assert (lo[0], hi[0]) == (ordered[j - 1], ordered[b - j])
    assert (p < 1 - level) == bool(lo[0] > 0 or hi[0] < 0)


def _tied_models(
    seed: int, n: int = 300
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """Two models whose precision@3 per unit is hits / 3 (not exact in binary): b swaps the
    hits of 20 pairs of units of a (ties whenever a replicate draws both units equally often)
    and loses one hit on two other units."""
    rng = np.random.default_rng(seed)
    units, items = np.repeat(np.arange(n), 6), np.tile(np.arange(6), n)
    relevance = np.tile([1.0, 1.0, 1.0, 0.0, 0.0, 0.0], n)
    hits_a = rng.integers(1, 4, n)
    hits_b = hits_a.copy()
    idx = np.flatnonzero(hits_a[:-1] != hits_a[1:])
    idx = idx[np.r_[True, np.diff(idx) > 1]][:20]
    hits_b[idx], hits_b[idx + 1] = hits_a[idx + 1], hits_a[idx]
    lose = rng.choice(np.setdiff1d(np.arange(n), np.r_[idx, idx + 1]), 2, replace=False)
    hits_b[lose] -= 1

    def scores(hits: np.ndarray) -> np.ndarray:
        # the top 3 are `hits` relevant items (0, 1, 2) and 3 - hits irrelevant ones (3, 4, 5)
        s = np.zeros((n, 6))
        rank = np.arange(6)
        s[(rank[None, :3] < hits[:, None]).nonzero()] = 10.0
        top_irrelevant = rank[None, :3] < (3 - hits)[:, None]
        rows, cols = top_irrelevant.nonzero()
        s[rows, cols + 3] = 10.0
        return s.ravel()

    predictions = {
        "model": np.r_[np.full(6 * n, "a"), np.full(6 * n, "b")],
        "unit": np.r_[units, units],
        "item": np.r_[items, items],
        "score": np.r_[scores(hits_a), scores(hits_b)],
    }
    truth = {"unit": units, "item": items, "relevance": relevance}
    return predictions, truth, (hits_b - hits_a).astype(np.float64)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_paired_comparison_matches_exact_arithmetic(seed: int) -> None:
    # Reference: the same bootstrap counts (same seed, same units) applied to the integer
    # per-unit differences of hits, whose sums are exact in floating point. The difference of
    # precision@3 in a replicate is that sum / (3 n): its sign, ties at 0 included, and so the
    # p-value and the interval are known exactly. Floating sums of hits / 3 used to leave
    # +-1e-16 where the exact difference is 0, moving the p-value by more than 1/B.
    predictions, truth, diff = _tied_models(seed)
    n, b = diff.size, 2000
    res = evaluate(predictions, truth, k=3, n_bootstrap=b, seed=seed)
    c = res.comparison("b", "precision@3")
    exact = bootstrap_sums(diff[:, None], b, seed=seed)[:, 0]
    assert (exact == 0).sum() > 50  # the case has many exact ties
    tail = min((exact <= 0).sum(), (exact >= 0).sum())
    assert c.pvalue == min(1.0, 2 * (1 + tail) / (b + 1))
    j = math.ceil((b + 1) * 0.025) - 1
    ordered = np.sort(exact) / (3 * n)
    assert c.difference_ci_lower == pytest.approx(ordered[j - 1], rel=1e-12)
    assert c.difference_ci_upper == pytest.approx(ordered[b - j], rel=1e-12)
    assert c.difference == pytest.approx(diff.sum() / (3 * n), rel=1e-12)


def test_paired_differences_are_exactly_zero_at_ties() -> None:
    # Reference: exact integer sums of the same resampling counts (as above), at the level of
    # the bootstrap replicates: every replicate difference has the exact sign, 0 included.
    rng = np.random.default_rng(3)
    hits_a = rng.integers(0, 4, 400).astype(np.float64)
    hits_b = rng.permutation(hits_a)
    per_unit = np.column_stack([hits_a / 3, np.ones(400), hits_b / 3, np.ones(400)])
    sums = bootstrap_sums(per_unit, 3000, seed=4)
    d = paired_differences(sums[:, 0] / sums[:, 1], sums[:, 2] / sums[:, 3], 400)
    exact = bootstrap_sums((hits_a - hits_b)[:, None], 3000, seed=4)[:, 0]
    np.testing.assert_array_equal(np.sign(d), np.sign(exact))


def test_without_bootstrap_intervals_are_undefined() -> None:
    predictions, truth = _two_models(2, n_units=20)
    res = evaluate(predictions, truth, k=5, relevance_threshold=4, n_bootstrap=0)
    value = res.metric("a", "rmse")
    assert math.isnan(value.value_ci_lower)
    assert math.isnan(res.comparison("b", "rmse").pvalue)
    assert res.to_dict()["models"]["a"]["rmse"]["value_ci_lower"] is None


def test_a_difference_that_ties_often_is_not_marked() -> None:
    # b gains one hit on two units and ties everywhere else: no replicate favours a, and the
    # replicates that draw neither unit (probability (1 - 1/n)^(2n) ~ e^-2 = 13.5%) tie exactly,
    # so the 95% interval starts at exactly 0 and the comparison is not significant; the
    # p-value counts those ties, 2 (1 + #ties) / (B + 1), about 0.27.
    n, b = 200, 1000
    units, items = np.repeat(np.arange(n), 2), np.tile(np.arange(2), n)
    truth = {"unit": units, "item": items, "relevance": np.tile([1.0, 0.0], n)}
    score_a = np.tile([1.0, 2.0], n)  # a ranks the irrelevant item first everywhere
    score_b = score_a.copy()
    score_b[[0, 2]] = 3.0  # b ranks the relevant item first for units 0 and 1
    predictions = {
        "model": np.r_[np.full(2 * n, "a"), np.full(2 * n, "b")],
        "unit": np.r_[units, units],
        "item": np.r_[items, items],
        "score": np.r_[score_a, score_b],
    }
    res = evaluate(predictions, truth, k=1, n_bootstrap=b, seed=0)
    c = res.comparison("b", "precision@1")
    assert c.difference == pytest.approx(2 / n)
    assert c.difference_ci_lower == 0.0
    assert c.better is None
    assert c.pvalue == pytest.approx(2 * math.exp(-2), abs=4 * 2 * math.sqrt(0.135 * 0.865 / b))

"""Per-unit bootstrap intervals and paired comparisons: closed forms and simulations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from proxymetric.offline import evaluate
from proxymetric.offline._bootstrap import bootstrap_sums, percentile_interval, percentile_pvalue


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
    assert p - m.ci_lower == pytest.approx(half, rel=0.12)
    assert m.ci_upper - p == pytest.approx(half, rel=0.12)


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
    assert rmse.ci_upper < 0
    assert rmse.pvalue < 0.01
    assert res.comparison("b", "ndcg@5").difference > 0
    assert res.comparison("b", "ndcg@5").ci_lower > 0


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
        assert d.ci_lower == pytest.approx(-c.ci_upper, abs=1e-12)
        assert d.ci_upper == pytest.approx(-c.ci_lower, abs=1e-12)
        assert d.pvalue == pytest.approx(c.pvalue, abs=1e-12)


def test_pvalue_agrees_with_the_percentile_interval() -> None:
    # p < alpha exactly when the 1 - alpha percentile interval excludes 0, up to the resolution
    # 1/B (cases within 2/B of the border are skipped)
    rng = np.random.default_rng(4)
    base = rng.normal(0.0, 1.0, size=(999, 1))
    for shift in np.linspace(0.0, 4.0, 41):
        reps = base + shift
        p = percentile_pvalue(reps)[0]
        tail = min((reps <= 0).sum(), (reps >= 0).sum())
        assert p == pytest.approx(min(1.0, 2 * (1 + tail) / 1000))
        lo, _ = percentile_interval(reps, 0.95)
        if abs((reps <= 0).mean() - 0.025) > 2 / 1000:
            assert (p < 0.05) == (lo[0] > 0), shift


def test_without_bootstrap_intervals_are_undefined() -> None:
    predictions, truth = _two_models(2, n_units=20)
    res = evaluate(predictions, truth, k=5, relevance_threshold=4, n_bootstrap=0)
    value = res.metric("a", "rmse")
    assert math.isnan(value.ci_lower)
    assert math.isnan(res.comparison("b", "rmse").pvalue)
    assert res.to_dict()["models"]["a"]["rmse"]["ci_lower"] is None

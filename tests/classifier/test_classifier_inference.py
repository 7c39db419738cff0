"""The intervals and tests: DeLong against an independent implementation, coverage by
simulation, the cell bootstrap against a plain resampling bootstrap, labels against statsmodels."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss
from statsmodels.stats.proportion import samplesize_confint_proportion

from proxymetric.classifier import (
    ScoredExamples,
    evaluate_classifier,
    half_width,
    labels_needed,
)
from proxymetric.classifier import _curves as cv


def _delong_by_definition(scores: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong et al. (1988), eq. (4)-(5), from the m x n kernel: an independent O(mn) version."""
    aucs, v10s, v01s = [], [], []
    for s in scores:
        x, z = s[y], s[~y]
        psi = (x[:, None] > z[None, :]) + 0.5 * (x[:, None] == z[None, :])
        aucs.append(psi.mean())
        v10s.append(psi.mean(axis=1))
        v01s.append(psi.mean(axis=0))
    s10, s01 = np.cov(np.array(v10s)), np.cov(np.array(v01s))
    return np.array(aucs), np.atleast_2d(s10) / y.sum() + np.atleast_2d(s01) / (~y).sum()


def test_delong_matches_the_definition_with_ties() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.3
    a = np.round(rng.normal(y * 1.0, 1), 1)
    b = np.round(a + rng.normal(0, 0.8, 300), 1)
    scores = np.stack([a, b])
    aucs, cov = cv.delong(scores, y, np.ones(300))
    ref_aucs, ref_cov = _delong_by_definition(scores, y)
    np.testing.assert_allclose(aucs, ref_aucs, atol=1e-12)
    np.testing.assert_allclose(cov, ref_cov, atol=1e-12)
    # and the test of the difference as evaluate_classifier reports it
    r = evaluate_classifier(
        {"model": ["a"] * 300 + ["b"] * 300, "score": np.r_[a, b], "label": np.r_[y, y]},
        bootstrap=0,
    )
    auc = r.metric("a", "roc_auc")
    z = NormalDist().inv_cdf(0.975)
    half = z * math.sqrt(ref_cov[0, 0])
    assert auc.value_ci_lower == pytest.approx(ref_aucs[0] - half, rel=1e-10)
    assert auc.value_ci_upper == pytest.approx(ref_aucs[0] + half, rel=1e-10)
    c = r.comparison("b", "roc_auc")
    se = math.sqrt(ref_cov[0, 0] + ref_cov[1, 1] - 2 * ref_cov[0, 1])
    assert c.difference_se == pytest.approx(se, rel=1e-10)
    d = ref_aucs[1] - ref_aucs[0]
    assert c.pvalue == pytest.approx(2 * (1 - NormalDist().cdf(abs(d) / se)), rel=1e-9)


def _coverage_tolerance(level: float, sims: int) -> float:
    # three binomial standard errors of a coverage estimated from `sims` simulations
    return 3 * math.sqrt(level * (1 - level) / sims)


def test_delong_interval_and_wilson_recall_interval_cover() -> None:
    rng = np.random.default_rng(11)
    sims, n = 1000, 200
    true_auc = NormalDist().cdf(1.0 / math.sqrt(2))  # binormal, means 0 and 1, unit variances
    true_recall = 1 - NormalDist(1.0, 1.0).cdf(0.5)  # positives' scores above 0.5
    auc_hits = recall_hits = 0
    for _ in range(sims):
        y = rng.random(n) < 0.3
        s = rng.normal(y * 1.0, 1.0)
        r = evaluate_classifier({"score": s, "label": y}, bootstrap=0, thresholds=[0.5])
        auc = r.metric("model", "roc_auc")
        auc_hits += auc.value_ci_lower <= true_auc <= auc.value_ci_upper
        p = r.operating_point("model", "t=0.5")
        recall_hits += p.recall_ci_lower <= true_recall <= p.recall_ci_upper
    tol = _coverage_tolerance(0.95, sims)
    assert abs(auc_hits / sims - 0.95) <= tol
    assert abs(recall_hits / sims - 0.95) <= tol


def _plain_bootstrap(s: np.ndarray, y: np.ndarray, rounds: int, seed: int) -> dict[str, float]:
    """Resampling examples with replacement and scikit-learn's metrics: the reference SEs."""
    rng = np.random.default_rng(seed)
    ap, brier = [], []
    for _ in range(rounds):
        i = rng.integers(0, y.size, y.size)
        ap.append(average_precision_score(y[i], s[i]))
        brier.append(brier_score_loss(y[i], s[i]))
    return {"average_precision": float(np.std(ap, ddof=1)), "brier": float(np.std(brier))}


@pytest.mark.parametrize("n", [600, 20_000])
def test_cell_bootstrap_spread_matches_a_plain_bootstrap(n: int) -> None:
    # n = 600 is an exact (distinct-score cells) bootstrap, n = 20,000 a binned one; a
    # standard error from R rounds has a relative error of about 1/sqrt(2R) (5% at R = 200):
    # within 20% is four of them, plus the binning's share for the binned one.
    rng = np.random.default_rng(5)
    y = rng.random(n) < 0.2
    s = 1 / (1 + np.exp(-rng.normal(1.5 * y - 1, 1)))
    r = evaluate_classifier({"score": s, "label": y}, bootstrap=200, seed=1)
    ref = _plain_bootstrap(s, y, 200, seed=2)
    for name in ("average_precision", "brier"):
        assert r.metric("model", name).value_se == pytest.approx(ref[name], rel=0.2)
    binned = [x for x in r.notes if x.code == "bootstrap_binned"]
    assert bool(binned) == (n > 1_000)


def test_paired_bootstrap_sees_the_correlation_of_the_models() -> None:
    # Two nearly identical models: the paired difference's SE is far below either metric's.
    rng = np.random.default_rng(2)
    n = 2000
    y = rng.random(n) < 0.2
    a = 1 / (1 + np.exp(-rng.normal(1.5 * y - 1, 1)))
    b = np.clip(a + rng.normal(0, 0.01, n), 0, 1)
    r = evaluate_classifier(
        {"model": ["a"] * n + ["b"] * n, "score": np.r_[a, b], "label": np.r_[y, y]},
        bootstrap=200,
    )
    c = r.comparison("b", "average_precision")
    assert c.difference_se < 0.2 * r.metric("a", "average_precision").value_se
    assert c.difference_ci_lower <= c.difference <= c.difference_ci_upper


def test_weighted_sample_reweights_a_stratified_sample() -> None:
    # Keep every positive and one negative in ten, weighted 10: the weighted precision is
    # the population's (computed on the full population as the reference).
    rng = np.random.default_rng(8)
    n = 20_000
    y = rng.random(n) < 0.05
    s = 1 / (1 + np.exp(-rng.normal(2 * y - 2, 1)))
    keep = y | (rng.random(n) < 0.1)
    w = np.where(y, 1.0, 10.0)[keep]
    r = evaluate_classifier(
        {"score": s[keep], "label": y[keep], "weight": w, "stratum": np.where(y, "p", "n")[keep]},
        bootstrap=50,
    )
    full = evaluate_classifier({"score": s, "label": y}, bootstrap=0)
    p, q = r.operating_point("model", "t=0.5"), full.operating_point("model", "t=0.5")
    assert r.weighted
    assert abs(p.precision - q.precision) < 3 * (p.precision_ci_upper - p.precision) / 1.96
    assert any(x.code == "weighted_sample" for x in r.notes)
    assert not any(c.test == "mcnemar" for c in r.comparisons)


def test_labels_needed_matches_statsmodels_sample_size() -> None:
    for metric, expected, prevalence, share in [
        ("recall", 0.9, 0.01, 0.01),
        ("false_positive_rate", 0.05, 0.2, 0.8),
    ]:
        need = labels_needed(metric, 0.03, expected=expected, prevalence=prevalence)
        ref = samplesize_confint_proportion(expected, 0.03, alpha=0.05)
        assert need.subset_needed == math.ceil(ref)
        assert need.labels == math.ceil(math.ceil(ref) / share)
    need = labels_needed("precision", 0.05, expected=0.8, prevalence=0.02, recall=0.6)
    flagged = math.ceil(samplesize_confint_proportion(0.8, 0.05, alpha=0.05))
    assert need.subset_needed == flagged
    assert need.labels == math.ceil(flagged / (0.02 * 0.6 / 0.8))
    # the inverse: that many labels measure the rate to (about) the half-width asked
    hw = half_width("recall", need_r := 13_900, expected=0.9, prevalence=0.01)
    assert hw == pytest.approx(0.05, rel=0.01)
    assert need_r == labels_needed("recall", 0.05, expected=0.9, prevalence=0.01).labels


def test_labels_needed_errors() -> None:
    with pytest.raises(Exception, match="`recall` is needed to size a precision"):
        labels_needed("precision", 0.05, expected=0.8, prevalence=0.02)
    with pytest.raises(Exception, match="`metric` must be one of"):
        labels_needed("auc", 0.05, expected=0.8, prevalence=0.02)


def test_scored_examples_are_accepted_directly() -> None:
    ex = ScoredExamples(("m",), np.array([[0.9, 0.1, 0.8, 0.3]]), np.array([1, 0, 0, 1]) == 1,
                        np.ones(4))  # fmt: skip
    r: Any = evaluate_classifier(ex, bootstrap=0)
    assert r.metric("m", "roc_auc").value == 0.75


def test_production_precision_interval_is_katz_as_statsmodels_computes_it() -> None:
    from statsmodels.stats.contingency_tables import Table2x2

    rng = np.random.default_rng(6)
    n = 800
    y = rng.random(n) < 0.3
    s = 1 / (1 + np.exp(-rng.normal(1.5 * y - 1, 1)))
    pi = 0.05
    r = evaluate_classifier({"score": s, "label": y}, prevalence=pi, bootstrap=0)
    p = r.operating_point("model", "t=0.5")
    flag = s >= 0.5
    fp, tn = int((flag & ~y).sum()), int((~flag & ~y).sum())
    tp, fn = int((flag & y).sum()), int((~flag & y).sum())
    # the ratio of false positive rate to recall, and its log (Katz) interval
    table = Table2x2(np.array([[fp, tn], [tp, fn]]))
    lo, hi = table.riskratio_confint(alpha=0.05)
    k = (1 - pi) / pi
    assert p.production_precision == pytest.approx(1 / (1 + k * table.riskratio), rel=1e-12)
    assert p.production_precision_ci_lower == pytest.approx(1 / (1 + k * hi), rel=1e-9)
    assert p.production_precision_ci_upper == pytest.approx(1 / (1 + k * lo), rel=1e-9)


def test_paired_bootstrap_interval_matches_a_plain_paired_bootstrap() -> None:
    # The difference of Brier scores, resampled by hand (numpy) 2,000 times: the library's
    # interval must be about +-1.96 of that SE wide (a percentile interval of a near-normal
    # statistic). With 2,000 rounds each SE is within ~3% and each quantile within ~4%, so
    # 10% separates the right width from a 90% interval's (16% narrower).
    rng = np.random.default_rng(9)
    n = 600
    y = rng.random(n) < 0.3
    a = 1 / (1 + np.exp(-rng.normal(1.5 * y - 1, 1)))
    b = np.clip(a + rng.normal(0, 0.1, n), 0, 1)
    r = evaluate_classifier(
        {"model": ["a"] * n + ["b"] * n, "score": np.r_[a, b], "label": np.r_[y, y]},
        bootstrap=2000,
        seed=3,
    )
    c = r.comparison("b", "brier")
    loss = (y - b) ** 2 - (y - a) ** 2
    assert c.difference == pytest.approx(loss.mean(), abs=1e-12)
    draws = rng.integers(0, n, (2000, n))
    ref_se = float(loss[draws].mean(axis=1).std(ddof=1))
    assert c.difference_se == pytest.approx(ref_se, rel=0.1)
    width = c.difference_ci_upper - c.difference_ci_lower
    assert width == pytest.approx(2 * NormalDist().inv_cdf(0.975) * ref_se, rel=0.1)

"""Every metric of evaluate_classifier against scikit-learn (to 1e-9) and statsmodels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    log_loss,
    precision_recall_curve,
    roc_auc_score,
)
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from proxymetric.classifier import evaluate_classifier
from proxymetric.errors import ProxymetricError


def _sample(
    n: int = 1500, seed: int = 3, prevalence: float = 0.2, ties: bool = True
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < prevalence
    z = rng.normal(1.2 * y, 1.0)
    a = 1 / (1 + np.exp(-(z - 1)))
    b = 1 / (1 + np.exp(-(z - 1 + rng.normal(0, 0.7, n))))
    if ties:
        a, b = np.round(a, 2), np.round(b, 2)
    return {
        "a": a,
        "b": b,
        "y": y,
        "w": rng.choice([1.0, 4.0, 10.0], n),
        "g": rng.choice(["north", "south"], n),
    }


def _table(s: dict[str, Any], weighted: bool = False) -> dict[str, Any]:
    n = s["y"].size
    table = {
        "model": np.r_[["a"] * n, ["b"] * n],
        "score": np.r_[s["a"], s["b"]],
        "label": np.r_[s["y"], s["y"]],
        "group": np.r_[s["g"], s["g"]],
    }
    if weighted:
        table["weight"] = np.r_[s["w"], s["w"]]
    return table


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_score_metrics_match_scikit_learn(weighted: bool, ties: bool) -> None:
    s = _sample(ties=ties)
    r = evaluate_classifier(_table(s, weighted), bootstrap=0)
    w = s["w"] if weighted else None
    for m in ("a", "b"):
        x, y = s[m], s["y"]
        assert r.metric(m, "roc_auc").value == pytest.approx(
            roc_auc_score(y, x, sample_weight=w), abs=1e-9
        )
        assert r.metric(m, "average_precision").value == pytest.approx(
            average_precision_score(y, x, sample_weight=w), abs=1e-9
        )
        assert r.metric(m, "brier").value == pytest.approx(
            brier_score_loss(y, x, sample_weight=w), abs=1e-9
        )
        assert r.metric(m, "log_loss").value == pytest.approx(
            log_loss(y, x, sample_weight=w), abs=1e-9
        )


def test_reliability_curve_and_ece_match_scikit_learn_calibration_curve() -> None:
    s = _sample()
    r = evaluate_classifier(_table(s), bootstrap=0, calibration_bins=7)
    for m in ("a", "b"):
        prob_true, prob_pred = calibration_curve(s["y"], s[m], n_bins=7, strategy="uniform")
        bins = [c for c in r.calibration if c.model == m]
        np.testing.assert_allclose([c.positive_share for c in bins], prob_true, atol=1e-9)
        np.testing.assert_allclose([c.mean_score for c in bins], prob_pred, atol=1e-9)
        # ECE: the bins' sizes from numpy's histogram (independent of the library's binning)
        counts = np.histogram(s[m], bins=np.linspace(0, 1, 8))[0]
        # numpy's histogram puts a score on an inner edge in the upper bin, scikit-learn's
        # calibration_curve in the lower one: count those by scikit-learn's rule
        on_edge = np.isin(s[m], np.linspace(0, 1, 8)[1:-1])
        assert not on_edge.any()
        counts = counts[counts > 0]
        ece = np.sum(counts * np.abs(prob_true - prob_pred)) / counts.sum()
        assert r.metric(m, "ece").value == pytest.approx(ece, abs=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
def test_operating_points_match_precision_recall_curve(weighted: bool) -> None:
    s = _sample()
    w = s["w"] if weighted else None
    precision, recall, thresholds = precision_recall_curve(s["y"], s["a"], sample_weight=w)
    chosen = thresholds[[5, 20, 40]]
    r = evaluate_classifier(_table(s, weighted), thresholds=list(chosen), bootstrap=0)
    for i, t in zip([5, 20, 40], chosen, strict=True):
        p = r.operating_point("a", f"t={t:g}")
        assert p.precision == pytest.approx(precision[i], abs=1e-9)
        assert p.recall == pytest.approx(recall[i], abs=1e-9)
        ww = np.ones_like(s["a"]) if w is None else w
        flag, y = s["a"] >= t, s["y"]
        assert p.false_positive_rate == pytest.approx(ww[flag & ~y].sum() / ww[~y].sum(), abs=1e-12)
        f1 = 2 * precision[i] * recall[i] / (precision[i] + recall[i])
        assert p.f1 == pytest.approx(f1, abs=1e-9)


def test_target_recall_and_precision_pick_the_threshold_on_the_curve() -> None:
    s = _sample()
    precision, recall, thresholds = precision_recall_curve(s["y"], s["a"])
    reached = float(precision[len(precision) // 2])  # a precision the curve attains exactly
    r = evaluate_classifier(
        _table(s), thresholds=[], target_recall=[0.8], target_precision=[reached], bootstrap=0
    )
    # the highest threshold whose recall reaches 0.8
    t_recall = thresholds[recall[:-1] >= 0.8].max()
    assert r.operating_point("a", "recall>=0.8").threshold == t_recall
    # the lowest threshold whose precision is at least 0.5 (the most recall at that precision)
    t_precision = thresholds[precision[:-1] >= reached].min()
    assert r.operating_point("a", f"precision>={reached:g}").threshold == t_precision
    assert any(n.code == "threshold_chosen_on_sample" for n in r.notes)


def test_wilson_intervals_match_statsmodels() -> None:
    s = _sample()
    r = evaluate_classifier(_table(s), thresholds=[0.4], bootstrap=0, confidence_level=0.9)
    p = r.operating_point("a", "t=0.4")
    flag, y = s["a"] >= 0.4, s["y"]
    lo, hi = proportion_confint(int((flag & y).sum()), int(y.sum()), alpha=0.1, method="wilson")
    assert (p.recall_ci_lower, p.recall_ci_upper) == pytest.approx((lo, hi), abs=1e-12)
    lo, hi = proportion_confint(int((flag & y).sum()), int(flag.sum()), 0.1, method="wilson")
    assert (p.precision_ci_lower, p.precision_ci_upper) == pytest.approx((lo, hi), abs=1e-12)
    for g in ("north", "south"):
        rates = next(x for x in r.groups if x.model == "a" and x.group == g)
        inside = s["g"] == g
        fp = int((flag & ~y & inside).sum())
        neg = int((~y & inside).sum())
        assert rates.false_positive_rate == pytest.approx(fp / neg, abs=1e-12)
        lo, hi = proportion_confint(fp, neg, alpha=0.1, method="wilson")
        assert (rates.false_positive_rate_ci_lower, rates.false_positive_rate_ci_upper) == (
            pytest.approx((lo, hi), abs=1e-12)
        )
        fn = int((~flag & y & inside).sum())
        pos = int((y & inside).sum())
        lo, hi = proportion_confint(fn, pos, alpha=0.1, method="wilson")
        assert rates.false_negative_rate == pytest.approx(fn / pos, abs=1e-12)
        assert (rates.false_negative_rate_ci_lower, rates.false_negative_rate_ci_upper) == (
            pytest.approx((lo, hi), abs=1e-12)
        )


def test_mcnemar_matches_statsmodels_exact_test() -> None:
    s = _sample(n=400)
    r = evaluate_classifier(_table(s), thresholds=[0.3], bootstrap=0)
    c = r.comparison("b", "accuracy@t=0.3")
    ok_a, ok_b = (s["a"] >= 0.3) == s["y"], (s["b"] >= 0.3) == s["y"]
    table = [[np.sum(ok_a & ok_b), np.sum(ok_a & ~ok_b)], [np.sum(~ok_a & ok_b), 0]]
    table[1][1] = np.sum(~ok_a & ~ok_b)
    assert c.pvalue == pytest.approx(mcnemar(table, exact=True).pvalue, rel=1e-12)
    assert c.baseline_only_correct == table[0][1]
    assert c.model_only_correct == table[1][0]
    assert c.difference == pytest.approx((ok_b.mean() - ok_a.mean()), abs=1e-12)


def test_production_prevalence_reweights_the_classes_as_scikit_learn_would() -> None:
    s = _sample()
    pi = 0.02
    r = evaluate_classifier(_table(s), thresholds=[0.5], prevalence=pi, bootstrap=0)
    y = s["y"]
    # the production mix, as sample weights for scikit-learn
    w = np.where(y, pi / y.mean(), (1 - pi) / (1 - y.mean()))
    precision, _, thresholds = precision_recall_curve(y, s["a"], sample_weight=w)
    i = int(np.searchsorted(thresholds, 0.5))
    assert thresholds[i] == 0.5
    p = r.operating_point("a", "t=0.5")
    assert p.production_precision == pytest.approx(precision[i], abs=1e-9)
    assert p.production_precision < p.precision  # rarer positives: lower precision
    assert (
        p.production_precision_ci_lower < p.production_precision < (p.production_precision_ci_upper)
    )
    fpr = ((s["a"] >= 0.5) & ~y).sum() / (~y).sum()
    assert p.production_false_alarms_per_1000 == pytest.approx(1000 * (1 - pi) * fpr, abs=1e-9)
    ap = r.metric("a", "average_precision").production_value
    assert ap == pytest.approx(average_precision_score(y, s["a"], sample_weight=w), abs=1e-9)
    brier = r.metric("a", "brier").production_value
    assert brier == pytest.approx(brier_score_loss(y, s["a"], sample_weight=w), abs=1e-9)
    ll = r.metric("a", "log_loss").production_value
    assert ll == pytest.approx(log_loss(y, s["a"], sample_weight=w), abs=1e-9)
    note = next(n for n in r.notes if n.code == "sample_precision_not_production")
    assert note.values == {"sample_prevalence": y.mean(), "production_prevalence": pi}


def test_without_a_prevalence_the_result_says_so() -> None:
    r = evaluate_classifier(_table(_sample()), bootstrap=0)
    assert [n.code for n in r.notes if n.code.endswith("prevalence")] == [
        "no_production_prevalence"
    ]
    assert np.isnan(r.operating_point("a", "t=0.5").production_precision)


def test_scores_outside_zero_one_skip_the_probability_metrics() -> None:
    r = evaluate_classifier({"score": [2.0, -1.0, 0.5, 3.0], "label": [1, 0, 0, 1]}, bootstrap=0)
    assert [m.metric for m in r.metrics] == ["roc_auc", "average_precision"]
    assert r.notes[0].code == "scores_not_probabilities"
    assert r.calibration == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prevalence": 0.0}, "`prevalence` == 0.0, must be > 0"),
        ({"prevalence": 1.5}, "`prevalence` == 1.5, must be < 1"),
        ({"bootstrap": 1}, "`bootstrap` must be 0 (no bootstrap) or at least 2; got 1"),
        ({"bootstrap": -3}, "`bootstrap` must be a whole number >= 0; got -3"),
        ({"target_recall": [1.2]}, "`target_recall` == 1.2, must be <= 1"),
        ({"target_precision": [0.999]}, "`target_precision` 0.999 is not reached by model 'a'"),
        ({"baseline": "c"}, "`baseline` 'c' is not defined; defined models: a, b"),
        ({"confidence_level": 95}, "`confidence_level` == 95, must be < 1"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ProxymetricError) as info:
        evaluate_classifier(_table(_sample(n=300)), **kwargs)
    assert message in str(info.value)


def test_one_class_only_is_an_error() -> None:
    with pytest.raises(ProxymetricError, match="`data` has no positive examples"):
        evaluate_classifier({"score": [0.1, 0.2], "label": [0, 0]})

"""Evaluating a classifier's scores honestly: metrics with intervals, at production prevalence.

:func:`evaluate_classifier` reads a table of scored, labelled examples (one or several models
scoring the same examples) and returns a :class:`ClassifierResult`:

- ROC-AUC with DeLong's interval (DeLong, DeLong & Clarke-Pearson, Biometrics 1988); average
  precision, Brier score, log loss and expected calibration error with paired Poisson
  bootstrap intervals (Hanley & MacGibbon 2006) over cells of score ranks;
- operating points at chosen thresholds or at a target recall or precision: precision, recall
  and false positive rate with Wilson intervals (Wilson, JASA 1927), F1 with a bootstrap one;
- at a declared production prevalence, every prevalence-dependent number recomputed
  (precision by Bayes' rule with a Katz log-ratio interval, false alarms per 1,000 items, the
  average precision, Brier score, log loss and calibration error with the classes reweighted),
  with a note that the sample's precision is not production's;
- per group, false positive and false negative rates with Wilson intervals;
- a reliability curve per model;
- paired comparisons with a baseline: DeLong's test for the AUC, McNemar's exact test of the
  accuracy at each operating point (McNemar, Psychometrika 1947), the paired bootstrap for
  the rest.

A weighted (stratified) sample is reweighted by its ``weight`` column: every estimate is a
weighted one and the Wilson intervals use Kish's effective sample size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt

from proxymetric._result import Result
from proxymetric._validation import check_name, check_number
from proxymetric.classifier import _curves as cv
from proxymetric.classifier._bootstrap import Replicates, replicate
from proxymetric.classifier._data import ScoredExamples, read_examples
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.stats.binomial import wilson_bounds

__all__ = [
    "CalibrationBin",
    "ClassifierMetric",
    "ClassifierNote",
    "ClassifierResult",
    "GroupRates",
    "ModelComparison",
    "OperatingPoint",
    "evaluate_classifier",
]

FloatArray = npt.NDArray[np.float64]
NAN = math.nan

#: Below this many examples the bootstrap cells are the distinct scores (an exact bootstrap).
EXACT_BOOTSTRAP_EXAMPLES = 1_000
#: Bins per model's scores in the bootstrap of larger samples.
BOOTSTRAP_BINS = 64

_SCORE_METRICS = ("roc_auc", "average_precision", "brier", "log_loss", "ece")
_PROBABILITY_METRICS = ("brier", "log_loss", "ece")
_LOWER_IS_BETTER = ("brier", "log_loss", "ece", "false_positive_rate")


@dataclass(frozen=True)
class ClassifierMetric(Result):
    """One score metric of one model with its interval (``method``: ``delong`` or
    ``bootstrap``); ``production_value`` is the metric at the declared production prevalence
    (the classes reweighted; NaN without one, and for the AUC, which does not depend on it)."""

    model: str
    metric: str
    value: float
    value_se: float
    value_ci_lower: float
    value_ci_upper: float
    method: str
    production_value: float = NAN
    production_value_ci_lower: float = NAN
    production_value_ci_upper: float = NAN


@dataclass(frozen=True)
class OperatingPoint(Result):
    """One model at one threshold (``score >= threshold`` flags an example).

    ``rule`` is ``threshold`` (chosen by the user), ``target_recall`` (the highest threshold
    reaching ``target`` recall) or ``target_precision`` (the lowest threshold keeping
    ``target`` precision); ``key`` names the point across models. Counts are weighted sums.
    The ``production_`` fields are at the declared production prevalence (NaN without one).
    """

    model: str
    key: str
    rule: str
    target: float
    threshold: float
    true_positives: float
    false_positives: float
    false_negatives: float
    true_negatives: float
    precision: float
    precision_ci_lower: float
    precision_ci_upper: float
    recall: float
    recall_ci_lower: float
    recall_ci_upper: float
    false_positive_rate: float
    false_positive_rate_ci_lower: float
    false_positive_rate_ci_upper: float
    f1: float
    f1_ci_lower: float
    f1_ci_upper: float
    production_precision: float = NAN
    production_precision_ci_lower: float = NAN
    production_precision_ci_upper: float = NAN
    production_false_alarms_per_1000: float = NAN
    production_false_alarms_per_1000_ci_lower: float = NAN
    production_false_alarms_per_1000_ci_upper: float = NAN
    production_flagged_per_1000: float = NAN
    production_f1: float = NAN
    production_f1_ci_lower: float = NAN
    production_f1_ci_upper: float = NAN


@dataclass(frozen=True)
class GroupRates(Result):
    """Error rates of one model in one group at one operating point, with Wilson intervals."""

    model: str
    key: str
    group: str
    positives: float
    negatives: float
    false_positive_rate: float
    false_positive_rate_ci_lower: float
    false_positive_rate_ci_upper: float
    false_negative_rate: float
    false_negative_rate_ci_lower: float
    false_negative_rate_ci_upper: float


@dataclass(frozen=True)
class CalibrationBin(Result):
    """One bin of a model's reliability curve (uniform bins of [0, 1], as scikit-learn's
    ``calibration_curve``), with a Wilson interval of the share of positives."""

    model: str
    bin_start: float
    bin_end: float
    weight: float
    mean_score: float
    positive_share: float
    positive_share_ci_lower: float
    positive_share_ci_upper: float


@dataclass(frozen=True)
class ModelComparison(Result):
    """``model`` against ``baseline`` on the same examples: ``difference = model - baseline``.

    ``test`` is ``delong`` (AUC), ``mcnemar`` (accuracy at an operating point; exact binomial
    test on the discordant examples, a Wald interval of the paired difference) or
    ``bootstrap`` (paired, percentile interval); ``better`` says whether the model is better
    when the difference is significant at ``1 - confidence_level`` (None otherwise).
    """

    baseline: str
    model: str
    metric: str
    difference: float
    difference_se: float
    difference_ci_lower: float
    difference_ci_upper: float
    pvalue: float
    test: str
    better: bool | None = None
    baseline_only_correct: int | None = None
    model_only_correct: int | None = None


@dataclass(frozen=True)
class ClassifierNote(Result):
    """A structured note for the renderers: ``code`` and the numbers it needs.

    Codes: ``sample_precision_not_production`` (``sample_prevalence``,
    ``production_prevalence``), ``no_production_prevalence`` (``sample_prevalence``),
    ``scores_not_probabilities`` (``model``: no Brier score, log loss or calibration),
    ``weighted_sample`` (``effective_examples``: no McNemar test), ``threshold_chosen_on_sample``
    (target operating points: their intervals do not carry the choice),
    ``bootstrap_binned`` (``bins``, ``cells``: the bootstrap resampled cells of score ranks).
    """

    code: str
    model: str | None = None
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ClassifierResult(Result):
    """The evaluation of one or several classifiers on the same labelled examples."""

    models: tuple[str, ...]
    baseline: str
    examples: int
    positives: float
    sample_prevalence: float
    production_prevalence: float
    weighted: bool
    effective_examples: float
    confidence_level: float
    bootstrap_rounds: int
    seed: int
    metrics: tuple[ClassifierMetric, ...]
    operating_points: tuple[OperatingPoint, ...]
    groups: tuple[GroupRates, ...]
    calibration: tuple[CalibrationBin, ...]
    comparisons: tuple[ModelComparison, ...]
    notes: tuple[ClassifierNote, ...]

    def metric(self, model: str, metric: str) -> ClassifierMetric:
        """Return the :class:`ClassifierMetric` ``metric`` of ``model``."""
        found = {(m.model, m.metric): m for m in self.metrics}
        check_name("model", model, self.models, "models")
        check_name("metric", metric, {m for (n, m) in found if n == model}, "metrics")
        return found[(model, metric)]

    def operating_point(self, model: str, key: str) -> OperatingPoint:
        """Return the :class:`OperatingPoint` ``key`` (e.g. ``'t=0.5'``) of ``model``."""
        found = {(p.model, p.key): p for p in self.operating_points}
        check_name("model", model, self.models, "models")
        check_name("key", key, {k for (n, k) in found if n == model}, "operating points")
        return found[(model, key)]

    def comparison(self, model: str, metric: str) -> ModelComparison:
        """Return the comparison of ``model`` with the baseline on ``metric``."""
        found = {(c.model, c.metric): c for c in self.comparisons}
        check_name("metric", metric, {m for (n, m) in found if n == model}, "compared metrics")
        return found[(model, metric)]


# ----------------------------------------------------------------------------- helpers


def _key(rule: str, value: float) -> str:
    short = {"threshold": "t", "target_recall": "recall", "target_precision": "precision"}
    return f"{short[rule]}={value:g}" if rule == "threshold" else f"{short[rule]}>={value:g}"


def _choose_threshold(c: cv.Curve, rule: str, target: float, model: str) -> float:
    if rule == "threshold":
        return target
    if rule == "target_recall":
        recall = c.tps / c.positives
        k = int(np.searchsorted(recall, target - 1e-12))  # recall rises as thresholds fall
        return float(c.thresholds[min(k, recall.size - 1)])
    precision = c.tps / (c.tps + c.fps)
    ok = np.flatnonzero(precision >= target - 1e-12)
    if ok.size == 0:
        raise ProxymetricError(
            f"`target_precision` {target!r} is not reached by model {model!r} at any "
            f"threshold (its highest precision is {float(precision.max()):.4g})"
        )
    return float(c.thresholds[ok[-1]])


def _kish(w: FloatArray) -> float:
    return float(w.sum() ** 2 / np.sum(w**2)) if w.size else 0.0


def _share_interval(mask: FloatArray, w: FloatArray, z: float) -> tuple[float, float, float]:
    """A weighted share with Wilson's interval at Kish's effective size."""
    total = float(w.sum())
    if total <= 0:
        return NAN, NAN, NAN
    p = float(np.sum(w * mask) / total)
    n = _kish(w)
    lo, hi = wilson_bounds(p * n, n, z)
    return p, lo, hi


def _boot_interval(
    exact: float, rep: Replicates, model: str, stat: str, alpha: float, upper: float | None
) -> tuple[float, float, float]:
    values = rep.values[model].get(stat)
    if values is None or values.size < 2 or not math.isfinite(exact):
        return NAN, NAN, NAN
    dev = values - rep.centre[model][stat]
    if np.all(np.isnan(dev)):
        return NAN, NAN, NAN
    lo, hi = np.nanquantile(dev, [alpha / 2, 1 - alpha / 2])
    se = float(np.nanstd(values, ddof=1))
    low = max(0.0, exact + float(lo))
    high = exact + float(hi)
    return se, low, min(upper, high) if upper is not None else high


def _better(metric: str, difference: float, pvalue: float, alpha: float) -> bool | None:
    if not math.isfinite(pvalue) or pvalue >= alpha:
        return None
    lower = metric.split("@", maxsplit=1)[0] in _LOWER_IS_BETTER
    return difference < 0 if lower else difference > 0


def mcnemar_exact(baseline_only: int, model_only: int) -> float:
    """Return McNemar's exact two-sided p-value: the binomial test of the discordant pairs."""
    from scipy import stats  # heavy: imported on use

    n = baseline_only + model_only
    if n == 0:
        return 1.0
    return float(min(1.0, 2.0 * stats.binom.cdf(min(baseline_only, model_only), n, 0.5)))


# ----------------------------------------------------------------------------- evaluation


def evaluate_classifier(
    data: Any,
    *,
    thresholds: Sequence[float] = (0.5,),
    target_recall: Sequence[float] = (),
    target_precision: Sequence[float] = (),
    prevalence: float | None = None,
    baseline: str | None = None,
    calibration_bins: int = 10,
    confidence_level: float = 0.95,
    bootstrap: int = 1000,
    seed: int = 0,
    positive: Any = None,
) -> ClassifierResult:
    """Return the :class:`ClassifierResult` of the scored, labelled examples in ``data``.

    ``data`` is a table read by :func:`~proxymetric.classifier.read_examples` (or a
    :class:`~proxymetric.classifier.ScoredExamples`). Operating points are taken at each of
    ``thresholds`` and at the thresholds reaching each ``target_recall`` and keeping each
    ``target_precision``. ``prevalence`` is the share of positives in production; every
    prevalence-dependent number is recomputed at it (label shift: the scores of each class are
    assumed distributed as in the sample). ``baseline`` (the first model by default) is the
    model the others are compared with. ``bootstrap`` rounds (0 for none) give the intervals of
    the average precision, Brier score, log loss, calibration error, F1 and of the paired
    differences.

    >>> r = evaluate_classifier(
    ...     {"score": [0.9, 0.8, 0.7, 0.4, 0.3, 0.2], "label": [1, 1, 0, 1, 0, 0]}, bootstrap=0
    ... )
    >>> round(r.metric("model", "roc_auc").value, 4)
    0.8889
    """
    check_number("confidence_level", confidence_level, low=0, high=1)
    check_number("calibration_bins", calibration_bins, low=1, low_inclusive=True)
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0:
        raise ProxymetricError(f"`bootstrap` must be a whole number >= 0; got {bootstrap!r}")
    if bootstrap == 1:
        raise ProxymetricError("`bootstrap` must be 0 (no bootstrap) or at least 2; got 1")
    for t in thresholds:
        check_number("thresholds", t)
    for r in target_recall:
        check_number("target_recall", r, low=0, high=1, high_inclusive=True)
    for q in target_precision:
        check_number("target_precision", q, low=0, high=1, high_inclusive=True)
    if prevalence is not None:
        check_number("prevalence", prevalence, low=0, high=1)
    ex = data if isinstance(data, ScoredExamples) else read_examples(data, positive=positive)
    base = ex.models[0] if baseline is None else baseline
    check_name("baseline", base, ex.models, "models")

    y, w = ex.labels, ex.weights
    positives, negatives = float(w[y].sum()), float(w[~y].sum())
    if positives == 0 or negatives == 0:
        which = "positive" if positives == 0 else "negative"
        raise DataError(f"`data` has no {which} examples; a classifier needs both labels")
    sample_prev = positives / (positives + negatives)
    alpha = 1.0 - confidence_level
    z = NormalDist().inv_cdf(1.0 - alpha / 2)

    orders = [cv.descending(s) for s in ex.scores]  # one sort per model
    curves = {m: cv.curve(s, y, w, o) for m, s, o in zip(ex.models, ex.scores, orders, strict=True)}
    rules = [
        *(("threshold", float(t)) for t in thresholds),
        *(("target_recall", float(r)) for r in target_recall),
        *(("target_precision", float(q)) for q in target_precision),
    ]
    chosen = {
        m: [(_key(rule, v), rule, v, _choose_threshold(curves[m], rule, v, m)) for rule, v in rules]
        for m in ex.models
    }
    probabilistic = {
        m: bool(np.all((s >= 0) & (s <= 1))) for m, s in zip(ex.models, ex.scores, strict=True)
    }

    rep: Replicates | None = None
    notes: list[ClassifierNote] = []
    if bootstrap:
        exact = ex.n <= EXACT_BOOTSTRAP_EXAMPLES
        bins = ex.n if exact else BOOTSTRAP_BINS
        rep = replicate(
            ex,
            thresholds={m: [(k, t) for k, _, _, t in ops] for m, ops in chosen.items()},
            calibration_bins=calibration_bins,
            prevalence=prevalence,
            rounds=bootstrap,
            seed=seed,
            bins=bins,
        )
        if not exact:
            notes.append(
                ClassifierNote("bootstrap_binned", values={"bins": bins, "cells": rep.cells})
            )

    aucs, auc_cov = cv.delong(ex.scores, y, w, orders)
    metrics: list[ClassifierMetric] = []
    exact_values: dict[str, dict[str, float]] = {}
    for i, (m, s) in enumerate(zip(ex.models, ex.scores, strict=True)):
        c = curves[m]
        values = {"roc_auc": float(aucs[i]), "average_precision": cv.average_precision(c)}
        prod: dict[str, float] = {}
        if prevalence is not None:
            cw = np.where(y, prevalence / positives, (1 - prevalence) / negatives) * w
            prod["average_precision"] = cv.average_precision(cv.curve(s, y, cw, orders[i]))
        if probabilistic[m]:
            values["brier"] = cv.brier(s, y, w)
            values["log_loss"] = cv.log_loss(s, y, w)
            total, mean_s, share, _ = cv.calibration(s, y, w, calibration_bins)
            nz = total > 0
            values["ece"] = float(np.sum(total[nz] * np.abs(share[nz] - mean_s[nz])) / total.sum())
            if prevalence is not None:
                prod["brier"] = cv.brier(s, y, cw)
                prod["log_loss"] = cv.log_loss(s, y, cw)
                t2, ms2, sh2, _ = cv.calibration(s, y, cw, calibration_bins)
                nz2 = t2 > 0
                prod["ece"] = float(np.sum(t2[nz2] * np.abs(sh2[nz2] - ms2[nz2])) / t2.sum())
        else:
            notes.append(ClassifierNote("scores_not_probabilities", model=m))
        exact_values[m] = values
        for name in _SCORE_METRICS:
            if name not in values:
                continue
            v = values[name]
            upper = None if name == "log_loss" else 1.0
            if name == "roc_auc":
                se = math.sqrt(max(float(auc_cov[i, i]), 0.0))
                lo, hi, method = max(0.0, v - z * se), min(1.0, v + z * se), "delong"
            elif rep is not None:
                se, lo, hi = _boot_interval(v, rep, m, name, alpha, upper)
                method = "bootstrap"
            else:
                se, lo, hi, method = NAN, NAN, NAN, "none"
            pv, plo, phi = prod.get(name, NAN), NAN, NAN
            if rep is not None and name in prod:
                _, plo, phi = _boot_interval(pv, rep, m, "production_" + name, alpha, upper)
            metrics.append(ClassifierMetric(m, name, v, se, lo, hi, method, pv, plo, phi))

    points: list[OperatingPoint] = []
    groups: list[GroupRates] = []
    flagged_of: dict[tuple[str, str], FloatArray] = {}
    group_masks = []
    if ex.groups is not None:
        group_masks = [(g, ex.groups == g) for g in dict.fromkeys(ex.groups.tolist())]
    for m, s in zip(ex.models, ex.scores, strict=True):
        for key, rule, target, t in chosen[m]:
            flag = s >= t
            flagged_of[(m, key)] = flag
            points.append(_point(m, key, rule, target, t, flag, y, w, z, rep, alpha, prevalence))
            for g, inside in group_masks:
                groups.append(_group(m, key, g, flag[inside], y[inside], w[inside], z))
    if any(rule != "threshold" for rule, _ in rules):
        notes.append(ClassifierNote("threshold_chosen_on_sample"))

    calibration: list[CalibrationBin] = []
    edges = np.linspace(0.0, 1.0, calibration_bins + 1)
    for m, s in zip(ex.models, ex.scores, strict=True):
        if not probabilistic[m]:
            continue
        total, mean_s, share, n_eff = cv.calibration(s, y, w, calibration_bins)
        for b in np.flatnonzero(total > 0):
            lo, hi = wilson_bounds(share[b] * n_eff[b], n_eff[b], z)
            calibration.append(
                CalibrationBin(
                    m,
                    float(edges[b]),
                    float(edges[b + 1]),
                    float(total[b]),
                    float(mean_s[b]),
                    float(share[b]),
                    lo,
                    hi,
                )
            )

    comparisons: list[ModelComparison] = []
    b_index = ex.models.index(base)
    for i, m in enumerate(ex.models):
        if m == base:
            continue
        d = float(aucs[i] - aucs[b_index])
        var = float(auc_cov[i, i] + auc_cov[b_index, b_index] - 2 * auc_cov[i, b_index])
        se = math.sqrt(max(var, 0.0))
        p = 2 * (1 - NormalDist().cdf(abs(d) / se)) if se > 0 else (1.0 if d == 0 else 0.0)
        comparisons.append(
            ModelComparison(
                base,
                m,
                "roc_auc",
                d,
                se,
                d - z * se,
                d + z * se,
                p,
                "delong",
                _better("roc_auc", d, p, alpha),
            )
        )
        if rep is not None:
            for name in _SCORE_METRICS[1:]:
                if name in exact_values[m] and name in exact_values[base]:
                    d = exact_values[m][name] - exact_values[base][name]
                    comparisons.append(_boot_compare(base, m, name, name, d, rep, alpha))
        for key, _, _, _ in chosen[m]:
            pm = next(p for p in points if p.model == m and p.key == key)
            pb = next(p for p in points if p.model == base and p.key == key)
            if rep is not None:
                for name in ("precision", "recall", "false_positive_rate", "f1"):
                    d = getattr(pm, name) - getattr(pb, name)
                    stat = f"{name}@{key}"
                    comparisons.append(_boot_compare(base, m, stat, stat, d, rep, alpha))
            if not ex.weighted:
                correct_m = flagged_of[(m, key)] == y
                correct_b = flagged_of[(base, key)] == y
                comparisons.append(_mcnemar(base, m, key, correct_b, correct_m, z, alpha))
    if ex.weighted:
        notes.append(ClassifierNote("weighted_sample", values={"effective_examples": _kish(w)}))
    if prevalence is None:
        notes.append(
            ClassifierNote("no_production_prevalence", values={"sample_prevalence": sample_prev})
        )
    else:
        notes.append(
            ClassifierNote(
                "sample_precision_not_production",
                values={"sample_prevalence": sample_prev, "production_prevalence": prevalence},
            )
        )
    return ClassifierResult(
        models=ex.models,
        baseline=base,
        examples=ex.n,
        positives=positives,
        sample_prevalence=sample_prev,
        production_prevalence=NAN if prevalence is None else float(prevalence),
        weighted=ex.weighted,
        effective_examples=_kish(w),
        confidence_level=confidence_level,
        bootstrap_rounds=bootstrap,
        seed=seed,
        metrics=tuple(metrics),
        operating_points=tuple(points),
        groups=tuple(groups),
        calibration=tuple(calibration),
        comparisons=tuple(comparisons),
        notes=tuple(notes),
    )


def _point(
    m: str,
    key: str,
    rule: str,
    target: float,
    t: float,
    flag: npt.NDArray[np.bool_],
    y: npt.NDArray[np.bool_],
    w: FloatArray,
    z: float,
    rep: Replicates | None,
    alpha: float,
    prevalence: float | None,
) -> OperatingPoint:
    tp = float(w[flag & y].sum())
    fp = float(w[flag & ~y].sum())
    fn = float(w[~flag & y].sum())
    tn = float(w[~flag & ~y].sum())
    prec, prec_lo, prec_hi = _share_interval(y[flag].astype(float), w[flag], z)
    rec, rec_lo, rec_hi = _share_interval(flag[y].astype(float), w[y], z)
    fpr, fpr_lo, fpr_hi = _share_interval(flag[~y].astype(float), w[~y], z)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn > 0 else NAN
    f1_lo = f1_hi = NAN
    if rep is not None:
        _, f1_lo, f1_hi = _boot_interval(f1, rep, m, f"f1@{key}", alpha, 1.0)
    extra: dict[str, float] = {}
    if prevalence is not None:
        k = (1 - prevalence) / prevalence
        pp = 1.0 / (1.0 + k * fpr / rec) if rec > 0 else NAN
        # Katz's log-ratio interval of fpr / recall (Katz et al., Biometrics 1978), at Kish's
        # effective sizes; half an example is added to empty cells.
        n_pos, n_neg = _kish(w[y]), _kish(w[~y])
        a, b = rec * n_pos, fpr * n_neg
        if a == 0 or b == 0:
            a, b = a + 0.5, b + 0.5
            n_pos, n_neg = n_pos + 0.5, n_neg + 0.5
        ratio = (b / n_neg) / (a / n_pos)
        half = z * math.sqrt(max(1 / b - 1 / n_neg + 1 / a - 1 / n_pos, 0.0))
        extra = {
            "production_precision": pp,
            "production_precision_ci_lower": 1.0 / (1.0 + k * ratio * math.exp(half)),
            "production_precision_ci_upper": 1.0 / (1.0 + k * ratio * math.exp(-half)),
            "production_false_alarms_per_1000": 1000 * (1 - prevalence) * fpr,
            "production_false_alarms_per_1000_ci_lower": 1000 * (1 - prevalence) * fpr_lo,
            "production_false_alarms_per_1000_ci_upper": 1000 * (1 - prevalence) * fpr_hi,
            "production_flagged_per_1000": 1000 * (prevalence * rec + (1 - prevalence) * fpr),
            "production_f1": 2 * pp * rec / (pp + rec) if pp + rec > 0 else NAN,
        }
        if rep is not None:
            _, lo, hi = _boot_interval(
                extra["production_f1"], rep, m, f"production_f1@{key}", alpha, 1.0
            )
            extra["production_f1_ci_lower"], extra["production_f1_ci_upper"] = lo, hi
    return OperatingPoint(
        m,
        key,
        rule,
        target,
        t,
        tp,
        fp,
        fn,
        tn,
        prec,
        prec_lo,
        prec_hi,
        rec,
        rec_lo,
        rec_hi,
        fpr,
        fpr_lo,
        fpr_hi,
        f1,
        f1_lo,
        f1_hi,
        **extra,
    )


def _group(
    m: str,
    key: str,
    g: str,
    flag: npt.NDArray[np.bool_],
    y: npt.NDArray[np.bool_],
    w: FloatArray,
    z: float,
) -> GroupRates:
    fpr, fpr_lo, fpr_hi = _share_interval(flag[~y].astype(float), w[~y], z)
    fnr, fnr_lo, fnr_hi = _share_interval((~flag[y]).astype(float), w[y], z)
    return GroupRates(
        m, key, g, float(w[y].sum()), float(w[~y].sum()), fpr, fpr_lo, fpr_hi, fnr, fnr_lo, fnr_hi
    )


def _boot_compare(
    base: str, m: str, metric: str, stat: str, d: float, rep: Replicates, alpha: float
) -> ModelComparison:
    diff = rep.values[m][stat] - rep.values[base][stat]
    dev = diff - (rep.centre[m][stat] - rep.centre[base][stat])
    ok = dev[np.isfinite(dev)]
    if ok.size < 2 or not math.isfinite(d):
        return ModelComparison(base, m, metric, d, NAN, NAN, NAN, NAN, "bootstrap")
    lo, hi = np.quantile(ok, [alpha / 2, 1 - alpha / 2])
    p = float((1 + np.count_nonzero(np.abs(ok) >= abs(d))) / (1 + ok.size))
    p = min(p, 1.0)
    return ModelComparison(
        base,
        m,
        metric,
        d,
        float(np.std(ok, ddof=1)),
        d + float(lo),
        d + float(hi),
        p,
        "bootstrap",
        _better(metric, d, p, alpha),
    )


def _mcnemar(
    base: str,
    m: str,
    key: str,
    correct_b: npt.NDArray[np.bool_],
    correct_m: npt.NDArray[np.bool_],
    z: float,
    alpha: float,
) -> ModelComparison:
    n = correct_b.size
    b_only = int(np.count_nonzero(correct_b & ~correct_m))
    m_only = int(np.count_nonzero(correct_m & ~correct_b))
    d = (m_only - b_only) / n
    # Wald interval of a paired difference of proportions (Agresti, Categorical Data Analysis)
    se = math.sqrt(max((m_only + b_only) / n - d * d, 0.0) / n)
    p = mcnemar_exact(b_only, m_only)
    return ModelComparison(
        base,
        m,
        f"accuracy@{key}",
        d,
        se,
        d - z * se,
        d + z * se,
        p,
        "mcnemar",
        _better("accuracy", d, p, alpha),
        b_only,
        m_only,
    )

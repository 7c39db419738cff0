"""Prediction-powered inference: a cheap judge's labels on every item, corrected by a few people.

Many items are judged by an automatic judge (an LLM grading answers, a classifier labelling
content); a uniformly random subset of them is also judged by people, the gold standard. The
judge-only average is biased by whatever the judge gets wrong; the human-only average is unbiased
but wide. Prediction-powered inference (Angelopoulos, Bates, Fannjiang, Jordan and Zrnic,
*Science* 2023) keeps the judge's average and removes its bias with the human labels:

    estimate = lam * mean(judge on the N items people did not label)
             + mean(human - lam * judge on the n items they did)

which is unbiased for what people would have said on every item whatever the judge's quality,
with variance ``var(lam * judge) / N + var(human - lam * judge) / n``. ``lam = 1`` is PPI;
PPI++ (Angelopoulos, Duchi and Zrnic 2023, arXiv:2311.01453) chooses the power-tuning ``lam`` in
[0, 1] that minimises the variance, so the interval is never wider (to first order) than the
human-only one: a useless judge gets ``lam`` near 0.

The same correction applies to any M-estimator through the rectified gradient (section 3 of
the paper): Bradley-Terry strengths are a logistic regression without intercept of the outcome
on a design row that is +1 for system a and -1 for system b, fitted on the judge's preferences
and corrected by the people's. Standard errors follow ``ppi_py`` (the authors' package) exactly:
population standard deviations for the mean, ``np.cov`` of the gradients for the regression.

Intervals are normal (Wald) intervals at ``confidence_level``. ``effective_human_labels`` is the
number of human labels alone that would give the same variance: the judge is worth
``effective_human_labels - human_labels`` people's labels (the planner's effective sample size).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph
from scipy.special import expit, ndtri

from proxymetric._result import Result
from proxymetric._validation import check_number
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.pairwise import SCORE_SCALE

__all__ = [
    "CorrectedBradleyTerry",
    "CorrectedMean",
    "CorrectedScore",
    "ppi_bradley_terry",
    "ppi_difference",
    "ppi_mean",
    "ppi_ratio",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_SCORE_CENTRE = 1000.0
_NEWTON_STEPS = 100
_NEWTON_TOL = 1e-12


def z_value(confidence_level: float) -> float:
    """Return the two-sided normal quantile of ``confidence_level`` (validated)."""
    check_number("confidence_level", confidence_level, low=0.0, high=1.0)
    return float(ndtri(0.5 + confidence_level / 2.0))


@dataclasses.dataclass(frozen=True)
class CorrectedMean(Result):
    """What people would say on average over every item, from the judge corrected by people.

    ``estimate`` is the PPI++ estimate (``power_tuning`` false: PPI, ``lam`` = 1) with
    ``estimate_se`` and its normal interval; ``human_estimate`` is the mean of the human labels
    alone and ``judge_estimate`` the judge-only mean over every item (biased when the judge is),
    each with its standard error and interval. ``system`` names the system (empty for all
    items), ``baseline`` the system subtracted for a paired difference (empty for a mean).
    ``human_labels`` counts the items people labelled (n), ``judge_labels`` every item the judge
    labelled (n + N); ``correlation`` is that of judge and human labels on the n items;
    ``effective_human_labels`` the human labels alone that would give ``estimate_se``.
    """

    system: str
    baseline: str
    estimate: float
    estimate_se: float
    estimate_ci_lower: float
    estimate_ci_upper: float
    human_estimate: float
    human_estimate_se: float
    human_estimate_ci_lower: float
    human_estimate_ci_upper: float
    judge_estimate: float
    judge_estimate_se: float
    judge_estimate_ci_lower: float
    judge_estimate_ci_upper: float
    lam: float
    correlation: float
    human_labels: int
    judge_labels: int
    effective_human_labels: float
    confidence_level: float


def _split(human: npt.ArrayLike, judge: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    y = np.asarray(human, dtype=np.float64)
    f = np.asarray(judge, dtype=np.float64)
    if y.ndim != 1 or y.shape != f.shape:
        raise DataError(
            f"`human` and `judge` must be 1-d and equally long; got shapes {y.shape} and {f.shape}"
        )
    if not np.isfinite(f).all():
        row = int(np.flatnonzero(~np.isfinite(f))[0])
        raise DataError(f"`judge` must label every item; row {row} has {f[row]!r}")
    labelled = ~np.isnan(y)
    if np.isinf(y).any():
        raise DataError("`human` must hold finite labels, or NaN for items people did not label")
    n = int(labelled.sum())
    if n < 2:
        raise DataError(f"at least 2 items need a human label; got {n}")
    return y[labelled], f[labelled], f[~labelled]


def _tuned_lam(y: FloatArray, f: FloatArray, f_u: FloatArray) -> float:
    """PPI++'s variance-minimising ``lam`` for a mean, clipped to [0, 1] (as ``ppi_py``)."""
    n, big_n = y.size, f_u.size
    if big_n == 0:
        return 0.0
    cov = float(np.mean((y - y.mean()) * (f - f.mean())))  # the gradients' covariance (1/n)
    var = float(np.var(np.concatenate([f, f_u]), ddof=1))
    if var == 0.0:
        return 0.0
    return float(np.clip(cov / ((1.0 + n / big_n) * var), 0.0, 1.0))


def ppi_mean(
    human: npt.ArrayLike,
    judge: npt.ArrayLike,
    *,
    confidence_level: float = 0.95,
    power_tuning: bool = True,
    system: str = "",
    baseline: str = "",
) -> CorrectedMean:
    """Return the prediction-powered mean of the human labels over every item.

    ``judge`` holds the judge's label (or score) of every item, ``human`` the people's label of
    the same items, NaN where they gave none; the labelled items must be a uniformly random
    subset. ``power_tuning`` chooses PPI++'s ``lam`` (else ``lam`` = 1, plain PPI).

    >>> nan = float("nan")
    >>> r = ppi_mean([1, 0, nan, nan, 1, nan, 0, nan], [1, 1, 0, 1, 1, 0, 0, 1])
    >>> round(r.estimate, 3), round(r.judge_estimate, 3), round(r.human_estimate, 3)
    (0.442, 0.625, 0.5)
    """
    z = z_value(confidence_level)
    y, f, f_u = _split(human, judge)
    n, big_n = y.size, f_u.size
    lam = _tuned_lam(y, f, f_u) if power_tuning else (1.0 if big_n else 0.0)
    unlabelled = lam * f_u.mean() if big_n else 0.0
    estimate = float(unlabelled + np.mean(y - lam * f))
    var = float(np.var(y - lam * f)) / n + (float(np.var(lam * f_u)) / big_n if big_n else 0.0)
    human_var = float(np.var(y)) / n
    everything = np.concatenate([f, f_u])
    judge_mean = float(everything.mean())
    judge_var = float(np.var(everything)) / everything.size
    sd_y, sd_f = float(np.std(y)), float(np.std(f))
    corr = (
        float(np.mean((y - y.mean()) * (f - f.mean())) / (sd_y * sd_f))
        if sd_y > 0 and sd_f > 0
        else math.nan
    )
    se, human_se, judge_se = math.sqrt(var), math.sqrt(human_var), math.sqrt(judge_var)
    return CorrectedMean(
        system=system,
        baseline=baseline,
        estimate=estimate,
        estimate_se=se,
        estimate_ci_lower=estimate - z * se,
        estimate_ci_upper=estimate + z * se,
        human_estimate=float(y.mean()),
        human_estimate_se=human_se,
        human_estimate_ci_lower=float(y.mean()) - z * human_se,
        human_estimate_ci_upper=float(y.mean()) + z * human_se,
        judge_estimate=judge_mean,
        judge_estimate_se=judge_se,
        judge_estimate_ci_lower=judge_mean - z * judge_se,
        judge_estimate_ci_upper=judge_mean + z * judge_se,
        lam=lam,
        correlation=corr,
        human_labels=n,
        judge_labels=n + big_n,
        effective_human_labels=n * human_var / var if var > 0 else math.inf,
        confidence_level=confidence_level,
    )


def ppi_difference(
    human_a: npt.ArrayLike,
    human_b: npt.ArrayLike,
    judge_a: npt.ArrayLike,
    judge_b: npt.ArrayLike,
    *,
    confidence_level: float = 0.95,
    power_tuning: bool = True,
    system: str = "a",
    baseline: str = "b",
) -> CorrectedMean:
    """Return the prediction-powered paired difference ``a - b`` over the same items.

    Each item has both systems' outputs judged by the judge (``judge_a``, ``judge_b``); on a
    uniformly random subset people judged both (``human_a``, ``human_b``, NaN elsewhere; an item
    with only one human label counts as unlabelled). The difference of each item is the unit,
    so the interval accounts for the items' correlation (a paired design).

    >>> r = ppi_difference([1, 1, None, None], [0, 1, None, None], [1, 1, 1, 0], [0, 0, 1, 1],
    ...                    power_tuning=False)
    >>> round(r.estimate, 3), round(r.judge_estimate, 3)
    (-1.0, 0.25)
    """
    ya = np.asarray(human_a, dtype=np.float64)
    yb = np.asarray(human_b, dtype=np.float64)
    fa = np.asarray(judge_a, dtype=np.float64)
    fb = np.asarray(judge_b, dtype=np.float64)
    if not (ya.shape == yb.shape == fa.shape == fb.shape) or ya.ndim != 1:
        raise DataError(
            "`human_a`, `human_b`, `judge_a` and `judge_b` must be 1-d and equally long"
        )
    return ppi_mean(
        ya - yb,
        fa - fb,
        confidence_level=confidence_level,
        power_tuning=power_tuning,
        system=system,
        baseline=baseline,
    )


def _ratio(
    a: FloatArray, b: FloatArray, a_u: FloatArray, b_u: FloatArray, lam_a: float, lam_b: float
) -> tuple[float, float, float, float]:
    """Return (ratio, se, mean a, mean b) of two PPI means by the delta method.

    ``a``/``b`` are the labelled items' rectified values (human - lam * judge), ``a_u``/``b_u``
    the unlabelled items' judge values; covariances are population ones, as for the mean."""
    n, big_n = a.size, a_u.size
    ma = float(a.mean()) + (lam_a * float(a_u.mean()) if big_n else 0.0)
    mb = float(b.mean()) + (lam_b * float(b_u.mean()) if big_n else 0.0)
    cov_l = np.cov(np.vstack([a, b]), ddof=0) / n
    cov = cov_l
    if big_n:
        cov = cov + np.cov(np.vstack([lam_a * a_u, lam_b * b_u]), ddof=0) / big_n
    if mb == 0.0:
        return math.nan, math.nan, ma, mb
    r = ma / mb
    var = (cov[0, 0] - 2.0 * r * cov[0, 1] + r * r * cov[1, 1]) / (mb * mb)
    return r, math.sqrt(max(float(var), 0.0)), ma, mb


def ppi_ratio(
    human_numerator: npt.ArrayLike,
    judge_numerator: npt.ArrayLike,
    human_denominator: npt.ArrayLike,
    judge_denominator: npt.ArrayLike,
    *,
    confidence_level: float = 0.95,
    power_tuning: bool = True,
    system: str = "",
) -> CorrectedMean:
    """Return the prediction-powered ratio of two means over every item (a recall, a precision).

    Each mean is corrected as by :func:`ppi_mean` (with its own ``lam``); the interval of their
    ratio is the delta method's with their covariance (both rest on the same items); ``lam``
    is the numerator's. The
    judge's recall ``P(judge says yes | people say yes)`` is
    ``ppi_ratio(human * judge, judge, human, judge)``: people's yes that the judge also said,
    over people's yes, each predicted by the judge's own label. ``human_*`` are NaN on the
    items people did not label (the same items in both).

    >>> nan = float("nan")
    >>> y, f = [1, 1, 0, nan, nan, nan], [1, 0, 0, 1, 1, 0]
    >>> r = ppi_ratio([a * b for a, b in zip(y, f)], f, y, f, power_tuning=False)
    >>> round(r.estimate, 3), round(r.human_estimate, 3)
    (0.667, 0.5)
    """
    z = z_value(confidence_level)
    ya, fa, fa_u = _split(human_numerator, judge_numerator)
    yb, fb, fb_u = _split(human_denominator, judge_denominator)
    if not np.array_equal(
        np.isnan(np.asarray(human_numerator, dtype=np.float64)),
        np.isnan(np.asarray(human_denominator, dtype=np.float64)),
    ):
        raise DataError(
            "`human_numerator` and `human_denominator` must be labelled on the same items"
        )
    n, big_n = ya.size, fa_u.size
    if power_tuning:
        lam_a, lam_b = _tuned_lam(ya, fa, fa_u), _tuned_lam(yb, fb, fb_u)
    else:
        lam_a = lam_b = 1.0 if big_n else 0.0
    est, se, _, _ = _ratio(ya - lam_a * fa, yb - lam_b * fb, fa_u, fb_u, lam_a, lam_b)
    h, h_se, _, _ = _ratio(ya, yb, fa_u[:0], fb_u[:0], 0.0, 0.0)
    j, j_se, _, _ = _ratio(
        np.concatenate([fa, fa_u]), np.concatenate([fb, fb_u]), fa_u[:0], fb_u[:0], 0.0, 0.0
    )
    sd_y, sd_f = float(np.std(ya)), float(np.std(fa))
    corr = (
        float(np.mean((ya - ya.mean()) * (fa - fa.mean())) / (sd_y * sd_f))
        if sd_y > 0 and sd_f > 0
        else math.nan
    )
    return CorrectedMean(
        system=system,
        baseline="",
        estimate=est,
        estimate_se=se,
        estimate_ci_lower=est - z * se,
        estimate_ci_upper=est + z * se,
        human_estimate=h,
        human_estimate_se=h_se,
        human_estimate_ci_lower=h - z * h_se,
        human_estimate_ci_upper=h + z * h_se,
        judge_estimate=j,
        judge_estimate_se=j_se,
        judge_estimate_ci_lower=j - z * j_se,
        judge_estimate_ci_upper=j + z * j_se,
        lam=lam_a,
        correlation=corr,
        human_labels=n,
        judge_labels=n + big_n,
        effective_human_labels=n * (h_se / se) ** 2 if se > 0 else math.inf,
        confidence_level=confidence_level,
    )


# ---------------------------------------------------------------------------- Bradley-Terry


@dataclasses.dataclass(frozen=True)
class CorrectedScore(Result):
    """One system's Bradley-Terry score from the judge's preferences corrected by people's.

    ``score`` is ``1000 + 400/ln 10 * strength`` (strengths centred on zero, or measured from the
    reference system), with ``score_se`` and its normal interval; ``human_score`` is fitted on the
    human judgments alone and ``judge_score`` on the judge's alone (biased when the judge is).
    """

    system: str
    score: float
    score_se: float
    score_ci_lower: float
    score_ci_upper: float
    human_score: float
    human_score_se: float
    human_score_ci_lower: float
    human_score_ci_upper: float
    judge_score: float
    judge_score_se: float
    judge_score_ci_lower: float
    judge_score_ci_upper: float


@dataclasses.dataclass(frozen=True)
class CorrectedBradleyTerry(Result):
    """Bradley-Terry scores of what people would prefer, from a judge corrected by people.

    ``systems`` in the order of their corrected score (highest first); ``reference`` the system
    whose score is fixed at 1000 (empty: scores centred on 1000); ``lam`` the power tuning;
    ``human_labels`` the comparisons people judged (n), ``judge_labels`` every comparison the
    judge judged (n + N); ``effective_human_labels`` the human judgments alone that would give the
    same total variance of the scores.
    """

    systems: tuple[CorrectedScore, ...]
    reference: str
    lam: float
    human_labels: int
    judge_labels: int
    effective_human_labels: float
    confidence_level: float


@dataclasses.dataclass(frozen=True)
class _Fit:
    theta: FloatArray
    cov: FloatArray  # of theta (already divided by n)


def _newton(
    x_l: FloatArray, y: FloatArray, f: FloatArray, x_u: FloatArray, f_u: FloatArray, lam: float
) -> FloatArray:
    """Minimise the rectified logistic loss (PPI, eq. for M-estimators) by Newton's method."""
    n, big_n = y.size, f_u.size
    theta = np.zeros(x_l.shape[1])
    for _ in range(_NEWTON_STEPS):
        mu_l = expit(x_l @ theta)
        grad = x_l.T @ (mu_l - y) / n - lam * x_l.T @ (mu_l - f) / n
        hess = (1.0 - lam) / n * (x_l.T * (mu_l * (1.0 - mu_l))) @ x_l
        if big_n and lam:
            mu_u = expit(x_u @ theta)
            grad += lam * x_u.T @ (mu_u - f_u) / big_n
            hess += lam / big_n * (x_u.T * (mu_u * (1.0 - mu_u))) @ x_u
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            raise DataError(
                "the judged comparisons do not connect every system, so their scores are "
                "not identified; judge pairs that link them"
            ) from None
        theta = theta - step
        if float(np.max(np.abs(step), initial=0.0)) < _NEWTON_TOL:
            break
    return theta


def _stats(
    theta: FloatArray,
    x_l: FloatArray,
    y: FloatArray,
    f: FloatArray,
    x_u: FloatArray,
    f_u: FloatArray,
    *,
    use_unlabelled: bool,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Gradients and inverse Hessian at ``theta``, as ``ppi_py._logistic_get_stats``."""
    n, big_n = y.size, f_u.size
    mu_l = expit(x_l @ theta)
    mu_u = expit(x_u @ theta)
    w_l = (x_l.T * (mu_l * (1.0 - mu_l))) @ x_l
    w_u = (x_u.T * (mu_u * (1.0 - mu_u))) @ x_u
    hess = (w_l + w_u) / (n + big_n) if use_unlabelled else w_l / n
    grads = x_l * (mu_l - y)[:, None]
    grads_hat = x_l * (mu_l - f)[:, None]
    grads_hat_u = x_u * (mu_u - f_u)[:, None]
    return grads, grads_hat, grads_hat_u, np.linalg.inv(hess)


def _cov(a: FloatArray) -> FloatArray:
    d = a.shape[1]
    if a.shape[0] < 2:
        return np.zeros((d, d))
    return np.atleast_2d(np.cov(a.T)).reshape(d, d)


def _bt_fit(
    x_l: FloatArray,
    y: FloatArray,
    f: FloatArray,
    x_u: FloatArray,
    f_u: FloatArray,
    lam: float | None,
    transform: FloatArray,
) -> tuple[_Fit, float]:
    """Return the PPI(++) fit and its ``lam`` (None: tuned at the ``lam`` = 1 fit)."""
    n, big_n = y.size, f_u.size
    if big_n == 0:
        lam = 0.0
    if lam is None:
        theta1 = _newton(x_l, y, f, x_u, f_u, 1.0)
        g, gh, ghu, inv_h = _stats(theta1, x_l, y, f, x_u, f_u, use_unlabelled=True)
        gc, ghc = g - g.mean(axis=0), gh - gh.mean(axis=0)
        cov_g = (gc.T @ ghc + ghc.T @ gc) / n
        var_gh = _cov(np.concatenate([gh, ghu]))
        v = transform @ inv_h
        denom = 2.0 * (1.0 + n / big_n) * float(np.trace(v @ var_gh @ v.T))
        lam = float(np.clip(np.trace(v @ cov_g @ v.T) / denom, 0.0, 1.0)) if denom > 0 else 0.0
    theta = _newton(x_l, y, f, x_u, f_u, lam)
    g, gh, ghu, inv_h = _stats(theta, x_l, y, f, x_u, f_u, use_unlabelled=lam != 0.0)
    var_u = _cov(lam * ghu) if big_n else np.zeros((theta.size, theta.size))
    var = _cov(g - lam * gh)
    sigma = inv_h @ ((n / big_n if big_n else 0.0) * var_u + var) @ inv_h
    return _Fit(theta, sigma / n), lam


def _connected(a: IntArray, b: IntArray, s: int) -> bool:
    graph = sparse.coo_matrix((np.ones(a.size), (a, b)), shape=(s, s))
    return int(csgraph.connected_components(graph, directed=False)[0]) == 1


def ppi_bradley_terry(
    system_a: npt.ArrayLike,
    system_b: npt.ArrayLike,
    judge_outcome: npt.ArrayLike,
    human_outcome: npt.ArrayLike,
    *,
    confidence_level: float = 0.95,
    power_tuning: bool = True,
    reference: str | None = None,
) -> CorrectedBradleyTerry:
    """Return Bradley-Terry scores of people's preferences, from a judge corrected by people.

    One entry per comparison: the two systems' names, the judge's outcome (1 when ``system_a``
    won, 0 when ``system_b`` did, 0.5 for a tie) and the people's outcome on the same comparison
    (the mean of their outcomes, NaN where no person judged it; the judged comparisons must be a
    uniformly random subset). Strengths are the logistic regression of the outcome on +1/-1 rows
    (Bradley and Terry 1952), fitted by PPI for M-estimators with the rectified gradient;
    ``power_tuning`` chooses ``lam`` to minimise the total variance of the reported scores.
    ``reference`` fixes that system's score at 1000 (default: scores centred on 1000).
    """
    z = z_value(confidence_level)
    a = np.asarray(system_a).astype(str)
    b = np.asarray(system_b).astype(str)
    f_all = np.asarray(judge_outcome, dtype=np.float64)
    y_all = np.asarray(human_outcome, dtype=np.float64)
    if not (a.shape == b.shape == f_all.shape == y_all.shape) or a.ndim != 1:
        raise DataError(
            "`system_a`, `system_b`, `judge_outcome` and `human_outcome` must be 1-d and "
            "equally long"
        )
    for name, values in (("judge_outcome", f_all), ("human_outcome", y_all)):
        known = values[~np.isnan(values)]
        if ((known < 0) | (known > 1)).any():
            raise DataError(f"`{name}` must lie in [0, 1] (1: system_a won); got {known.min()!r}")
    if np.isnan(f_all).any():
        raise DataError("`judge_outcome` must be known for every comparison")
    names, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    systems = tuple(str(x) for x in names)
    ia, ib = codes[: a.size], codes[a.size :]
    if (ia == ib).any():
        raise DataError("a comparison compares a system with itself; each needs two systems")
    s = len(systems)
    if s < 2:
        raise DataError(f"at least 2 systems are needed; got {s}")
    if not _connected(ia, ib, s):
        raise DataError(
            "the judged comparisons do not connect every system, so their scores are not "
            "identified; judge pairs that link them"
        )
    if reference is not None and reference not in systems:
        raise ProxymetricError(
            f"`reference` {reference!r} is not a judged system; systems: {', '.join(systems)}"
        )
    ref = systems.index(reference) if reference is not None else 0
    keep = [k for k in range(s) if k != ref]
    design = np.zeros((a.size, s))
    design[np.arange(a.size), ia] = 1.0
    design[np.arange(a.size), ib] = -1.0
    x = design[:, keep]
    embed = np.zeros((s, s - 1))
    embed[keep, np.arange(s - 1)] = 1.0
    transform = embed if reference is not None else (np.eye(s) - 1.0 / s) @ embed
    lab = ~np.isnan(y_all)
    n = int(lab.sum())
    if n < 2:
        raise DataError(f"at least 2 comparisons need a human judgment; got {n}")
    x_l, y, f = x[lab], y_all[lab], f_all[lab]
    x_u, f_u = x[~lab], f_all[~lab]
    fit, lam = _bt_fit(x_l, y, f, x_u, f_u, None if power_tuning else 1.0, transform)
    empty_x, empty_f = np.zeros((0, s - 1)), np.zeros(0)
    human: _Fit | None = None
    if _connected(ia[lab], ib[lab], s):
        human = _bt_fit(x_l, y, y, empty_x, empty_f, 0.0, transform)[0]
    judge = _bt_fit(x, f_all, f_all, empty_x, empty_f, 0.0, transform)[0]

    def scores(one: _Fit | None) -> tuple[FloatArray, FloatArray]:
        if one is None:
            return np.full(s, math.nan), np.full(s, math.nan)
        cov = transform @ one.cov @ transform.T
        return (
            _SCORE_CENTRE + SCORE_SCALE * (transform @ one.theta),
            SCORE_SCALE * np.sqrt(np.clip(np.diag(cov), 0.0, None)),
        )

    est, se = scores(fit)
    h_est, h_se = scores(human)
    j_est, j_se = scores(judge)
    order = np.argsort(-est, kind="stable")
    rows = tuple(
        CorrectedScore(
            system=systems[k],
            score=float(est[k]),
            score_se=float(se[k]),
            score_ci_lower=float(est[k] - z * se[k]),
            score_ci_upper=float(est[k] + z * se[k]),
            human_score=float(h_est[k]),
            human_score_se=float(h_se[k]),
            human_score_ci_lower=float(h_est[k] - z * h_se[k]),
            human_score_ci_upper=float(h_est[k] + z * h_se[k]),
            judge_score=float(j_est[k]),
            judge_score_se=float(j_se[k]),
            judge_score_ci_lower=float(j_est[k] - z * j_se[k]),
            judge_score_ci_upper=float(j_est[k] + z * j_se[k]),
        )
        for k in order
    )
    total = float(np.sum(se**2))
    effective = n * float(np.sum(h_se**2)) / total if human is not None and total > 0 else math.nan
    return CorrectedBradleyTerry(
        systems=rows,
        reference=reference or "",
        lam=lam,
        human_labels=n,
        judge_labels=a.size,
        effective_human_labels=effective,
        confidence_level=confidence_level,
    )

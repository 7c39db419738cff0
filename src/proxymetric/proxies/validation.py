"""Proxy validation across past experiments: which metric to decide on, for tests of a size.

For a north-star metric and candidate proxies, over the comparisons of an :class:`EffectTable`,
:func:`validate_proxies` reports per proxy its sensitivity (movement probability), the naive
correlation of estimated effects next to the noise-corrected correlation of true effects (Bibaut,
Chou, Ejdemyr, Kallus, KDD 2024), sign agreement, the correlation of its estimated effect with the
north star's true effect at the experiment size at hand and the probability of a wrong-sign
decision, plus the best non-negative composite (Tripuraneni et al., KDD 2024) evaluated out of
sample by cross-validation over experiments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from proxymetric._result import Result
from proxymetric._validation import check_name, check_number
from proxymetric.errors import ProxymetricError
from proxymetric.proxies.composite import composite_correlation, composite_weights
from proxymetric.proxies.covariance import (
    correlation,
    crossfold_covariance,
    naive_covariance,
    nearest_psd,
    total_covariance,
    wrong_sign_probability,
)
from proxymetric.proxies.table import EffectTable

__all__ = ["ProxyReport", "ProxyRow", "validate_proxies"]

FloatArray = NDArray[np.float64]
COMPOSITE = "composite"
RowKind = Literal["north_star", "proxy", "composite"]


@dataclass(frozen=True)
class ProxyRow(Result):
    """One candidate decision metric (the north star itself, a proxy, or the composite).

    ``movement_probability``: share of comparisons where it moved significantly (two-sided at
    ``alpha``). ``naive_correlation``: correlation of estimated effects with the north star's.
    ``true_correlation``: noise-corrected (total covariance) correlation of true effects;
    ``crossfold_correlation``: the cross-fold estimate (``None`` without split-half estimates).
    ``sign_agreement``: among comparisons where both moved significantly
    (``n_both_significant``), the share with the same sign. ``correlation_at_size``: correlation
    of its estimated effect in a test of ``units`` units with the north star's true effect (in
    sample); ``cv_correlation_at_size``: the same out of sample. ``wrong_sign_probability`` =
    ``1/2 - arcsin(rho)/pi``: the chance, for normal effects, that the sign of its estimated
    effect contradicts the north star's true effect, with ``rho`` the cross-validated
    correlation at size (the in-sample one without cross-validation).
    """

    metric: str
    kind: RowKind
    rank: int
    movement_probability: float
    naive_correlation: float
    true_correlation: float
    crossfold_correlation: float | None
    sign_agreement: float
    n_both_significant: int
    correlation_at_size: float
    cv_correlation_at_size: float
    wrong_sign_probability: float


@dataclass(frozen=True)
class ProxyReport(Result):
    """Proxy validation for ``north_star`` over ``n_experiments`` comparisons.

    ``noise_covariance`` is ``measured`` (all comparisons had unit-level data), ``assumed``
    (none had: the noise correlation between metrics is ``assumed_noise_correlation``) or
    ``mixed``. Rows are sorted by ``cv_correlation_at_size``; ``recommendation`` says which
    metric to decide on for tests of ``units`` units.
    """

    north_star: str
    proxies: list[str]
    n_experiments: int
    n_dropped: int
    units: float
    alpha: float
    noise_covariance: Literal["measured", "assumed", "mixed"]
    n_noise_measured: int
    assumed_noise_correlation: float
    composite_weights: dict[str, float]
    rows: list[ProxyRow]
    recommendation: str
    naive_covariance: dict[str, dict[str, float]]
    true_covariance: dict[str, dict[str, float]]
    crossfold_covariance: dict[str, dict[str, float]] | None
    warnings: list[str]


def _as_dict(names: Sequence[str], mat: FloatArray) -> dict[str, dict[str, float]]:
    return {a: {b: float(mat[i, j]) for j, b in enumerate(names)} for i, a in enumerate(names)}


def _nan_to_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _cv_correlations(
    y: FloatArray,
    s: FloatArray,
    units: FloatArray,
    n: float,
    folds: int,
    seed: int,
) -> FloatArray:
    """Out-of-sample correlation at size ``n`` of each single metric and of the composite.

    Experiments are split in ``folds`` groups; the composite's weights are fitted on the other
    groups and its correlation is evaluated with the held-out group's corrected covariance
    (projected to the nearest PSD matrix). Numerators and variances are averaged over folds
    before the ratio is taken, so the result is a correlation (within [-1, 1]).
    """
    k, m = y.shape
    order = np.random.default_rng(seed).permutation(k)
    groups = np.array_split(order, folds)
    num = np.zeros(m + 1)
    den = np.zeros(m + 1)
    den_ns = 0.0
    eye = np.eye(m)
    for g in groups:
        train = np.setdiff1d(order, g)
        sigma_tr = nearest_psd(total_covariance(y[train], s[train]))
        psi_tr = np.einsum("k,kij->ij", units[train], s[train]) / len(train)
        w = composite_weights(sigma_tr, psi_tr / n, 0, np.arange(1, m))
        sigma_te = nearest_psd(total_covariance(y[g], s[g]))
        psi_te = np.einsum("k,kij->ij", units[g], s[g]) / len(g)
        vecs = np.vstack([eye, w])
        num += vecs @ sigma_te[:, 0]
        den += np.einsum("vi,ij,vj->v", vecs, sigma_te + psi_te / n, vecs)
        den_ns += float(sigma_te[0, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / np.sqrt(den * den_ns)
    out[(den <= 0) | (den_ns <= 0)] = np.nan
    return np.asarray(out, dtype=np.float64)


def validate_proxies(
    table: EffectTable,
    north_star: str,
    proxies: Sequence[str] | None = None,
    *,
    units: float | None = None,
    alpha: float = 0.05,
    cv_folds: int = 5,
    seed: int = 0,
) -> ProxyReport:
    """Return the :class:`ProxyReport` of ``proxies`` (default: all other metrics) for a north star.

    ``units`` is the size of the tests the decision metric is chosen for (default: the median
    size of the comparisons in the table); the noise of such a test is the average per-unit noise
    covariance ``mean_k(n_k S_k)`` divided by ``units``. Comparisons missing one of the metrics
    are dropped (``n_dropped``). Raises :class:`ProxymetricError` on unknown metrics or too few
    comparisons (at least 4, and ``2 * cv_folds`` for cross-validation).
    """
    check_name("north_star", north_star, table.metrics, "metrics")
    if proxies is None:
        proxies = [mm for mm in table.metrics if mm != north_star]
    proxies = list(dict.fromkeys(proxies))
    for p in proxies:
        check_name("proxies", p, table.metrics, "metrics")
    if north_star in proxies:
        raise ProxymetricError(f"`proxies` must not include the north star {north_star!r}")
    if not proxies:
        raise ProxymetricError("`proxies` is empty; give at least one candidate proxy metric")
    check_number("alpha", alpha, low=0, high=1)
    if isinstance(cv_folds, bool) or not isinstance(cv_folds, int) or cv_folds < 2:
        raise ProxymetricError(f"`cv_folds` must be an integer >= 2; got {cv_folds!r}")
    names = [north_star, *proxies]
    cols = np.array([table.metrics.index(mm) for mm in names])
    y_all = table.effects[:, cols]
    s_all = table.noise_cov[:, cols][:, :, cols]
    ok = np.all(np.isfinite(y_all), axis=1) & np.all(np.isfinite(s_all), axis=(1, 2))
    ok &= table.units > 0
    k = int(ok.sum())
    if k < 4:
        raise ProxymetricError(
            f"proxy validation needs at least 4 comparisons with all of {', '.join(names)}; "
            f"found {k}"
        )
    y, s, n_k = y_all[ok], s_all[ok], table.units[ok]
    n = float(np.median(n_k)) if units is None else check_number("units", units, low=0)
    m = len(names)
    warnings: list[str] = []

    sigma = total_covariance(y, s)
    naive = naive_covariance(y)
    psi = np.einsum("k,kij->ij", n_k, s) / k
    sigma_psd = nearest_psd(sigma)
    w = composite_weights(sigma_psd, psi / n, 0, np.arange(1, m))
    if not np.any(w > 0):
        warnings.append(
            "no candidate has a positive true-effect covariance with the north star: "
            "the composite is empty"
        )
    # Augment every matrix with the composite as an extra metric: y' = A y, S' = A S A'.
    a = np.vstack([np.eye(m), w])
    y_aug = y @ a.T
    s_aug = np.einsum("ai,kij,bj->kab", a, s, a)
    sigma_aug = a @ sigma @ a.T
    sigma_psd_aug = a @ sigma_psd @ a.T
    psi_aug = a @ psi @ a.T
    naive_corr = correlation(a @ naive @ a.T)[:, 0]
    true_corr = correlation(sigma_aug)[:, 0]
    cross: FloatArray | None = None
    cross_corr: FloatArray | None = None
    if table.fold1 is not None and table.fold2 is not None:
        f1 = table.fold1[:, cols][ok]
        f2 = table.fold2[:, cols][ok]
        cross = crossfold_covariance(f1, f2)
        cross_corr = correlation(a @ cross @ a.T)[:, 0]
    se_aug = np.sqrt(np.clip(np.einsum("kaa->ka", s_aug), 0.0, None))
    z = float(ndtri(1.0 - alpha / 2.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        sig = np.abs(y_aug) > z * se_aug
    movement = sig.mean(axis=0)
    both = sig & sig[:, [0]]
    agree = both & (np.sign(y_aug) == np.sign(y_aug[:, [0]]))
    n_both = both.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sign_agreement = np.where(n_both > 0, agree.sum(axis=0) / np.maximum(n_both, 1), np.nan)
    unit_vectors = np.eye(m + 1)
    at_size = np.array(
        [composite_correlation(v, sigma_psd_aug, psi_aug / n, 0) for v in unit_vectors]
    )
    if k >= 2 * cv_folds:
        cv = _cv_correlations(y, s, n_k, n, cv_folds, seed)
    else:
        cv = np.full(m + 1, np.nan)
        warnings.append(
            f"only {k} comparisons: no cross-validation (needs {2 * cv_folds} for {cv_folds} folds)"
        )
    n_measured = int(table.measured[ok].sum())
    status: Literal["measured", "assumed", "mixed"] = (
        "measured" if n_measured == k else "assumed" if n_measured == 0 else "mixed"
    )
    if status != "measured":
        warnings.append(
            f"the noise covariance between metrics is assumed for {k - n_measured} of {k} "
            f"comparisons (no covariance between metrics recorded for them): correlation "
            f"{table.assumed_noise_correlation:g}; the corrected estimates are only as good as "
            "that assumption"
        )
    d = np.diag(sigma)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw_corr = sigma[1:, 0] / np.sqrt(d[1:] * d[0])
    over = [f"{names[i + 1]} ({raw_corr[i]:+.2f})" for i in np.flatnonzero(np.abs(raw_corr) > 1)]
    if over:
        hint = (
            "the assumed noise correlation is probably too low (or too high for a negative one)"
            if status != "measured"
            else "too few comparisons to estimate it precisely"
        )
        warnings.append(
            "the corrected correlation with the north star exceeds 1 in absolute value for "
            f"{', '.join(over)} (shown clipped): {hint}"
        )
    if np.any(np.diag(sigma) <= 0):
        bad = [names[i] for i in range(m) if sigma[i, i] <= 0]
        warnings.append(
            f"no detectable true-effect variance for {', '.join(bad)}: their effects across "
            "experiments are indistinguishable from noise"
        )
    labels = [*names, COMPOSITE]
    proxy_kind: RowKind = "proxy"
    kinds: list[RowKind] = ["north_star", *([proxy_kind] * (m - 1)), "composite"]
    score = np.where(np.isfinite(cv), cv, np.where(np.isfinite(at_size), at_size, -np.inf))
    if not np.any(w > 0):
        score[m] = -np.inf
    score_corr = np.where(np.isfinite(cv), cv, at_size)
    order = np.argsort(-score, kind="stable")
    rank = np.empty(m + 1, dtype=int)
    rank[order] = np.arange(1, m + 2)
    rows = [
        ProxyRow(
            metric=labels[j],
            kind=kinds[j],
            rank=int(rank[j]),
            movement_probability=float(movement[j]),
            naive_correlation=float(naive_corr[j]),
            true_correlation=float(true_corr[j]),
            crossfold_correlation=(
                None if cross_corr is None else _nan_to_none(float(cross_corr[j]))
            ),
            sign_agreement=float(sign_agreement[j]),
            n_both_significant=int(n_both[j]),
            correlation_at_size=float(at_size[j]),
            cv_correlation_at_size=float(cv[j]),
            wrong_sign_probability=wrong_sign_probability(float(score_corr[j])),
        )
        for j in order
    ]
    weights = {p: float(w[i + 1]) for i, p in enumerate(proxies)}
    recommendation = _recommend(rows, weights, north_star, n)
    return ProxyReport(
        north_star=north_star,
        proxies=proxies,
        n_experiments=k,
        n_dropped=int((~ok).sum()),
        units=n,
        alpha=alpha,
        noise_covariance=status,
        n_noise_measured=n_measured,
        assumed_noise_correlation=table.assumed_noise_correlation,
        composite_weights=weights,
        rows=rows,
        recommendation=recommendation,
        naive_covariance=_as_dict(names, naive),
        true_covariance=_as_dict(names, sigma),
        crossfold_covariance=None if cross is None else _as_dict(names, cross),
        warnings=warnings,
    )


def _recommend(rows: list[ProxyRow], weights: dict[str, float], north_star: str, n: float) -> str:
    best = rows[0]
    ns = next(r for r in rows if r.kind == "north_star")
    field = (
        "cv_correlation_at_size"
        if math.isfinite(best.cv_correlation_at_size)
        else ("correlation_at_size")
    )
    best_r = getattr(best, field)
    ns_r = getattr(ns, field)
    if not math.isfinite(best_r):
        return "no metric is informative about the north star's true effect in these experiments"
    what = best.metric
    if best.kind == "composite":
        parts = [f"{w:.2f} x {p}" for p, w in weights.items() if w > 0]
        what = "the composite " + " + ".join(parts)
    where = "out of sample" if field == "cv_correlation_at_size" else "in sample"
    if best.kind == "north_star":
        return (
            f"for tests of {n:,.0f} units, decide on the north star {north_star} itself: its "
            f"estimated effect correlates {best_r:.2f} with its true effect ({where}); "
            "no proxy does better"
        )
    return (
        f"for tests of {n:,.0f} units, use {what} as the decision metric: its estimated effect "
        f"correlates {best_r:.2f} with the true effect on {north_star} ({where}), against "
        f"{ns_r:.2f} for {north_star} itself; wrong-sign probability "
        f"{best.wrong_sign_probability:.1%}"
    )

"""Surrogate index: a treatment's long-term effect predicted from short-term metrics.

Athey, Chetty, Imbens, Kang, "The Surrogate Index: Combining Short-Term Proxies to Estimate
Long-Term Treatment Effects More Rapidly and Precisely" (NBER w26463, 2019). Fit
``E[long-term | surrogates, pre-treatment covariates]`` on a sample where the long-term outcome
is observed (here: the control group, by least squares with an intercept), predict this index for
every unit, and estimate the treatment's long-term effect as the difference of the index means of
the treatment and control groups. The interval is a percentile bootstrap that resamples units
within each group and refits the index each time. Where the long-term outcome is also observed
for the treatment group, the measured effect (Welch, normal interval) is reported beside it.

The index is valid when the surrogates capture the whole effect of the treatment on the
long-term outcome (surrogacy) and the relation is the same in both groups (comparability).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from proxymetric._progress import task
from proxymetric._result import Result
from proxymetric._validation import check_name, check_number
from proxymetric.errors import DataError, ProxymetricError

__all__ = ["SurrogateResult", "surrogate_index"]

FloatArray = NDArray[np.float64]
_CHUNK = 50


@dataclass(frozen=True)
class SurrogateResult(Result):
    """The long-term effect predicted by a surrogate index, next to the measured one.

    ``effect`` is the difference of the index means (treatment minus control) with a bootstrap
    standard error ``effect_se`` and percentile interval; ``coefficients`` are those of the
    index (``intercept`` first) fitted on the control group, with its ``r_squared``.
    ``observed_effect`` is the measured difference of long-term means (``None`` when the
    treatment group's long-term outcome is not observed) with a Welch normal interval.
    """

    long_term: str
    surrogates: list[str]
    covariates: list[str]
    treatment: str
    control: str
    control_units: int
    treatment_units: int
    coefficients: dict[str, float]
    r_squared: float
    control_index_mean: float
    treatment_index_mean: float
    effect: float
    effect_se: float
    effect_ci_lower: float
    effect_ci_upper: float
    observed_effect: float | None
    observed_effect_se: float | None
    observed_effect_ci_lower: float | None
    observed_effect_ci_upper: float | None
    confidence_level: float
    n_bootstrap: int


def _column(data: Mapping[str, Any], name: str, param: str) -> FloatArray:
    check_name(param, name, list(data.keys()), "columns")
    try:
        arr = np.asarray(data[name], dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"column {name!r} must be numeric (or boolean)") from None
    return arr


def _weights(rng: np.random.Generator, b: int, n: int) -> FloatArray:
    """Bootstrap resampling counts: ``b`` rows of multinomial(n, 1/n) counts."""
    idx = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)


def surrogate_index(
    data: Mapping[str, Any],
    *,
    long_term: str,
    surrogates: Sequence[str],
    group: str,
    treatment: Any,
    control: Any,
    covariates: Sequence[str] = (),
    n_bootstrap: int = 500,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> SurrogateResult:
    """Return the :class:`SurrogateResult` of ``treatment`` against ``control``.

    ``data`` maps column names to equal-length arrays (a dict, a pandas DataFrame); ``group``
    is the column holding each unit's variant. The index is fitted on the control units with an
    observed (non-NaN) ``long_term``; treatment units need only the surrogates and covariates.
    Units with a missing surrogate or covariate raise a :class:`DataError`.
    """
    surrogates = list(surrogates)
    covariates = list(covariates)
    if not surrogates:
        raise ProxymetricError("`surrogates` is empty; give at least one short-term metric")
    check_number("confidence_level", confidence_level, low=0, high=1)
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, int) or n_bootstrap < 50:
        raise ProxymetricError(f"`n_bootstrap` must be an integer >= 50; got {n_bootstrap!r}")
    check_name("group", group, list(data.keys()), "columns")
    groups = np.asarray(data[group])
    is_c = groups == control
    is_t = groups == treatment
    for value, mask, param in ((control, is_c, "control"), (treatment, is_t, "treatment")):
        if not mask.any():
            found = ", ".join(sorted({str(g) for g in groups.tolist()})[:10])
            raise DataError(f"`{param}` {value!r} has no units in column {group!r}; found: {found}")
    names = [*surrogates, *covariates]
    cols = [_column(data, s, "surrogates") for s in surrogates]
    cols += [_column(data, c, "covariates") for c in covariates]
    x = np.column_stack([np.ones(len(groups)), *cols])
    y = _column(data, long_term, "long_term")
    bad = ~np.all(np.isfinite(x), axis=1) & (is_c | is_t)
    if bad.any():
        raise DataError(
            f"{int(bad.sum())} units have a missing surrogate or covariate "
            f"({', '.join(names)}); fill or drop them first"
        )
    fit = is_c & np.isfinite(y)
    xc, yc, xt = x[fit], y[fit], x[is_t]
    p = x.shape[1]
    if fit.sum() <= p:
        raise DataError(
            f"the index needs more than {p} control units with an observed {long_term!r}; "
            f"found {int(fit.sum())}"
        )
    beta, *_ = np.linalg.lstsq(xc, yc, rcond=None)
    resid = yc - xc @ beta
    r2 = 1.0 - float(resid @ resid) / float(((yc - yc.mean()) ** 2).sum())
    mean_c = float(x[is_c].mean(axis=0) @ beta)
    mean_t = float(xt.mean(axis=0) @ beta)
    effect = mean_t - mean_c

    # Bootstrap: resample units within each group, refit on the resampled fit sample.
    rng = np.random.default_rng(seed)
    xc_all = x[is_c]
    in_fit = fit[is_c]
    boot = np.empty(n_bootstrap)
    with task("surrogate bootstrap rounds", n_bootstrap) as bar:
        for start in range(0, n_bootstrap, _CHUNK):
            b = min(_CHUNK, n_bootstrap - start)
            wc = _weights(rng, b, len(xc_all))
            wt = _weights(rng, b, len(xt))
            wf = wc[:, in_fit]
            xtx = np.einsum("bn,ni,nj->bij", wf, xc, xc, optimize=True)
            xty = wf @ (xc * yc[:, None])
            betas = np.linalg.solve(xtx, xty[:, :, None])[:, :, 0]
            diff = (wt @ xt) / len(xt) - (wc @ xc_all) / len(xc_all)
            boot[start : start + b] = np.einsum("bi,bi->b", diff, betas)
            bar.advance(b)
    tail = (1.0 - confidence_level) / 2.0
    lo, hi = np.quantile(boot, [tail, 1.0 - tail])

    yt = y[is_t]
    observed: list[float | None] = [None, None, None, None]
    yc_obs, yt_obs = y[is_c][np.isfinite(y[is_c])], yt[np.isfinite(yt)]
    if len(yt_obs) > 1 and len(yc_obs) > 1:
        diff_obs = float(yt_obs.mean() - yc_obs.mean())
        se = math.sqrt(yt_obs.var(ddof=1) / len(yt_obs) + yc_obs.var(ddof=1) / len(yc_obs))
        z = float(ndtri(1.0 - tail))
        observed = [diff_obs, se, diff_obs - z * se, diff_obs + z * se]
    return SurrogateResult(
        long_term=long_term,
        surrogates=surrogates,
        covariates=covariates,
        treatment=str(treatment),
        control=str(control),
        control_units=int(is_c.sum()),
        treatment_units=int(is_t.sum()),
        coefficients={"intercept": float(beta[0])}
        | {n: float(v) for n, v in zip(names, beta[1:], strict=True)},
        r_squared=r2,
        control_index_mean=mean_c,
        treatment_index_mean=mean_t,
        effect=effect,
        effect_se=float(boot.std(ddof=1)),
        effect_ci_lower=float(lo),
        effect_ci_upper=float(hi),
        observed_effect=observed[0],
        observed_effect_se=observed[1],
        observed_effect_ci_lower=observed[2],
        observed_effect_ci_upper=observed[3],
        confidence_level=confidence_level,
        n_bootstrap=n_bootstrap,
    )

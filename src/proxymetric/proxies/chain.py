"""The whole chain validated across launches: how well each level predicted the next.

A launch (a change on its way to production) is measured at several levels: an offline metric
delta, a blind or interleaving preference, the A/B effects on a feature metric and on the north
star, the long-term outcome. Across past launches ``k`` the estimate ``y_k`` of a level is its
true effect plus noise of known variance (its standard error squared), so the naive slope and
correlation between two levels are attenuated by that noise. :func:`validate_chain` corrects
them with the total-covariance estimator of Bibaut, Chou, Ejdemyr, Kallus (KDD 2024), the one
:func:`~proxymetric.proxies.validate_proxies` uses for A/B proxies: the covariance of the true
effects is the covariance of the estimates minus the average noise covariance.

Two levels measured in different experiments (an offline evaluation and an A/B test) have
independent noise; two metrics of the same A/B analysis share its units, and their noise
covariance is the one the analysis measured (``analyze --record`` keeps it), else the assumed
correlation.

For each link (a step and the step of the next level) the report gives the noise-corrected
slope and correlation of the true effects with BCa bootstrap intervals over launches,
and the probability that a decision on the sign of the lower level's estimate, at its typical
noise, has the wrong sign on the upper level's true effect: ``1/2 - arcsin(rho)/pi`` for the
correlation ``rho`` of that estimate with that true effect (Sheppard's formula, for zero-mean
normal effects). For each step it gives the same against the target (the top of the chain) and,
with the cost and duration of a decision at each level, which level to decide at.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr, ndtri

from proxymetric._result import Result
from proxymetric._validation import check_number
from proxymetric.errors import ProxymetricError
from proxymetric.proxies.covariance import wrong_sign_probability

if TYPE_CHECKING:
    from proxymetric.registry.store import LaunchResult, Registry

__all__ = [
    "ChainLink",
    "ChainReport",
    "ChainStep",
    "LaunchTable",
    "launch_table",
    "launch_table_from_registry",
    "simulate_launches",
    "validate_chain",
]

FloatArray = NDArray[np.float64]
MIN_LAUNCHES = 4

# The order of the levels, from the cheapest to the goal (registry.store.LEVELS).
_LEVELS = ("offline", "blind", "interleaving", "ab", "north_star", "long_term")

Recommendation = Literal["decide_at", "nothing_affordable", "no_information"]


@dataclass(frozen=True)
class LaunchTable:
    """Results of ``K`` launches at ``M`` steps (``level:metric``), oriented so that up is good.

    ``effects`` is ``(K, M)`` (NaN where a launch lacks the step), multiplied by -1 for a metric
    whose good direction is ``decrease``; ``noise_cov`` is ``(K, M, M)``, the noise covariance
    of those estimates (zero between steps measured in different experiments); ``units`` is
    ``(K, M)``. ``n_measured`` counts the pairs of steps of one analysis whose noise covariance
    was measured, ``n_assumed`` those where it was assumed (``assumed_noise_correlation``).
    """

    launches: list[str]
    steps: list[str]
    levels: list[str]
    effects: FloatArray
    noise_cov: FloatArray
    units: FloatArray
    assumed_noise_correlation: float
    n_measured: int = 0
    n_assumed: int = 0


def _step_order(level: str, metric: str) -> tuple[int, str]:
    return (_LEVELS.index(level), metric)


def launch_table(
    results: Sequence[LaunchResult],
    *,
    covariances: Mapping[int, Mapping[str, Mapping[str, Mapping[str, float]]]] | None = None,
    assumed_noise_correlation: float = 0.0,
) -> LaunchTable:
    """Return the :class:`LaunchTable` of launch results (the latest per launch and step).

    ``covariances[record_id][variant][a][b]`` are the measured noise covariances of the analysis
    records (as :attr:`~proxymetric.registry.Record.covariances`); two steps of the same record
    without one get ``assumed_noise_correlation * se_a * se_b``.
    """
    rho = check_number(
        "assumed_noise_correlation",
        assumed_noise_correlation,
        low=-1,
        high=1,
        low_inclusive=True,
        high_inclusive=True,
    )
    latest: dict[tuple[str, str, str], LaunchResult] = {}
    for r in results:
        if r.level not in _LEVELS:
            raise ProxymetricError(
                f"`level` must be one of {', '.join(_LEVELS)}; got {r.level!r} (launch "
                f"{r.launch!r})"
            )
        latest[(r.launch, r.level, r.metric)] = r  # the later one replaces an earlier one
    launches = sorted({k[0] for k in latest})
    pairs = sorted({(k[1], k[2]) for k in latest}, key=lambda lm: _step_order(*lm))
    steps = [f"{lv}:{m}" for lv, m in pairs]
    col = {lm: j for j, lm in enumerate(pairs)}
    row = {name: i for i, name in enumerate(launches)}
    k, m = len(launches), len(steps)
    y = np.full((k, m), np.nan)
    sd = np.full((k, m), np.nan)
    n = np.full((k, m), np.nan)
    sign = np.ones((k, m))
    record = np.full((k, m), -1, dtype=np.int64)
    by_cell: dict[tuple[int, int], LaunchResult] = {}
    for (launch, level, metric), r in latest.items():
        i, j = row[launch], col[(level, metric)]
        s = -1.0 if r.direction == "decrease" else 1.0
        sign[i, j] = s
        if r.effect is not None and r.effect_se is not None:
            y[i, j] = s * float(r.effect)
            sd[i, j] = float(r.effect_se)
        n[i, j] = np.nan if r.units is None else float(r.units)
        record[i, j] = -1 if r.record_id is None else int(r.record_id)
        by_cell[(i, j)] = r
    cov = np.zeros((k, m, m))
    diag = np.arange(m)
    cov[:, diag, diag] = sd**2
    n_measured = n_assumed = 0
    covs = covariances or {}
    for i in range(k):
        for a in range(m):
            for b in range(a + 1, m):
                rid = record[i, a]
                if rid < 0 or rid != record[i, b]:
                    continue  # different experiments: independent noise
                ra, rb = by_cell[(i, a)], by_cell[(i, b)]
                variant = str(ra.details.get("variant", ""))
                value = covs.get(int(rid), {}).get(variant, {}).get(ra.metric, {}).get(rb.metric)
                if value is not None and math.isfinite(value):
                    c = float(value)
                    n_measured += 1
                else:
                    c = rho * sd[i, a] * sd[i, b]
                    n_assumed += 1
                cov[i, a, b] = cov[i, b, a] = sign[i, a] * sign[i, b] * c
    return LaunchTable(
        launches=launches,
        steps=steps,
        levels=[lv for lv, _ in pairs],
        effects=y,
        noise_cov=cov,
        units=n,
        assumed_noise_correlation=rho,
        n_measured=n_measured,
        n_assumed=n_assumed,
    )


def launch_table_from_registry(
    registry: Registry, *, assumed_noise_correlation: float = 0.0
) -> LaunchTable:
    """Return the :class:`LaunchTable` of every launch recorded in ``registry``."""
    results = registry.launch_results()
    if not results:
        raise ProxymetricError(
            f"the registry {registry.url!r} holds no launch results; record them with "
            "`--launch NAME` on `offline`, `pairwise analyze`, `interleave analyze` and "
            "`analyze`, or import them with `proxymetric registry import FILE --source launches`"
        )
    ids = sorted({r.record_id for r in results if r.record_id is not None})
    covariances = {i: registry.get(i).covariances for i in ids}
    return launch_table(
        results, covariances=covariances, assumed_noise_correlation=assumed_noise_correlation
    )


@dataclass(frozen=True)
class ChainLink(Result):
    """How well ``lower_step`` predicted ``upper_step`` (a step of the next level), over launches.

    Over the ``n_launches`` launches with both: ``naive_slope``/``naive_correlation`` of the
    estimates; ``true_slope``/``true_correlation`` of the true effects (noise-corrected), with
    BCa bootstrap intervals over launches; ``reliability``, the share of the lower
    step's variance across launches that is true effect, not noise; ``correlation_at_size``,
    the correlation of the lower step's estimate (at its average noise) with the upper step's
    true effect, and ``wrong_sign_probability`` the chance that the sign of that estimate is
    not the sign of the upper true effect. NaN where the launches do not tell (fewer than 4,
    or no detectable true-effect variance).
    """

    lower_step: str
    upper_step: str
    n_launches: int
    naive_slope: float
    true_slope: float
    true_slope_ci_lower: float
    true_slope_ci_upper: float
    naive_correlation: float
    true_correlation: float
    true_correlation_ci_lower: float
    true_correlation_ci_upper: float
    reliability: float
    correlation_at_size: float
    wrong_sign_probability: float


@dataclass(frozen=True)
class ChainStep(Result):
    """One step of the chain as a decision point for the ``target`` (the top of the chain).

    ``correlation_with_target``: correlation of the step's estimate (at its average noise) with
    the target's true effect over the ``n_launches`` launches with both (for the target itself,
    the correlation of its estimate with its own true effect); ``wrong_sign_probability`` the
    chance a decision on the step's sign is wrong on the target. ``cost`` and ``duration_days``
    are what one decision there costs and takes (None when not declared); ``affordable`` is
    whether they fit the budget and the time (None without a budget or a time limit).
    """

    step: str
    level: str
    metric: str
    n_launches: int
    reliability: float
    correlation_with_target: float
    wrong_sign_probability: float
    cost: float | None
    duration_days: float | None
    affordable: bool | None


@dataclass(frozen=True)
class ChainReport(Result):
    """The chain of ``steps`` validated over ``n_launches`` launches, for ``target``.

    ``links`` pairs each step with every step of the next level present; ``rows`` are the steps
    as decision points for the target, sorted by ``wrong_sign_probability``. ``recommendation``
    is ``decide_at`` (``recommended_step`` is the affordable step least likely to get the
    target's sign wrong), ``nothing_affordable`` (no step fits ``budget`` and ``max_days``) or
    ``no_information`` (no step's relation to the target could be estimated).
    ``noise_covariance`` says where the noise covariance between steps of one analysis came
    from: ``independent`` (no two steps share an experiment), ``measured``, ``assumed`` or
    ``mixed``.
    """

    target: str
    steps: list[str]
    n_launches: int
    links: list[ChainLink]
    rows: list[ChainStep]
    budget: float | None
    max_days: float | None
    recommendation: Recommendation
    recommended_step: str | None
    noise_covariance: Literal["independent", "measured", "assumed", "mixed"]
    assumed_noise_correlation: float
    confidence_level: float
    n_bootstrap: int
    warnings: list[str]


def _cov2(
    y: FloatArray, s: FloatArray, counts: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Naive and noise-corrected covariances of two steps, and the mean noise variance of the
    first, for samples of the launches given by ``counts``.

    ``y`` is ``(k, 2)``, ``s`` is ``(k, 2, 2)``, ``counts`` is ``(B, k)``: how many times each
    launch is in each sample (all ones: the launches themselves; multinomial: the bootstrap;
    one zero: the jackknife).
    Returns ``(B, 2, 2)``, ``(B, 2, 2)`` and ``(B,)``. The corrected covariance is the sample
    covariance minus the mean noise covariance (the equal-weight total-covariance estimator,
    :func:`~proxymetric.proxies.total_covariance`).
    """
    k = y.shape[0]
    size = counts.sum(axis=1)
    mean = counts @ y / size[:, None]
    second = (counts @ (y[:, :, None] * y[:, None, :]).reshape(k, 4) / size[:, None]).reshape(
        -1, 2, 2
    )
    naive = (second - mean[:, :, None] * mean[:, None, :]) * (size / (size - 1))[:, None, None]
    noise = (counts @ s.reshape(k, 4) / size[:, None]).reshape(-1, 2, 2)
    return naive, naive - noise, noise[:, 0, 0]


def _link_stats(naive: FloatArray, true: FloatArray, noise_lower: FloatArray) -> FloatArray:
    """Per sample: naive slope, true slope, naive corr, true corr, reliability, corr at size."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t00, t01, t11 = true[:, 0, 0], true[:, 0, 1], true[:, 1, 1]
        n00, n01, n11 = naive[:, 0, 0], naive[:, 0, 1], naive[:, 1, 1]
        ok0, ok1 = t00 > 0, t11 > 0
        true_slope = np.where(ok0, t01 / np.where(ok0, t00, 1.0), np.nan)
        true_corr = np.where(ok0 & ok1, t01 / np.sqrt(np.abs(t00 * t11)), np.nan)
        naive_slope = np.where(n00 > 0, n01 / n00, np.nan)
        naive_corr = np.where((n00 > 0) & (n11 > 0), n01 / np.sqrt(np.abs(n00 * n11)), np.nan)
        total0 = np.maximum(t00, 0.0) + noise_lower
        reliability = np.where(total0 > 0, np.maximum(t00, 0.0) / total0, np.nan)
        at_size = np.where(ok1 & (total0 > 0), t01 / np.sqrt(np.abs(total0 * t11)), np.nan)
    return np.stack(
        [
            naive_slope,
            true_slope,
            np.clip(naive_corr, -1, 1),
            np.clip(true_corr, -1, 1),
            reliability,
            np.clip(at_size, -1, 1),
        ]
    )


def _pair(
    table: LaunchTable,
    a: int,
    b: int,
    n_bootstrap: int,
    confidence_level: float,
    rng: np.random.Generator,
) -> tuple[int, FloatArray, FloatArray, FloatArray]:
    """Return (launches, stats, lower bounds, upper bounds) of steps ``a`` and ``b``."""
    cols = [a, b]
    y = table.effects[:, cols]
    s = table.noise_cov[:, cols][:, :, cols]
    ok = np.all(np.isfinite(y), axis=1) & np.all(np.isfinite(s), axis=(1, 2))
    k = int(ok.sum())
    nan = np.full(6, np.nan)
    if k < MIN_LAUNCHES:
        return k, nan, nan.copy(), nan.copy()
    y, s = y[ok], s[ok]
    stats = _link_stats(*_cov2(y, s, np.ones((1, k))))[:, 0]
    lo, hi = nan.copy(), nan.copy()
    if n_bootstrap > 0:
        idx = rng.integers(0, k, size=(n_bootstrap, k)) + k * np.arange(n_bootstrap)[:, None]
        counts = (
            np.bincount(idx.ravel(), minlength=n_bootstrap * k)
            .reshape(n_bootstrap, k)
            .astype(np.float64)
        )
        boot = _link_stats(*_cov2(y, s, counts))
        jack = np.hstack([_link_stats(*_cov2(y, s, _leave_out(k, c))) for c in _chunks(k)])
        for q in (1, 3):  # the true slope and the true correlation
            v = boot[q][np.isfinite(boot[q])]
            if len(v) >= n_bootstrap / 2 and np.all(np.isfinite(jack[q])):
                lo[q], hi[q] = _bca(v, float(stats[q]), jack[q], confidence_level)
    return k, stats, lo, hi


def _chunks(k: int, size: int = 512) -> list[NDArray[np.intp]]:
    """The launches in groups of ``size``, so that the jackknife never holds a ``k x k`` array."""
    return np.array_split(np.arange(k), max(1, math.ceil(k / size)))


def _leave_out(k: int, rows: NDArray[np.intp]) -> FloatArray:
    """Jackknife counts: one sample per launch of ``rows``, every launch once but that one."""
    counts = np.ones((len(rows), k))
    counts[np.arange(len(rows)), rows] = 0.0
    return counts


def _bca(boot: FloatArray, estimate: float, jack: FloatArray, level: float) -> tuple[float, float]:
    """Return the bias-corrected and accelerated (BCa) bootstrap interval (Efron 1987).

    The bias correction ``z0`` comes from the share of bootstrap estimates below ``estimate``,
    the acceleration from the skewness of the jackknife (leave-one-launch-out) estimates.
    """
    share = (np.sum(boot < estimate) + 0.5 * np.sum(boot == estimate)) / len(boot)
    z0 = float(ndtri(min(max(share, 0.5 / len(boot)), 1.0 - 0.5 / len(boot))))
    d = jack.mean() - jack
    den = 6.0 * float(np.sum(d**2)) ** 1.5
    accel = float(np.sum(d**3)) / den if den > 0 else 0.0
    z = ndtri(np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0]))
    adjusted = ndtr(z0 + (z0 + z) / (1.0 - accel * (z0 + z)))
    lower, upper = np.quantile(boot, adjusted)
    return float(lower), float(upper)


def _costs(name: str, values: Mapping[str, float] | None, steps: Sequence[str]) -> dict[str, float]:
    """Costs or durations by step, given by step (``level:metric``) or by level."""
    out: dict[str, float] = {}
    for key, value in (values or {}).items():
        matches = [s for s in steps if s == key or s.split(":", 1)[0] == key]
        if not matches:
            raise ProxymetricError(
                f"`{name}` names {key!r}, which is no step or level of the chain; steps: "
                f"{', '.join(steps)}"
            )
        v = check_number(name, value, low=0, low_inclusive=True)
        for s in matches:
            out[s] = v
    return out


def validate_chain(
    table: LaunchTable,
    *,
    target: str | None = None,
    costs: Mapping[str, float] | None = None,
    durations: Mapping[str, float] | None = None,
    budget: float | None = None,
    max_days: float | None = None,
    n_bootstrap: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> ChainReport:
    """Return the :class:`ChainReport` of a launch table: links, decision points, where to decide.

    ``target`` is the step the decisions are for (``level:metric``, or a level with one step;
    default: the step of the highest level, which must be alone there). ``costs`` and
    ``durations`` (days) of one decision are given by step or by level; a step fits when its
    cost is at most ``budget`` and its duration at most ``max_days`` (a step whose cost or
    duration is not declared does not fit a budget or a time limit that is given).
    """
    if not table.steps:
        raise ProxymetricError("the launch table is empty: no launch results to validate")
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, int) or n_bootstrap < 0:
        raise ProxymetricError(f"`n_bootstrap` must be a whole number >= 0; got {n_bootstrap!r}")
    check_number("confidence_level", confidence_level, low=0, high=1)
    if budget is not None:
        check_number("budget", budget, low=0, low_inclusive=True)
    if max_days is not None:
        check_number("max_days", max_days, low=0, low_inclusive=True)
    steps = table.steps
    if target is None:
        top = [s for s, lv in zip(steps, table.levels, strict=True) if lv == table.levels[-1]]
        if len(top) != 1:
            raise ProxymetricError(
                f"`target` must be given: the top level {table.levels[-1]!r} has "
                f"{len(top)} steps ({', '.join(top)})"
            )
        target = top[0]
    else:
        matches = [s for s in steps if s == target or s.split(":", 1)[0] == target]
        if len(matches) != 1:
            raise ProxymetricError(
                f"`target` must be one step of the chain (level:metric); got {target!r}; "
                f"steps: {', '.join(steps)}"
            )
        target = matches[0]
    cost = _costs("costs", costs, steps)
    duration = _costs("durations", durations, steps)
    rng = np.random.default_rng(seed)
    warnings: list[str] = []
    # Links: every step with every step of the next level present.
    present = sorted(set(table.levels), key=_LEVELS.index)
    links = []
    for lower_level, upper_level in itertools.pairwise(present):
        for a in (j for j, lv in enumerate(table.levels) if lv == lower_level):
            for b in (j for j, lv in enumerate(table.levels) if lv == upper_level):
                k, st, lo, hi = _pair(table, a, b, n_bootstrap, confidence_level, rng)
                links.append(
                    ChainLink(
                        lower_step=steps[a],
                        upper_step=steps[b],
                        n_launches=k,
                        naive_slope=float(st[0]),
                        true_slope=float(st[1]),
                        true_slope_ci_lower=float(lo[1]),
                        true_slope_ci_upper=float(hi[1]),
                        naive_correlation=float(st[2]),
                        true_correlation=float(st[3]),
                        true_correlation_ci_lower=float(lo[3]),
                        true_correlation_ci_upper=float(hi[3]),
                        reliability=float(st[4]),
                        correlation_at_size=float(st[5]),
                        wrong_sign_probability=wrong_sign_probability(float(st[5])),
                    )
                )
                if k < MIN_LAUNCHES:
                    warnings.append(
                        f"{steps[a]} -> {steps[b]}: only {k} launches with both "
                        f"(needs {MIN_LAUNCHES})"
                    )
    # Decision points: every step against the target.
    t = steps.index(target)
    rows = []
    for j, step in enumerate(steps):
        if j == t:
            y = table.effects[:, t]
            s = table.noise_cov[:, t, t]
            ok = np.isfinite(y) & np.isfinite(s)
            k = int(ok.sum())
            if k >= MIN_LAUNCHES:
                var = float(np.var(y[ok], ddof=1) - s[ok].mean())
                rel = max(var, 0.0) / (max(var, 0.0) + float(s[ok].mean()))
                corr = math.sqrt(rel) if var > 0 else math.nan
            else:
                rel = corr = math.nan
        else:
            k, st, _, _ = _pair(table, j, t, 0, confidence_level, rng)
            rel, corr = float(st[4]), float(st[5])
        c, d = cost.get(step), duration.get(step)
        fits: bool | None = None
        if budget is not None or max_days is not None:
            fits = (budget is None or (c is not None and c <= budget)) and (
                max_days is None or (d is not None and d <= max_days)
            )
        level, metric = step.split(":", 1)
        rows.append(
            ChainStep(
                step=step,
                level=level,
                metric=metric,
                n_launches=k,
                reliability=rel,
                correlation_with_target=corr,
                wrong_sign_probability=wrong_sign_probability(corr),
                cost=c,
                duration_days=d,
                affordable=fits,
            )
        )
    rows.sort(key=lambda r: (not math.isfinite(r.wrong_sign_probability), r.wrong_sign_probability))
    informative = [r for r in rows if math.isfinite(r.wrong_sign_probability)]
    fitting = [r for r in informative if r.affordable is not False]
    recommendation: Recommendation
    if not informative:
        recommendation, chosen = "no_information", None
    elif not fitting:
        recommendation, chosen = "nothing_affordable", None
    else:
        recommendation, chosen = "decide_at", fitting[0].step
    if table.n_measured and table.n_assumed:
        status: Literal["independent", "measured", "assumed", "mixed"] = "mixed"
    elif table.n_measured:
        status = "measured"
    elif table.n_assumed:
        status = "assumed"
        warnings.append(
            f"the noise covariance between metrics of one A/B analysis is assumed (correlation "
            f"{table.assumed_noise_correlation:g}) for {table.n_assumed} pairs: record the "
            "analyses with `analyze --record --launch` to measure it"
        )
    else:
        status = "independent"
    return ChainReport(
        target=target,
        steps=list(steps),
        n_launches=len(table.launches),
        links=links,
        rows=rows,
        budget=budget,
        max_days=max_days,
        recommendation=recommendation,
        recommended_step=chosen,
        noise_covariance=status,
        assumed_noise_correlation=table.assumed_noise_correlation,
        confidence_level=confidence_level,
        n_bootstrap=n_bootstrap,
        warnings=warnings,
    )


@dataclass(frozen=True)
class SimulatedLaunches:
    """Launches simulated with known truth: ``results`` and ``covariances`` feed
    :func:`launch_table`; ``true_effects`` is ``(K, L)``, one column per level of ``levels``."""

    levels: list[str]
    results: list[LaunchResult]
    covariances: dict[int, dict[str, dict[str, dict[str, float]]]]
    true_effects: FloatArray
    estimates: FloatArray


def simulate_launches(
    n_launches: int,
    *,
    levels: Sequence[str] = ("offline", "ab", "north_star"),
    true_sd: Sequence[float] = (1.0, 1.0, 1.0),
    correlations: Sequence[float] = (0.4, 0.8),
    noise_se: Sequence[float] = (1.0, 1.0, 1.0),
    noise_correlation: float = 0.0,
    seed: int = 0,
) -> SimulatedLaunches:
    """Simulate ``n_launches`` launches, each measured once at every level, with known truth.

    The true effects form a chain: level ``l + 1`` is ``correlations[l]`` times level ``l``
    (standardised) plus independent normal variation, scaled to ``true_sd[l]``, so adjacent
    levels have true correlation ``correlations[l]`` and all effects are zero-mean normal. Each
    estimate adds normal noise of standard deviation ``noise_se[l]``, independent between levels
    except ``ab`` and ``north_star``, measured on the same units with noise correlation
    ``noise_correlation`` (recorded as the measured covariance of one analysis record).
    """
    from proxymetric.registry.store import LaunchResult

    m = len(levels)
    if not (len(true_sd) == len(noise_se) == m and len(correlations) == m - 1):
        raise ProxymetricError(
            "`true_sd` and `noise_se` need one value per level and `correlations` one per link; "
            f"got {len(true_sd)}, {len(noise_se)} and {len(correlations)} for {m} levels"
        )
    for lv in levels:
        if lv not in _LEVELS:
            raise ProxymetricError(f"`levels` must be among {', '.join(_LEVELS)}; got {lv!r}")
    rng = np.random.default_rng(seed)
    z = np.empty((n_launches, m))
    z[:, 0] = rng.standard_normal(n_launches)
    for j, r in enumerate(correlations, start=1):
        z[:, j] = r * z[:, j - 1] + math.sqrt(1.0 - r * r) * rng.standard_normal(n_launches)
    tau = z * np.asarray(true_sd, dtype=np.float64)
    se = np.asarray(noise_se, dtype=np.float64)
    noise_cov = np.diag(se**2)
    shared = [j for j, lv in enumerate(levels) if lv in ("ab", "north_star")]
    if len(shared) == 2:
        a, b = shared
        noise_cov[a, b] = noise_cov[b, a] = noise_correlation * se[a] * se[b]
    noise = rng.multivariate_normal(np.zeros(m), noise_cov, size=n_launches)
    y = tau + noise
    results: list[LaunchResult] = []
    covariances: dict[int, dict[str, dict[str, dict[str, float]]]] = {}
    for i in range(n_launches):
        rid = i + 1
        if len(shared) == 2:
            names = [f"{levels[j]}_metric" for j in shared]
            covariances[rid] = {
                "treatment": {
                    names[p]: {names[q]: float(noise_cov[shared[p], shared[q]]) for q in (0, 1)}
                    for p in (0, 1)
                }
            }
        for j, lv in enumerate(levels):
            results.append(
                LaunchResult(
                    id=len(results) + 1,
                    launch=f"launch_{i:04d}",
                    level=lv,
                    metric=f"{lv}_metric",
                    effect=float(y[i, j]),
                    effect_se=float(se[j]),
                    direction="increase",
                    units=None,
                    comparison=None,
                    command="python",
                    record_id=rid if j in shared and len(shared) == 2 else None,
                    created_at="",
                    details={"variant": "treatment"},
                )
            )
    return SimulatedLaunches(
        levels=list(levels),
        results=results,
        covariances=covariances,
        true_effects=tau,
        estimates=y,
    )

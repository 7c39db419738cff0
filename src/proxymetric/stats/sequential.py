"""Sequential tests: always-valid p-values, confidence sequences, group-sequential boundaries.

Mixture SPRT (mSPRT)
--------------------
For the difference in means ``effect = mean_t - mean_c`` with Welch-style variance
``V = var_t / n_t + var_c / n_c`` and a normal mixing distribution ``N(null, tau2)`` over the true
effect, the mixture likelihood ratio against ``H0: effect == null`` is (Johari, Koomen, Pekelis,
Walsh, "Peeking at A/B tests", KDD 2017; Johari, Pekelis, Walsh, "Always valid inference", 2015)::

    Lambda = sqrt(V / (V + tau2)) * exp(tau2 * (effect - null)^2 / (2 V (V + tau2)))

Under H0 ``Lambda`` is a nonnegative martingale in the looks, so by Ville's inequality the
probability that it ever exceeds ``1 / alpha`` is at most ``alpha``. The always-valid p-value is
``p_k = min(p_{k-1}, 1 / Lambda_k)``: a test may be looked at after every batch of data and
stopped the first time ``p_k <= alpha`` without inflating the false positive rate. Inverting the
test gives the confidence sequence (Howard, Ramdas, McAuliffe, Sekhon, "Time-uniform, nonparametric,
nonasymptotic confidence sequences", Annals of Statistics 2021, normal mixture)::

    effect +- sqrt(2 V (V + tau2) / tau2 * (log(1 / alpha) + log((V + tau2) / V) / 2))

intersected over the looks, which covers the true effect at every look at once with probability
at least ``1 - alpha``. Variances are estimated (plug-in), which is accurate once each arm has a
few hundred units.

The mixing variance ``tau2`` (in squared units of the effect) tunes where the test is most
sensitive: :func:`tuned_mixing_variance` returns the ``tau2`` that makes the confidence sequence
narrowest at a chosen variance of the effect (that is, at a planned sample size). Fix it before
the test starts; by default :func:`sequential_test` tunes it to the variance at the last look
given, which is the right choice when the looks are the whole planned test.

Group-sequential boundaries
---------------------------
For a planned number of looks, :func:`group_sequential_boundaries` computes the z boundaries of
the Lan-DeMets O'Brien-Fleming-type alpha-spending function ``a(t) = 2 - 2 Phi(z_{1-a/2} /
sqrt(t))`` (Lan and DeMets, Biometrika 1983) at information fractions ``t``, spent on each side
(``a = alpha / 2`` per side for a two-sided test, as in gsDesign and rpact), by recursive
numerical integration of the Brownian motion of the score statistic (Armitage, McPherson and
Rowe, JRSS A 1969; Jennison and Turnbull, "Group sequential methods", 2000, ch. 19).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from proxymetric._result import Result
from proxymetric._validation import check_choice, check_number
from proxymetric.errors import ProxymetricError

__all__ = [
    "GroupSequentialLook",
    "GroupSequentialResult",
    "LookStatus",
    "SequentialLook",
    "SequentialResult",
    "StoppingRule",
    "always_valid_pvalues",
    "confidence_sequence",
    "group_sequential_boundaries",
    "obrien_fleming_spending",
    "sequential_test",
    "tuned_mixing_variance",
]

Alternative = Literal["two-sided", "greater"]
FloatArray = NDArray[np.float64]

# Grid of the numerical integration for group-sequential boundaries (points per unit of sd).
_GRID_PER_SD = 32
_GRID_SDS = 10.0


def tuned_mixing_variance(variance: float, alpha: float = 0.05) -> float:
    """Return the mixing variance ``tau2`` whose confidence sequence is narrowest at ``variance``.

    ``variance`` is the variance of the effect estimate at the look where the test should be
    most sensitive (``var_t / n_t + var_c / n_c`` at the planned sample). The half-width is
    ``sqrt(2 V (1 + 1/x) (log(1/alpha) + log(1 + x) / 2))`` with ``x = tau2 / V``; the ``x``
    that minimises it depends only on ``alpha`` (about 8.2 at ``alpha = 0.05``).

    >>> round(tuned_mixing_variance(1.0, 0.05), 2)
    8.21
    """
    check_number("variance", variance, low=0)
    check_number("alpha", alpha, low=0, high=1)
    log_inv_alpha = -math.log(alpha)

    def width2(log_x: float) -> float:
        x = math.exp(log_x)
        return (1.0 + 1.0 / x) * (log_inv_alpha + 0.5 * math.log1p(x))

    best = optimize.minimize_scalar(width2, bounds=(-10.0, 15.0), method="bounded")
    return float(math.exp(best.x) * variance)


def _log_lambda(diff: FloatArray, variance: FloatArray, tau2: float) -> FloatArray:
    return np.asarray(
        0.5 * np.log(variance / (variance + tau2))
        + tau2 * diff**2 / (2.0 * variance * (variance + tau2)),
        dtype=np.float64,
    )


def always_valid_pvalues(
    effect: ArrayLike, variance: ArrayLike, mixing_variance: float, null: float = 0.0
) -> FloatArray:
    """Return the mSPRT always-valid p-values of a sequence of looks (Johari et al., KDD 2017).

    ``effect`` and ``variance`` (the variance of the effect estimate) hold one value per look
    along the last axis; leading axes are independent experiments (for simulations). Returns
    ``min over looks so far of min(1, 1 / Lambda)``, non-increasing along the last axis.

    >>> always_valid_pvalues([0.0, 0.5, 0.1], [1.0, 0.04, 0.02], mixing_variance=0.1).round(4)
    array([1.    , 0.2007, 0.2007])
    """
    check_number("mixing_variance", mixing_variance, low=0)
    diff = np.asarray(effect, dtype=np.float64) - null
    var = np.asarray(variance, dtype=np.float64)
    p = np.minimum(1.0, np.exp(-_log_lambda(diff, var, mixing_variance)))
    return np.asarray(np.minimum.accumulate(p, axis=-1), dtype=np.float64)


def confidence_sequence(
    effect: ArrayLike, variance: ArrayLike, mixing_variance: float, alpha: float = 0.05
) -> tuple[FloatArray, FloatArray]:
    """Return the lower and upper bounds of the normal-mixture confidence sequence per look.

    Inverts the mSPRT (Howard et al., Annals of Statistics 2021): the set of ``null`` values with
    ``Lambda < 1 / alpha``, intersected over the looks so far, so the bounds are nested. Looks
    are along the last axis.

    >>> lo, hi = confidence_sequence([0.3, 0.2], [0.04, 0.01], mixing_variance=0.1)
    >>> lo.round(4), hi.round(4)
    (array([-0.3369, -0.1038]), array([0.9369, 0.5038]))
    """
    check_number("mixing_variance", mixing_variance, low=0)
    check_number("alpha", alpha, low=0, high=1)
    est = np.asarray(effect, dtype=np.float64)
    var = np.asarray(variance, dtype=np.float64)
    tau2 = mixing_variance
    half = np.sqrt(
        2.0 * var * (var + tau2) / tau2 * (-math.log(alpha) + 0.5 * np.log((var + tau2) / var))
    )
    lower = np.maximum.accumulate(est - half, axis=-1)
    upper = np.minimum.accumulate(est + half, axis=-1)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def obrien_fleming_spending(information_fraction: ArrayLike, alpha: float = 0.05) -> FloatArray:
    """Return the cumulative alpha spent at each information fraction (Lan and DeMets, 1983).

    ``alpha(t) = 2 - 2 Phi(z_{1 - alpha/2} / sqrt(t))``, the O'Brien-Fleming-type spending
    function; ``alpha(1) = alpha``.

    >>> obrien_fleming_spending([0.5, 1.0]).round(5)
    array([0.00557, 0.05   ])
    """
    t = np.asarray(information_fraction, dtype=np.float64)
    z = -special.ndtri(alpha / 2.0)
    return np.asarray(2.0 * special.ndtr(-z / np.sqrt(t)), dtype=np.float64)


@dataclasses.dataclass(frozen=True)
class GroupSequentialLook(Result):
    """One planned look: the z boundary and the alpha spent there and so far."""

    look: int
    information_fraction: float
    alpha_spent: float
    cumulative_alpha_spent: float
    z_boundary: float
    pvalue_boundary: float


@dataclasses.dataclass(frozen=True)
class GroupSequentialResult(Result):
    """O'Brien-Fleming-type alpha-spending boundaries for a planned sequence of looks.

    Reject at look ``k`` when ``|z_k| >= z_boundary`` (two-sided) or ``z_k >= z_boundary``
    (``"greater"``); equivalently when the nominal fixed-horizon p-value is at most
    ``pvalue_boundary``.
    """

    alpha: float
    alternative: str
    spending: str
    looks: tuple[GroupSequentialLook, ...]


def _crossing(
    grid: FloatArray, weights: FloatArray, s_next: float, dt: float, *, two_sided: bool
) -> float:
    """Probability of crossing ``+-s_next`` on the score scale at the next look from ``grid``."""
    sd = math.sqrt(dt)
    upper = special.ndtr((grid - s_next) / sd)
    if two_sided:
        upper = upper + special.ndtr((-s_next - grid) / sd)
    return float(weights @ upper)


def group_sequential_boundaries(
    information_fractions: Sequence[float],
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
) -> GroupSequentialResult:
    """Return the Lan-DeMets O'Brien-Fleming-type boundaries at the given information fractions.

    ``information_fractions`` are the fractions of the planned sample (or information) at each
    look, strictly increasing in ``(0, 1]``; the final look is at 1 when the test runs to its
    end. Each look spends ``alpha(t_k) - alpha(t_{k-1})``; the boundary is the z value at which
    the probability of a first crossing at that look under H0 equals the alpha spent, computed
    by recursive numerical integration (Jennison and Turnbull 2000, ch. 19).

    Returns a :class:`GroupSequentialResult`.

    >>> r = group_sequential_boundaries([0.2, 0.4, 0.6, 0.8, 1.0])
    >>> [round(look.z_boundary, 3) for look in r.looks]
    [4.877, 3.357, 2.68, 2.29, 2.031]
    """
    check_number("alpha", alpha, low=0, high=1)
    check_choice("alternative", alternative, ("two-sided", "greater"))
    t = np.asarray(information_fractions, dtype=np.float64)
    if t.ndim != 1 or t.size == 0:
        raise ProxymetricError("`information_fractions` must be a non-empty list of numbers")
    if not np.all(np.isfinite(t)) or t[0] <= 0 or t[-1] > 1 or np.any(np.diff(t) <= 0):
        raise ProxymetricError(
            "`information_fractions` must be strictly increasing within (0, 1]; "
            f"got {[float(x) for x in t]}"
        )
    two_sided = alternative == "two-sided"
    # Each side spends its own share (alpha / 2 for a two-sided test), as gsDesign, rpact and
    # ldbounds do; a two-sided test at alpha has the boundaries of a one-sided test at alpha / 2.
    if two_sided:
        cumulative = 2.0 * obrien_fleming_spending(t, alpha / 2.0)
    else:
        cumulative = obrien_fleming_spending(t, alpha)
    increments = np.diff(cumulative, prepend=0.0)

    looks: list[GroupSequentialLook] = []
    grid = np.zeros(1)
    weights = np.ones(1)  # the score starts at 0 with probability one
    t_prev = 0.0
    for k, (tk, inc) in enumerate(zip(t, increments, strict=True)):
        dt = tk - t_prev
        target = float(inc)

        def excess(
            s: float,
            grid: FloatArray = grid,
            weights: FloatArray = weights,
            dt: float = dt,
            target: float = target,
        ) -> float:
            return _crossing(grid, weights, s, dt, two_sided=two_sided) - target

        high = (_GRID_SDS + 30.0) * math.sqrt(tk)
        low = 1e-9
        if excess(high) >= 0:
            s_bound = high
        else:
            s_bound = float(optimize.brentq(excess, low, high, xtol=1e-12, rtol=1e-13))
        z = s_bound / math.sqrt(tk)
        looks.append(
            GroupSequentialLook(
                look=k + 1,
                information_fraction=float(tk),
                alpha_spent=target,
                cumulative_alpha_spent=float(cumulative[k]),
                z_boundary=z,
                pvalue_boundary=float(special.ndtr(-z) * (2.0 if two_sided else 1.0)),
            )
        )
        # Sub-density of the score on the continuation region at this look (trapezoid rule).
        lower_s = -s_bound if two_sided else -_GRID_SDS * math.sqrt(tk)
        points = min(max(int(_GRID_PER_SD * (s_bound - lower_s) / math.sqrt(dt)), 200), 3000)
        new_grid = np.linspace(lower_s, s_bound, points + 1)
        h = new_grid[1] - new_grid[0]
        sd = math.sqrt(dt)
        kernel = np.exp(-0.5 * ((new_grid[:, None] - grid[None, :]) / sd) ** 2)
        density = kernel @ weights / (sd * math.sqrt(2.0 * math.pi))
        trap = np.full(new_grid.size, h)
        trap[[0, -1]] = h / 2.0
        grid, weights = new_grid, density * trap
        t_prev = float(tk)
    return GroupSequentialResult(
        alpha=float(alpha),
        alternative=alternative,
        spending="obrien-fleming",
        looks=tuple(looks),
    )


LookStatus = Literal[
    "keep_running",
    "always_valid_significant",
    "boundary_crossed",
    "planned_sample_reached",
    "empty_sequence",
]
StoppingRule = Literal["always_valid", "group_sequential"]


@dataclasses.dataclass(frozen=True)
class SequentialLook(Result):
    """One look at a running test.

    ``pvalue`` is the always-valid p-value and ``effect_ci_lower``/``effect_ci_upper`` the
    confidence sequence (valid at every look at once); ``fixed_pvalue`` is the naive
    fixed-horizon Welch z-test p-value, shown only for contrast (it is not valid under
    peeking). ``gs_*`` fields are set when a planned sample is given: the information fraction,
    the O'Brien-Fleming-type z boundary and whether the z statistic crosses it. ``status`` says
    what the look shows: ``always_valid_significant`` (the always-valid p-value is at most
    alpha), ``boundary_crossed`` (the group-sequential boundary is crossed),
    ``planned_sample_reached`` (with nothing significant), ``empty_sequence`` (the confidence
    sequence is empty: the looks contradict a constant effect, so check the data) or
    ``keep_running``. ``could_stop`` applies ONE stopping rule, the result's ``stopping_rule``:
    the always-valid p-value, or the group-sequential boundary; the other is shown, never mixed
    in.
    """

    look: int
    control_units: float
    treatment_units: float
    control_mean: float
    treatment_mean: float
    effect: float
    effect_se: float
    zstat: float
    fixed_pvalue: float
    pvalue: float
    effect_ci_lower: float
    effect_ci_upper: float
    information_fraction: float
    gs_z_boundary: float
    gs_reject: bool
    status: LookStatus
    could_stop: bool


@dataclasses.dataclass(frozen=True)
class SequentialResult(Result):
    """The always-valid analysis of every look of a test, and the first look it could stop
    under ``stopping_rule``."""

    alpha: float
    mixing_variance: float
    planned_units: float
    stopping_rule: StoppingRule
    stop_look: int
    looks: tuple[SequentialLook, ...]


def _as_looks(name: str, values: ArrayLike, size: int | None) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ProxymetricError(f"`{name}` must be a non-empty list with one value per look")
    if size is not None and arr.size != size:
        raise ProxymetricError(
            f"`{name}` has {arr.size} looks, `n_control` has {size}; give one value per look"
        )
    if not np.all(np.isfinite(arr)):
        raise ProxymetricError(f"`{name}` must be finite numbers; got {arr.tolist()}")
    return arr


def sequential_test(
    n_control: ArrayLike,
    mean_control: ArrayLike,
    var_control: ArrayLike,
    n_treatment: ArrayLike,
    mean_treatment: ArrayLike,
    var_treatment: ArrayLike,
    *,
    alpha: float = 0.05,
    mixing_variance: float | None = None,
    planned_units: float | None = None,
    stopping_rule: StoppingRule = "always_valid",
    planned_in_advance: bool = True,
) -> SequentialResult:
    """Analyse a sequence of looks with the mSPRT and, if planned, group-sequential boundaries.

    Each argument holds one value per look: cumulative units, mean and unit-level variance
    (ddof=1) of each arm. ``mixing_variance`` is ``tau2`` of the mSPRT (see the module
    docstring); by default :func:`tuned_mixing_variance` at the variance of the last look.
    ``planned_units`` (total over both arms) adds the O'Brien-Fleming-type boundaries at the
    information fractions ``(n_control + n_treatment) / planned_units``. ``stopping_rule``
    decides ``could_stop``: ``"always_valid"`` (the always-valid p-value at most alpha, or the
    planned sample reached) or ``"group_sequential"`` (the boundary crossed, or the planned
    sample reached), which needs ``planned_units`` set before the test. With
    ``planned_in_advance=False`` the ``planned_units`` are a retrospective reading (the units at
    the last look): the boundaries are shown, but neither they nor "the planned sample is
    reached" can stop the test.

    Returns a :class:`SequentialResult`: per look the always-valid p-value, the confidence
    sequence, whether the test could stop and why; ``stop_look`` is the first look at which it
    could stop (0 when none).
    """
    check_number("alpha", alpha, low=0, high=1)
    check_choice("stopping_rule", stopping_rule, ("always_valid", "group_sequential"))
    if stopping_rule == "group_sequential" and (planned_units is None or not planned_in_advance):
        raise ProxymetricError(
            "`stopping_rule` 'group_sequential' needs `planned_units`, the sample planned before "
            "the test; a boundary computed from the data so far is retrospective"
        )
    nc = _as_looks("n_control", n_control, None)
    k = nc.size
    mc = _as_looks("mean_control", mean_control, k)
    vc = _as_looks("var_control", var_control, k)
    nt = _as_looks("n_treatment", n_treatment, k)
    mt = _as_looks("mean_treatment", mean_treatment, k)
    vt = _as_looks("var_treatment", var_treatment, k)
    if np.any(nc < 2) or np.any(nt < 2):
        raise ProxymetricError(
            "every look needs at least 2 units in each arm (`n_control`, `n_treatment`)"
        )
    if np.any(np.diff(nc) < 0) or np.any(np.diff(nt) < 0):
        raise ProxymetricError("`n_control` and `n_treatment` must be cumulative (non-decreasing)")
    if np.any(vc < 0) or np.any(vt < 0):
        raise ProxymetricError("`var_control` and `var_treatment` must be >= 0")

    effect = mt - mc
    var = vt / nt + vc / nc
    if np.any(var <= 0):
        raise ProxymetricError(
            "the variance of the effect is 0 at some look; both arms are constant"
        )
    tau2 = (
        tuned_mixing_variance(float(var[-1]), alpha) if mixing_variance is None else mixing_variance
    )
    check_number("mixing_variance", tau2, low=0)
    pvalues = always_valid_pvalues(effect, var, tau2)
    lower, upper = confidence_sequence(effect, var, tau2, alpha)
    se = np.sqrt(var)
    z = effect / se
    fixed = 2.0 * special.ndtr(-np.abs(z))

    fractions = np.full(k, math.nan)
    bounds = np.full(k, math.nan)
    planned = math.nan
    if planned_units is not None:
        planned = check_number("planned_units", planned_units, low=0)
        raw = (nc + nt) / planned
        first_full = int(np.argmax(raw >= 1.0)) if np.any(raw >= 1.0) else k
        # Looks after the planned sample is reached are outside the plan.
        keep = np.arange(k) <= first_full
        frac = np.minimum(raw, 1.0)
        keep &= np.concatenate(([True], np.diff(frac) > 0))
        if np.any(keep):
            gs = group_sequential_boundaries(frac[keep].tolist(), alpha)
            fractions[keep] = frac[keep]
            bounds[keep] = [look.z_boundary for look in gs.looks]

    looks: list[SequentialLook] = []
    stop_look = 0
    for i in range(k):
        gs_reject = bool(np.isfinite(bounds[i]) and abs(z[i]) >= bounds[i])
        status: LookStatus
        if lower[i] > upper[i]:
            status = "empty_sequence"
        elif pvalues[i] <= alpha:
            status = "always_valid_significant"
        elif gs_reject:
            status = "boundary_crossed"
        elif planned_units is not None and (nc[i] + nt[i]) >= planned:
            status = "planned_sample_reached"
        else:
            status = "keep_running"
        reached = planned_in_advance and planned_units is not None and (nc[i] + nt[i]) >= planned
        if not planned_in_advance and status in ("boundary_crossed", "planned_sample_reached"):
            status = "keep_running"
        if status == "empty_sequence":
            could_stop = False
        elif stopping_rule == "always_valid":
            could_stop = status == "always_valid_significant" or reached
        else:
            could_stop = gs_reject or reached
        if could_stop and stop_look == 0:
            stop_look = i + 1
        looks.append(
            SequentialLook(
                look=i + 1,
                control_units=float(nc[i]),
                treatment_units=float(nt[i]),
                control_mean=float(mc[i]),
                treatment_mean=float(mt[i]),
                effect=float(effect[i]),
                effect_se=float(se[i]),
                zstat=float(z[i]),
                fixed_pvalue=float(fixed[i]),
                pvalue=float(pvalues[i]),
                effect_ci_lower=float(lower[i]),
                effect_ci_upper=float(upper[i]),
                information_fraction=float(fractions[i]),
                gs_z_boundary=float(bounds[i]),
                gs_reject=gs_reject,
                status=status,
                could_stop=could_stop,
            )
        )
    return SequentialResult(
        alpha=float(alpha),
        mixing_variance=float(tau2),
        planned_units=planned,
        stopping_rule=stopping_rule,
        stop_look=stop_look,
        looks=tuple(looks),
    )

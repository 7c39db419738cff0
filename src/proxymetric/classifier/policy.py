"""From a classifier's scores to money: a pair of thresholds with a human review band.

A **policy** is a pair of thresholds on the score: at or above ``t_high`` the model acts
automatically (blocks), from ``t_low`` up to ``t_high`` the item goes to human review, below
``t_low`` it passes. A label of 1 (``True``) is a *bad* item (spam, NSFW), the one to block.

Per item at production prevalence ``pi``, with the shares of bad items the policy acts on
(``A_b``) and reviews (``R_b``) and the same shares of good items (``A_g``, ``R_g``), and the
reviewers' own error rates (``m``: share of bad items reviewed that reviewers let pass; ``f``:
share of good items reviewed that they block), the profit against doing nothing is::

    volume * [ pi * c_missed * (A_b + R_b * (1 - m))           bad items stopped
               - (pi * R_b + (1 - pi) * R_g) * c_review          reviews paid
               - (1 - pi) * c_false_block * (A_g + R_g * f) ]    good items blocked

and the reviews per day, ``volume * (pi * R_b + (1 - pi) * R_g)``, must fit the review
capacity. The class-conditional shares come from the labelled sample; the prevalence is the
production one (a number or a distribution), never the sample's unless none is declared, so
the sample's precision is not production's.

The profit splits into a term of ``t_high`` and a term of ``t_low``, so the best policy under
the capacity is found exactly over every pair of candidate thresholds with sorted scores,
cumulative sums and a range-maximum table: ``O(n log n + k log k)`` for ``n`` examples and
``k`` candidate thresholds (all distinct scores, or ``max_thresholds`` quantiles of them).

Uncertainty: the thresholds are chosen on the same data that measures them, so the in-sample
(*apparent*) profit of the best policy is optimistic. Each bootstrap round resamples the
examples, **re-chooses** the policy on the resample and measures its optimism: its profit on
the resample minus its profit on the original sample, the bootstrap's population (Efron,
"Estimating the error rate of a prediction rule", JASA 1983; Harrell, Lee and Mark, Stat.
Med. 1996). The profit is the apparent profit less the mean optimism; its interval is the
apparent profit minus the percentiles of that error, with the costs (and the production
prevalence, if a distribution) drawn afresh in each round. The *naive* interval keeps the
policy chosen on the full sample fixed and bootstraps only its profit (``apparent_profit`` and
its interval): right for a policy fixed in advance (:func:`evaluate_policy`), optimistic for
one chosen on the data.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from proxymetric._progress import task
from proxymetric._result import Result
from proxymetric._validation import check_number
from proxymetric.errors import ProxymetricError

__all__ = [
    "CostCurvePoint",
    "PolicyCosts",
    "PolicyOutcome",
    "PolicyResult",
    "best_policy",
    "evaluate_policy",
    "find_policy",
    "policy_profit",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Distribution(Protocol):
    """An uncertain input: what the distributions of :mod:`proxymetric.value` provide."""

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return ``size`` independent draws."""
        ...

    @property
    def mean(self) -> float:
        """Return the expected value."""
        ...


@dataclasses.dataclass(frozen=True)
class _Known:
    """A known number as a distribution (draws consume no random numbers)."""

    value: float

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:  # noqa: ARG002
        return np.full(size, self.value)

    @property
    def mean(self) -> float:
        return self.value


Cost = float | Distribution

# A capacity is met when the reviews per day exceed it by no more than this relative slack
# (cumulative sums of shares carry rounding of the order of 1e-16 per item).
_CAPACITY_SLACK = 1e-9
_CHUNK = 32
# Weighted examples are resampled as one multinomial over their distinct (cell, weight) pairs
# when there are more than this many examples per pair (one binomial per pair then costs less
# than the draws of the examples it replaces; measured: equal cost at about 8 examples per pair
# for a million examples, about 20 for 100,000; at 64, 4 to 10 times cheaper).
_EXAMPLES_PER_PATTERN = 16


def _as_distribution(param: str, value: Any, *, low: float, high: float | None) -> Distribution:
    if isinstance(value, bool) or not hasattr(value, "sample"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ProxymetricError(
                f"`{param}` must be a number or a distribution of proxymetric.value; "
                f"got {value!r:.60}"
            )
        check_number(
            param, float(value), low=low, high=high, low_inclusive=True, high_inclusive=True
        )
        return _Known(float(value))
    dist: Distribution = value
    mean = float(value.mean)
    if not (math.isfinite(mean) and mean >= low and (high is None or mean <= high)):
        bound = f"in [{low:g}, {high:g}]" if high is not None else f">= {low:g}"
        raise ProxymetricError(f"`{param}` has mean {mean!r}; its mean must be {bound}")
    return dist


@dataclasses.dataclass(frozen=True)
class PolicyCosts:
    """The money of each outcome of a moderation decision, per item (numbers or distributions).

    ``missed``: a bad item that passes (an incident); ``false_block``: a good item blocked;
    ``review``: one human review; ``reviewer_miss_rate``: the share of bad items reviewed that
    reviewers let pass; ``reviewer_false_block_rate``: the share of good items reviewed that they
    block. A distribution is any of :mod:`proxymetric.value` (``LogNormal``, ``Beta``, ...);
    the policy is chosen on their means (the expected profit is linear in each cost, and the
    inputs are independent), and the intervals draw them.

    >>> PolicyCosts(missed=5.0, false_block=20.0, review=0.5).mean_costs()
    (5.0, 20.0, 0.5, 0.0, 0.0)
    """

    missed: Cost
    false_block: Cost
    review: Cost
    reviewer_miss_rate: Cost = 0.0
    reviewer_false_block_rate: Cost = 0.0

    def distributions(self) -> tuple[Distribution, ...]:
        """Return the five inputs as distributions, validated (costs >= 0, rates in [0, 1])."""
        return (
            _as_distribution("missed", self.missed, low=0.0, high=None),
            _as_distribution("false_block", self.false_block, low=0.0, high=None),
            _as_distribution("review", self.review, low=0.0, high=None),
            _as_distribution("reviewer_miss_rate", self.reviewer_miss_rate, low=0.0, high=1.0),
            _as_distribution(
                "reviewer_false_block_rate", self.reviewer_false_block_rate, low=0.0, high=1.0
            ),
        )

    def mean_costs(self) -> tuple[float, float, float, float, float]:
        """Return the means of the five inputs, in the order of the fields."""
        m = [float(d.mean) for d in self.distributions()]
        return (m[0], m[1], m[2], m[3], m[4])


@dataclasses.dataclass(frozen=True)
class PolicyOutcome(Result):
    """One policy and what it is worth per day against doing nothing.

    ``policy`` is ``best`` (both thresholds chosen under the capacity), ``model_only`` (one
    threshold, no review), ``humans_only`` (reviewers see a random share of items, as many as
    the capacity allows) or ``do_nothing``. ``t_high``/``t_low`` are the thresholds (infinite
    when the band or the automatic action is empty; NaN for the policies without a model).
    Shares are of production items at the production prevalence; ``recall`` is the share of
    bad items stopped (by the model or by reviewers), ``false_block_rate`` the share of good
    items blocked, ``precision`` the share of blocked items that are bad (at production
    prevalence). Money is per day: ``cost`` (expected, with the mean costs),
    ``apparent_profit`` (in-sample, optimistic for a chosen policy) with its naive interval,
    ``profit`` (apparent less the bootstrap ``optimism``) with ``profit_se`` and the interval
    of the re-chosen-threshold bootstrap and the cost draws.
    """

    policy: str
    t_low: float
    t_high: float
    auto_share: float
    review_share: float
    reviews_per_day: float
    recall: float
    false_block_rate: float
    precision: float
    missed_per_day: float
    false_blocks_per_day: float
    cost: float
    apparent_profit: float
    apparent_profit_ci_lower: float
    apparent_profit_ci_upper: float
    optimism: float
    profit: float
    profit_se: float
    profit_ci_lower: float
    profit_ci_upper: float


@dataclasses.dataclass(frozen=True)
class CostCurvePoint(Result):
    """The best policy when the review capacity is ``review_share`` of the items.

    ``reviews_per_day`` is that capacity; ``review_share_used`` what the best policy uses of
    it; ``apparent_profit`` its in-sample expected profit per day at the mean costs.
    """

    review_share: float
    reviews_per_day: float
    review_share_used: float
    t_low: float
    t_high: float
    apparent_profit: float


@dataclasses.dataclass(frozen=True)
class PolicyResult(Result):
    """The best review-band policy against model-only, humans-only and doing nothing.

    ``policies`` are in that order (see :class:`PolicyOutcome`); ``curve`` is the expected
    profit of the best policy against the review share (:class:`CostCurvePoint`).
    ``prevalence`` is the production prevalence the decision uses (the mean of a
    distribution), ``sample_prevalence`` the labelled sample's (weighted);
    ``prevalence_declared`` says whether a production prevalence was given.
    ``n_thresholds`` is the number of candidate thresholds searched. ``gain_over_model_only``
    and ``gain_over_humans_only`` are the best policy's profit less theirs, with intervals
    from the same bootstrap rounds and cost draws (paired, so the uncertainty the policies
    share cancels).
    """

    n_examples: int
    n_bad: int
    sample_prevalence: float
    prevalence: float
    prevalence_declared: bool
    volume: float
    review_capacity: float
    n_thresholds: int
    n_bootstrap: int
    confidence_level: float
    seed: int
    gain_over_model_only: float
    gain_over_model_only_ci_lower: float
    gain_over_model_only_ci_upper: float
    gain_over_humans_only: float
    gain_over_humans_only_ci_lower: float
    gain_over_humans_only_ci_upper: float
    policies: tuple[PolicyOutcome, ...]
    curve: tuple[CostCurvePoint, ...]

    def policy(self, name: str) -> PolicyOutcome:
        """Return the outcome of policy ``name``."""
        for p in self.policies:
            if p.policy == name:
                return p
        names = ", ".join(p.policy for p in self.policies)
        raise ProxymetricError(f"`name` {name!r} is not a policy; policies: {names}")


# --- the data: candidate thresholds and per-threshold cumulative counts -------------------------


@dataclasses.dataclass(frozen=True)
class _Grid:
    """Candidate thresholds (descending) and each example's bin.

    Bin ``j`` (0-based) holds the examples with ``thresholds[j] <= score < thresholds[j - 1]``;
    acting on the first ``i`` bins is the threshold ``thresholds[i - 1]`` (``i = 0``: none).
    """

    thresholds: FloatArray
    cell: IntArray  # bin of each example, + k for a good example (bins of bad, then of good)

    @property
    def k(self) -> int:
        return int(self.thresholds.size)


def _grid(score: FloatArray, label: npt.NDArray[np.bool_], max_thresholds: int | None) -> _Grid:
    unique = np.unique(score)  # ascending
    if max_thresholds is not None and unique.size > max_thresholds:
        # Quantiles of the scores, snapped to observed scores so every threshold is one.
        probs = np.linspace(0.0, 1.0, max_thresholds)
        idx = np.unique(np.round(probs * (unique.size - 1)).astype(np.int64))
        unique = unique[idx]
    thresholds = unique[::-1].copy()
    # ascending position: number of thresholds <= score, minus 1 -> descending bin
    pos = np.searchsorted(unique, score, side="right") - 1
    bins = (unique.size - 1 - pos).astype(np.int64)
    cell = bins + np.where(label, 0, unique.size).astype(np.int64)
    return _Grid(thresholds, cell)


def _cumulative(cells: FloatArray, k: int) -> tuple[FloatArray, FloatArray]:
    """Return the shares of bad and of good examples at or above each threshold, ``(..., k+1)``.

    ``cells`` holds the weight of each (bin, label) cell, bad bins first; rows are rounds.
    """
    bad, good = cells[..., :k], cells[..., k:]
    shape = (*cells.shape[:-1], k + 1)
    cb = np.zeros(shape)
    cg = np.zeros(shape)
    np.cumsum(bad, axis=-1, out=cb[..., 1:])
    np.cumsum(good, axis=-1, out=cg[..., 1:])
    with np.errstate(invalid="ignore", divide="ignore"):
        cb /= cb[..., -1:]
        cg /= cg[..., -1:]
    return cb, cg


# --- the exact search -----------------------------------------------------------------------


def _coefficients(
    pi: FloatArray | float, costs: tuple[float, float, float, float, float]
) -> tuple[Any, Any, Any, Any]:
    c_m, c_fb, c_r, m, f = costs
    return (
        pi * (m * c_m + c_r),  # bad at or above t_high (vs. the review band)
        (1 - pi) * (c_fb * (1 - f) - c_r),  # good at or above t_high
        pi * (c_m * (1 - m) - c_r),  # bad at or above t_low
        (1 - pi) * (c_r + f * c_fb),  # good at or above t_low
    )


def _search(
    cb: FloatArray,
    cg: FloatArray,
    pi: FloatArray,
    costs: tuple[float, float, float, float, float],
    capacity_share: float | FloatArray,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Return the best ``(h, l)`` per row and its profit per item.

    Maximises ``F1(h) + F2(l)`` over ``0 <= h <= l <= k`` with ``share(l) - share(h) <=
    capacity_share`` (one capacity, or one per row); ``share`` is nondecreasing, so the
    feasible ``l`` of each ``h`` is the range ``[h, L(h)]``, answered by a sparse table of range
    maxima (Bentley, "Multidimensional divide-and-conquer", CACM 1980): ``O(k log k)`` a row.
    """
    a1, b1, a2, b2 = _coefficients(pi[:, None], costs)
    f1 = a1 * cb - b1 * cg
    f2 = a2 * cb - b2 * cg
    share = pi[:, None] * cb + (1 - pi[:, None]) * cg
    rows, width = f2.shape
    cap = np.broadcast_to(np.asarray(capacity_share, dtype=np.float64), (rows,))
    limit = share + (cap * (1 + _CAPACITY_SLACK) + 1e-15)[:, None]
    # L(h): the last index whose share fits, found for all rows at once by offsetting each row
    # into its own interval of one sorted array (shares lie in [0, 1]).
    offset = 4.0 * np.arange(rows)[:, None]
    flat = (share + offset).ravel()
    hi = np.searchsorted(flat, (np.minimum(limit, 2.0) + offset).ravel(), side="right") - 1
    lo = np.arange(width)[None, :]
    hi = np.maximum(hi.reshape(rows, width) - width * np.arange(rows)[:, None], lo)
    levels = max(1, int(width).bit_length())
    value = np.full((levels, rows, width), -np.inf)
    arg = np.zeros((levels, rows, width), dtype=np.int64)
    value[0] = f2
    arg[0] = np.arange(width)
    span = 1
    for j in range(1, levels):
        size = width - 2 * span + 1
        if size <= 0:
            break
        left, right = value[j - 1, :, :size], value[j - 1, :, span : span + size]
        take_right = right > left
        value[j, :, :size] = np.where(take_right, right, left)
        arg[j, :, :size] = np.where(
            take_right, arg[j - 1, :, span : span + size], arg[j - 1, :, :size]
        )
        span *= 2
    length = hi - lo + 1
    j_of = np.frexp(length.astype(np.float64))[1].astype(np.int64) - 1  # floor(log2(length))
    r = np.arange(rows)[:, None]
    start = np.broadcast_to(lo, (rows, width))
    stop = hi - (1 << j_of) + 1
    lv, rv = value[j_of, r, start], value[j_of, r, stop]
    take_right = rv > lv
    best_val = np.where(take_right, rv, lv)
    best_arg = np.where(take_right, arg[j_of, r, stop], arg[j_of, r, start])
    total = f1 + best_val
    h = np.argmax(total, axis=1)
    rr = np.arange(rows)
    return h, best_arg[rr, h], total[rr, h]


def _model_only(
    cb: FloatArray, cg: FloatArray, pi: FloatArray, costs: tuple[float, float, float, float, float]
) -> tuple[IntArray, FloatArray]:
    a1, b1, a2, b2 = _coefficients(pi[:, None], costs)
    total = (a1 + a2) * cb - (b1 + b2) * cg
    h = np.argmax(total, axis=1)
    return h, total[np.arange(total.shape[0]), h]


def _profit_per_item(
    cb: FloatArray,
    cg: FloatArray,
    h: IntArray,
    low: IntArray,
    pi: FloatArray,
    draws: tuple[FloatArray, ...],
) -> FloatArray:
    """Return the profit per item of policies ``(h, low)`` (one per row) at cost draws."""
    rr = np.arange(cb.shape[0])
    ab, ag = cb[rr, h], cg[rr, h]
    rb, rg = cb[rr, low] - ab, cg[rr, low] - ag
    c_m, c_fb, c_r, m, f = draws
    return np.asarray(
        pi * c_m * (ab + rb * (1 - m))
        - (pi * rb + (1 - pi) * rg) * c_r
        - (1 - pi) * c_fb * (ag + rg * f),
        dtype=np.float64,
    )


# --- inputs ------------------------------------------------------------------------------------


def _arrays(
    score: Any, label: Any, weight: Any
) -> tuple[FloatArray, npt.NDArray[np.bool_], FloatArray | None]:
    s = np.asarray(score, dtype=np.float64).ravel()
    lab = np.asarray(label).ravel()
    if s.size == 0:
        raise ProxymetricError("`score` is empty; pass one score per labelled example")
    if lab.size != s.size:
        raise ProxymetricError(
            f"`label` has {lab.size} values, `score` {s.size}; pass one label per score"
        )
    if not np.all(np.isfinite(s)):
        raise ProxymetricError("`score` has missing or non-finite values; every score is a number")
    if lab.dtype.kind != "b" and (lab.dtype.kind not in "iuf" or not np.all(np.isin(lab, (0, 1)))):
        bad = lab[~np.isin(lab, (0, 1))][0] if lab.dtype.kind in "iuf" else lab[0]
        raise ProxymetricError(f"`label` must hold 0/1 or True/False; got {bad!r}")
    y = lab.astype(bool)
    w = None
    if weight is not None:
        w = np.asarray(weight, dtype=np.float64).ravel()
        if w.size != s.size:
            raise ProxymetricError(f"`weight` has {w.size} values, `score` {s.size}")
        if not np.all(np.isfinite(w) & (w > 0)):
            raise ProxymetricError("`weight` must hold positive finite numbers")
        if np.all(w == 1.0):
            w = None
    if y.all() or not y.any():
        kind = "bad (label 1)" if y.all() else "good (label 0)"
        raise ProxymetricError(
            f"every example is {kind}; the policy needs labelled bad and good examples"
        )
    return s, y, w


def _prevalence(prevalence: Cost | None) -> Distribution | None:
    if prevalence is None:
        return None
    d = _as_distribution("prevalence", prevalence, low=0.0, high=1.0)
    if not 0 < d.mean < 1:
        raise ProxymetricError(f"`prevalence` == {d.mean!r}, must be in (0, 1)")
    return d


# --- the public functions ------------------------------------------------------------------------


def best_policy(
    score: Any,
    label: Any,
    costs: PolicyCosts,
    *,
    prevalence: Cost | None = None,
    volume: float = 1.0,
    review_capacity: float | None = None,
    weight: Any = None,
    max_thresholds: int | None = 4096,
) -> tuple[float, float, float]:
    """Return the best ``(t_low, t_high, expected profit per day)`` on the data, at mean costs.

    Infinite thresholds mean an empty band or no automatic action. See :func:`find_policy`.

    >>> best_policy([0.9, 0.8, 0.4, 0.3, 0.1], [1, 1, 0, 1, 0],
    ...             PolicyCosts(missed=10.0, false_block=10.0, review=1.0))
    (0.3, 0.8, 5.6)
    """
    s, y, w = _arrays(score, label, weight)
    grid = _grid(s, y, max_thresholds)
    cells = np.bincount(grid.cell, weights=w, minlength=2 * grid.k).astype(np.float64)
    cb, cg = _cumulative(cells[None, :], grid.k)
    pi = _decision_prevalence(_prevalence(prevalence), cells, grid.k)
    cap = _capacity_share(review_capacity, volume)
    h, low, value = _search(cb, cg, np.array([pi]), costs.mean_costs(), cap)
    return (
        float(_threshold(grid, int(low[0]))),
        float(_threshold(grid, int(h[0]))),
        round(float(value[0]) * volume, 12),
    )


def _threshold(grid: _Grid, i: int) -> float:
    return math.inf if i == 0 else float(grid.thresholds[i - 1])


def _decision_prevalence(prevalence: Distribution | None, cells: FloatArray, k: int) -> float:
    if prevalence is not None:
        return float(prevalence.mean)
    return float(cells[:k].sum() / cells.sum())


def _capacity_share(review_capacity: float | None, volume: float) -> float:
    check_number("volume", volume, low=0)
    if review_capacity is None:
        return math.inf
    check_number("review_capacity", review_capacity, low=0, low_inclusive=True)
    return float(review_capacity) / float(volume)


def _percentiles(values: FloatArray, level: float) -> tuple[float, float]:
    if values.size == 0:
        return math.nan, math.nan
    lo, hi = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


@dataclasses.dataclass(frozen=True)
class _Setup:
    s: FloatArray
    y: npt.NDArray[np.bool_]
    w: FloatArray | None
    grid: _Grid
    cells: FloatArray
    cb: FloatArray
    cg: FloatArray
    prevalence: Distribution | None
    pi: float
    costs: PolicyCosts
    mean_costs: tuple[float, float, float, float, float]
    volume: float
    capacity_share: float


def _setup(
    score: Any,
    label: Any,
    costs: PolicyCosts,
    prevalence: Cost | None,
    volume: float,
    review_capacity: float | None,
    weight: Any,
    max_thresholds: int | None,
) -> _Setup:
    if not isinstance(costs, PolicyCosts):
        raise ProxymetricError(f"`costs` must be a PolicyCosts; got {type(costs).__name__}")
    if max_thresholds is not None and (
        isinstance(max_thresholds, bool)
        or not isinstance(max_thresholds, int)
        or max_thresholds < 2
    ):
        raise ProxymetricError(
            f"`max_thresholds` == {max_thresholds!r}, must be an integer >= 2 or None"
        )
    s, y, w = _arrays(score, label, weight)
    grid = _grid(s, y, max_thresholds)
    cells = np.bincount(grid.cell, weights=w, minlength=2 * grid.k).astype(np.float64)
    cb, cg = _cumulative(cells[None, :], grid.k)
    prev = _prevalence(prevalence)
    cap = _capacity_share(review_capacity, volume)
    return _Setup(
        s,
        y,
        w,
        grid,
        cells,
        cb,
        cg,
        prev,
        _decision_prevalence(prev, cells, grid.k),
        costs,
        costs.mean_costs(),
        float(volume),
        cap,
    )


def _resampled_cells(
    setup: _Setup,
    rng: np.random.Generator,
    rounds: int,
    patterns: tuple[IntArray, FloatArray, FloatArray] | None = None,
) -> FloatArray:
    """Return the (bin, label) cell weights of ``rounds`` resamples of the examples.

    ``patterns``: the weighted examples pooled by :func:`_weight_patterns`, or None.
    """
    k2 = 2 * setup.grid.k
    n = setup.s.size
    if setup.w is None:
        p = setup.cells / setup.cells.sum()
        return rng.multinomial(n, p, size=rounds).astype(np.float64)
    return _resample_weighted(setup.grid.cell, setup.w, k2, patterns, rng, rounds)


def _weight_patterns(
    cell: IntArray, w: FloatArray
) -> tuple[IntArray, FloatArray, FloatArray] | None:
    """Return the distinct (cell, weight) pairs of the examples: cell, weight and examples of each.

    None when there are at least ``n / _EXAMPLES_PER_PATTERN`` of them (weights that vary from
    example to example): resampling example by example is then cheaper.
    """
    n = cell.size
    values, code = np.unique(w, return_inverse=True)
    if values.size * _EXAMPLES_PER_PATTERN >= n:
        return None
    keys, freq = np.unique(cell * values.size + code.ravel(), return_counts=True)
    if keys.size * _EXAMPLES_PER_PATTERN >= n:
        return None
    return keys // values.size, values[keys % values.size], freq.astype(np.float64)


def _resample_weighted(
    cell: IntArray,
    w: FloatArray,
    size: int,
    patterns: tuple[IntArray, FloatArray, FloatArray] | None,
    rng: np.random.Generator,
    rounds: int,
) -> FloatArray:
    """Return the total weight in each of ``size`` cells of ``rounds`` resamples, (rounds, size).

    A resample draws the ``n`` examples with replacement. With ``patterns`` (see
    :func:`_weight_patterns`) a round is one multinomial count of the (cell, weight) pairs,
    ``multinomial(n, examples of the pair / n)``: the same distribution as drawing examples.
    Otherwise the examples are drawn by index, counted, and each cell sums count x weight of
    its examples: the same draws and totals as summing the weights of the drawn examples (up
    to the order of the rounding), about 2.5x cheaper at a million examples as the weights are
    read in order instead of gathered.
    """
    n = cell.size
    if patterns is not None:
        pattern_cell, weight, freq = patterns
        counts = rng.multinomial(n, freq / n, size=rounds)
        flat = (np.arange(rounds)[:, None] * size + pattern_cell[None, :]).ravel()
        total = np.bincount(flat, weights=(counts * weight).ravel(), minlength=rounds * size)
        return total.astype(np.float64, copy=False).reshape(rounds, size)
    out = np.empty((rounds, size))
    with task("policy bootstrap rounds (weighted examples)", rounds) as bar:
        for r in range(rounds):
            drawn = np.bincount(rng.integers(0, n, n), minlength=n)
            out[r] = np.bincount(cell, weights=w * drawn, minlength=size)
            bar.advance()
    return out


def _cost_draws(
    setup: _Setup, rng: np.random.Generator, rounds: int
) -> tuple[tuple[FloatArray, ...], FloatArray | None]:
    dists = setup.costs.distributions()
    draws = tuple(np.asarray(d.sample(rng, rounds), dtype=np.float64) for d in dists)
    pi = None
    if setup.prevalence is not None:
        pi = np.clip(np.asarray(setup.prevalence.sample(rng, rounds), dtype=np.float64), 0, 1)
    return draws, pi


def _outcome(
    setup: _Setup,
    name: str,
    h: int,
    low: int,
    naive: FloatArray,
    honest: FloatArray,
    optimism: float,
    level: float,
) -> PolicyOutcome:
    """Return the outcome of policy ``(h, low)`` on the grid, with its bootstrap values."""
    cb, cg = setup.cb[0], setup.cg[0]
    ab, ag = cb[h], cg[h]
    rb, rg = cb[low] - ab, cg[low] - ag
    return _make_outcome(
        setup,
        name,
        _threshold(setup.grid, low),
        _threshold(setup.grid, h),
        (ab, rb, ag, rg),
        naive,
        honest,
        optimism,
        level,
    )


def _make_outcome(
    setup: _Setup,
    name: str,
    t_low: float,
    t_high: float,
    rates: tuple[float, float, float, float],
    naive: FloatArray,
    honest: FloatArray,
    optimism: float,
    level: float,
) -> PolicyOutcome:
    ab, rb, ag, rg = (float(x) for x in rates)
    pi, v = setup.pi, setup.volume
    c_m, c_fb, c_r, m, f = setup.mean_costs
    stopped = ab + rb * (1 - m)
    blocked_good = ag + rg * f
    apparent = v * (
        pi * c_m * stopped - (pi * rb + (1 - pi) * rg) * c_r - (1 - pi) * c_fb * blocked_good
    )
    blocked = pi * stopped + (1 - pi) * blocked_good
    a_lo, a_hi = _percentiles(naive, level)
    profit = apparent - optimism
    # The error of the apparent profit (apparent minus true) is estimated by its bootstrap
    # analogue, so the interval reflects: apparent - quantiles of (apparent* - true*).
    h_lo, h_hi = _percentiles(honest, level)
    return PolicyOutcome(
        policy=name,
        t_low=t_low,
        t_high=t_high,
        auto_share=pi * ab + (1 - pi) * ag,
        review_share=pi * rb + (1 - pi) * rg,
        reviews_per_day=v * (pi * rb + (1 - pi) * rg),
        recall=stopped,
        false_block_rate=blocked_good,
        precision=pi * stopped / blocked if blocked > 0 else math.nan,
        missed_per_day=v * pi * (1 - stopped),
        false_blocks_per_day=v * (1 - pi) * blocked_good,
        cost=v
        * (
            pi * c_m * (1 - stopped)
            + (pi * rb + (1 - pi) * rg) * c_r
            + (1 - pi) * c_fb * blocked_good
        ),
        apparent_profit=apparent,
        apparent_profit_ci_lower=a_lo,
        apparent_profit_ci_upper=a_hi,
        optimism=optimism,
        profit=profit,
        profit_se=float(np.std(honest, ddof=1)) if honest.size > 1 else math.nan,
        profit_ci_lower=h_lo,
        profit_ci_upper=h_hi,
    )


def _check_bootstrap(n_bootstrap: int, confidence_level: float, seed: int) -> None:
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, int) or n_bootstrap < 0:
        raise ProxymetricError(f"`n_bootstrap` == {n_bootstrap!r}, must be an integer >= 0")
    if 0 < n_bootstrap < 20:
        raise ProxymetricError(
            f"`n_bootstrap` == {n_bootstrap!r}, must be 0 (no intervals) or at least 20"
        )
    check_number("confidence_level", confidence_level, low=0, high=1)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ProxymetricError(f"`seed` == {seed!r}, must be an integer >= 0")


def find_policy(
    score: Any,
    label: Any,
    costs: PolicyCosts,
    *,
    prevalence: Cost | None = None,
    volume: float = 1.0,
    review_capacity: float | None = None,
    weight: Any = None,
    n_bootstrap: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
    max_thresholds: int | None = 4096,
    curve_points: int = 21,
) -> PolicyResult:
    """Return the best review-band policy, model-only, humans-only and doing nothing, in money.

    ``score`` (higher: more likely bad) and ``label`` (1 for a bad item) are the labelled
    sample, ``weight`` optional inverse inclusion probabilities; ``costs`` a
    :class:`PolicyCosts`; ``prevalence`` the production share of bad items (a number or a
    distribution; default the sample's); ``volume`` items per day; ``review_capacity`` reviews
    per day (default unlimited). The best policy maximises the expected profit per day under
    the capacity, exactly over every pair of the candidate thresholds (every distinct score,
    or ``max_thresholds`` quantiles of them). ``humans_only`` reviews a random share of the
    items, the capacity's (all items without one). Intervals: ``n_bootstrap`` rounds of the
    examples with the policy re-chosen in each (``profit``), and of the chosen policy held
    fixed (``apparent_profit``, naive), each with fresh draws of the costs and of the
    prevalence; ``curve`` has ``curve_points`` capacities from no review to the review share
    the best unconstrained policy uses (at least the declared capacity's).

    >>> r = find_policy([0.9, 0.8, 0.4, 0.3, 0.1], [1, 1, 0, 1, 0],
    ...                 PolicyCosts(missed=10.0, false_block=10.0, review=1.0), n_bootstrap=0)
    >>> best = r.policy("best")
    >>> best.t_low, best.t_high, best.apparent_profit
    (0.3, 0.8, 5.6)
    """
    _check_bootstrap(n_bootstrap, confidence_level, seed)
    if isinstance(curve_points, bool) or not isinstance(curve_points, int) or curve_points < 2:
        raise ProxymetricError(f"`curve_points` == {curve_points!r}, must be an integer >= 2")
    setup = _setup(score, label, costs, prevalence, volume, review_capacity, weight, max_thresholds)
    level = float(confidence_level)
    pi0 = np.array([setup.pi])
    h0, l0, _ = _search(setup.cb, setup.cg, pi0, setup.mean_costs, setup.capacity_share)
    hm, _ = _model_only(setup.cb, setup.cg, pi0, setup.mean_costs)
    best = (int(h0[0]), int(l0[0]))
    model = (int(hm[0]), int(hm[0]))
    rho = min(1.0, setup.capacity_share)

    rng = np.random.default_rng(seed)
    chosen: dict[str, list[FloatArray]] = {k: [] for k in ("best", "model_only")}
    naive_of: dict[str, list[FloatArray]] = {
        k: [] for k in ("best", "model_only", "humans_only", "do_nothing")
    }
    optimism_of: dict[str, list[FloatArray]] = {k: [] for k in ("best", "model_only")}
    patterns = None if setup.w is None else _weight_patterns(setup.grid.cell, setup.w)
    done = 0
    while done < n_bootstrap:
        rounds = min(_CHUNK, n_bootstrap - done)
        done += rounds
        cells = _resampled_cells(setup, rng, rounds, patterns)
        draws, drawn_pi = _cost_draws(setup, rng, rounds)
        cb, cg = _cumulative(cells, setup.grid.k)
        if setup.prevalence is None:
            pi_star = cells[:, : setup.grid.k].sum(axis=1) / cells.sum(axis=1)
            pi_true = np.full(rounds, setup.pi)
            pi_eval_star = pi_star
        else:
            pi_star = np.full(rounds, setup.pi)
            assert drawn_pi is not None
            pi_true = drawn_pi
            pi_eval_star = drawn_pi
        ocb = np.repeat(setup.cb, rounds, axis=0)
        ocg = np.repeat(setup.cg, rounds, axis=0)
        hs, ls, _ = _search(cb, cg, pi_star, setup.mean_costs, setup.capacity_share)
        hms, _ = _model_only(cb, cg, pi_star, setup.mean_costs)
        for name, (h, low), (hb, lb) in (
            ("best", best, (hs, ls)),
            ("model_only", model, (hms, hms)),
        ):
            hh = np.full(rounds, h)
            ll = np.full(rounds, low)
            fixed_true = _profit_per_item(ocb, ocg, hh, ll, pi_true, draws)
            fixed_star = _profit_per_item(cb, cg, hh, ll, pi_eval_star, draws)
            apparent_star = _profit_per_item(cb, cg, hb, lb, pi_eval_star, draws)
            true_star = _profit_per_item(ocb, ocg, hb, lb, pi_true, draws)
            error = apparent_star - true_star
            chosen[name].append(setup.volume * (fixed_true - error))
            naive_of[name].append(setup.volume * fixed_star)
            # optimism at the mean costs (the point estimate's own scale)
            mean_draws = tuple(np.full(rounds, c) for c in setup.mean_costs)
            err_mean = _profit_per_item(cb, cg, hb, lb, pi_star, mean_draws) - _profit_per_item(
                ocb, ocg, hb, lb, np.full(rounds, setup.pi), mean_draws
            )
            optimism_of[name].append(setup.volume * err_mean)
        # humans-only and doing nothing: no threshold from the data
        c_m, c_fb, c_r, m, f = draws
        pi_h = pi_eval_star
        naive_of["humans_only"].append(
            setup.volume * rho * (pi_h * c_m * (1 - m) - c_r - (1 - pi_h) * f * c_fb)
        )
        naive_of["do_nothing"].append(np.zeros(rounds))

    def joined(values: list[FloatArray]) -> FloatArray:
        return np.concatenate(values) if values else np.empty(0)

    outcomes = []
    for name, (h, low) in (("best", best), ("model_only", model)):
        opt = joined(optimism_of[name])
        outcomes.append(
            _outcome(
                setup,
                name,
                h,
                low,
                joined(naive_of[name]),
                joined(chosen[name]),
                float(opt.mean()) if opt.size else 0.0,
                level,
            )
        )
    humans = joined(naive_of["humans_only"])
    outcomes.append(
        _make_outcome(
            setup,
            "humans_only",
            math.nan,
            math.nan,
            (0.0, rho, 0.0, rho),
            humans,
            humans,
            0.0,
            level,
        )
    )
    nothing = joined(naive_of["do_nothing"])
    outcomes.append(
        _make_outcome(
            setup,
            "do_nothing",
            math.nan,
            math.nan,
            (0.0, 0.0, 0.0, 0.0),
            nothing,
            nothing,
            0.0,
            level,
        )
    )
    honest_best = joined(chosen["best"])
    vs_model = _percentiles(honest_best - joined(chosen["model_only"]), level)
    vs_humans = _percentiles(honest_best - humans, level)
    return PolicyResult(
        n_examples=int(setup.s.size),
        n_bad=int(setup.y.sum()),
        sample_prevalence=float(setup.cells[: setup.grid.k].sum() / setup.cells.sum()),
        prevalence=setup.pi,
        prevalence_declared=setup.prevalence is not None,
        volume=setup.volume,
        review_capacity=setup.capacity_share * setup.volume,
        n_thresholds=setup.grid.k,
        n_bootstrap=n_bootstrap,
        confidence_level=level,
        seed=seed,
        gain_over_model_only=outcomes[0].profit - outcomes[1].profit,
        gain_over_model_only_ci_lower=vs_model[0],
        gain_over_model_only_ci_upper=vs_model[1],
        gain_over_humans_only=outcomes[0].profit - outcomes[2].profit,
        gain_over_humans_only_ci_lower=vs_humans[0],
        gain_over_humans_only_ci_upper=vs_humans[1],
        policies=tuple(outcomes),
        curve=_curve(setup, outcomes[0], curve_points),
    )


def _curve(setup: _Setup, best: PolicyOutcome, points: int) -> tuple[CostCurvePoint, ...]:
    pi0 = np.array([setup.pi])
    h, low, _ = _search(setup.cb, setup.cg, pi0, setup.mean_costs, math.inf)
    cb, cg = setup.cb[0], setup.cg[0]
    free = setup.pi * (cb[low[0]] - cb[h[0]]) + (1 - setup.pi) * (cg[low[0]] - cg[h[0]])
    top = max(float(free), best.review_share)
    if math.isfinite(setup.capacity_share):
        top = max(top, min(setup.capacity_share, 1.0))
    if top <= 0:
        top = 0.01
    shares = np.linspace(0.0, top, points)
    many = np.repeat(pi0, points)
    hh, ll, value = _search(
        np.repeat(setup.cb, points, axis=0),
        np.repeat(setup.cg, points, axis=0),
        many,
        setup.mean_costs,
        shares,
    )
    used = setup.pi * (cb[ll] - cb[hh]) + (1 - setup.pi) * (cg[ll] - cg[hh])
    out = [
        CostCurvePoint(
            review_share=float(shares[i]),
            reviews_per_day=float(shares[i]) * setup.volume,
            review_share_used=float(used[i]),
            t_low=_threshold(setup.grid, int(ll[i])),
            t_high=_threshold(setup.grid, int(hh[i])),
            apparent_profit=float(value[i]) * setup.volume,
        )
        for i in range(points)
    ]
    return tuple(out)


def evaluate_policy(
    score: Any,
    label: Any,
    costs: PolicyCosts,
    *,
    t_low: float,
    t_high: float,
    prevalence: Cost | None = None,
    volume: float = 1.0,
    weight: Any = None,
    n_bootstrap: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> PolicyOutcome:
    """Return the profit per day of the fixed policy ``(t_low, t_high)``, with its interval.

    The thresholds are fixed in advance (not chosen on this sample), so the bootstrap of the
    examples with fresh draws of the costs (and of the prevalence) gives its interval; the
    optimism is zero and ``profit`` equals ``apparent_profit``. ``t_low == t_high`` is
    model-only; ``math.inf`` for both does nothing.
    """
    _check_bootstrap(n_bootstrap, confidence_level, seed)
    if math.isnan(t_low) or math.isnan(t_high) or not t_low <= t_high:
        raise ProxymetricError(f"`t_low` == {t_low!r} must be <= `t_high` == {t_high!r}")
    setup = _setup(score, label, costs, prevalence, volume, None, weight, None)
    # examples at or above each threshold, on the full sample and in each round
    above_high = setup.s >= t_high
    band = (setup.s >= t_low) & ~above_high
    cls = np.where(above_high, 0, np.where(band, 1, 2)) + np.where(setup.y, 0, 3)
    counts = np.bincount(cls, weights=setup.w, minlength=6).astype(np.float64)
    rng = np.random.default_rng(seed)
    values = np.empty(0)
    if n_bootstrap:
        n = setup.s.size
        if setup.w is None:
            boot = rng.multinomial(n, counts / counts.sum(), size=n_bootstrap).astype(np.float64)
        else:
            patterns = _weight_patterns(cls, setup.w)
            boot = _resample_weighted(cls, setup.w, 6, patterns, rng, n_bootstrap)
        draws, drawn_pi = _cost_draws(setup, rng, n_bootstrap)
        bad = boot[:, :3].sum(axis=1)
        good = boot[:, 3:].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ab, rb = boot[:, 0] / bad, boot[:, 1] / bad
            ag, rg = boot[:, 3] / good, boot[:, 4] / good
        pi = drawn_pi if drawn_pi is not None else bad / (bad + good)
        c_m, c_fb, c_r, m, f = draws
        values = setup.volume * (
            pi * c_m * (ab + rb * (1 - m))
            - (pi * rb + (1 - pi) * rg) * c_r
            - (1 - pi) * c_fb * (ag + rg * f)
        )
        values = values[np.isfinite(values)]
    bad_n, good_n = counts[:3].sum(), counts[3:].sum()
    rates = (counts[0] / bad_n, counts[1] / bad_n, counts[3] / good_n, counts[4] / good_n)
    name = "do_nothing" if math.isinf(t_low) else "model_only" if t_low == t_high else "policy"
    return _make_outcome(
        setup,
        name,
        float(t_low),
        float(t_high),
        rates,
        values,
        values,
        0.0,
        float(confidence_level),
    )


def policy_profit(
    score: Any,
    label: Any,
    costs: PolicyCosts,
    *,
    t_low: float,
    t_high: float,
    prevalence: float | None = None,
    volume: float = 1.0,
    weight: Any = None,
) -> float:
    """Return the expected profit per day of ``(t_low, t_high)`` on the data at mean costs.

    A direct evaluation of the policy (the reference the search is checked against).

    >>> policy_profit([0.9, 0.8, 0.4, 0.3, 0.1], [1, 1, 0, 1, 0],
    ...               PolicyCosts(missed=10.0, false_block=10.0, review=1.0),
    ...               t_low=0.3, t_high=0.8)
    5.6
    """
    return round(
        evaluate_policy(
            score,
            label,
            costs,
            t_low=t_low,
            t_high=t_high,
            prevalence=prevalence,
            volume=volume,
            weight=weight,
            n_bootstrap=0,
        ).apparent_profit,
        12,
    )

"""The review-band policy: the exact search, its intervals and its errors.

References: a brute-force search over every pair of thresholds written independently below
(per-example decisions and the expected cost per item, not the library's separable form);
closed-form normal tail probabilities (scipy.stats.norm) for the true profit in simulations.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt
import pytest
from scipy import stats

from proxymetric.classifier.policy import (
    PolicyCosts,
    best_policy,
    evaluate_policy,
    find_policy,
    policy_profit,
)
from proxymetric.errors import ProxymetricError
from proxymetric.value import Beta, LogNormal

FloatArray = npt.NDArray[np.float64]


def _cost_per_item(
    s: FloatArray,
    y: npt.NDArray[np.bool_],
    w: FloatArray,
    t_low: float,
    t_high: float,
    pi: float,
    c: tuple[float, float, float, float, float],
) -> tuple[float, float]:
    """Return (expected cost per item, review share) of a policy, decided example by example."""
    c_m, c_fb, c_r, m, f = c
    act = s >= t_high
    review = (s >= t_low) & ~act
    passed = ~act & ~review
    bad, good = y, ~y

    def share(mask: npt.NDArray[np.bool_], of: npt.NDArray[np.bool_]) -> float:
        return float(w[mask & of].sum() / w[of].sum())

    cost_bad = share(passed, bad) * c_m + share(review, bad) * (c_r + m * c_m)
    cost_good = share(act, good) * c_fb + share(review, good) * (c_r + f * c_fb)
    reviews = pi * share(review, bad) + (1 - pi) * share(review, good)
    return pi * cost_bad + (1 - pi) * cost_good, reviews


def _brute_force(
    s: FloatArray,
    y: npt.NDArray[np.bool_],
    w: FloatArray,
    pi: float,
    c: tuple[float, float, float, float, float],
    capacity_share: float,
    *,
    band: bool = True,
) -> float:
    candidates = [*np.unique(s).tolist(), math.inf]
    best = -math.inf
    for t_low, t_high in itertools.product(candidates, candidates):
        if t_low > t_high or (not band and t_low != t_high):
            continue
        cost, reviews = _cost_per_item(s, y, w, t_low, t_high, pi, c)
        if reviews <= capacity_share * (1 + 1e-9) + 1e-15:
            best = max(best, pi * c[0] - cost)  # profit against doing nothing
    return best


def _sample(
    rng: np.random.Generator, n: int, *, ties: bool
) -> tuple[FloatArray, npt.NDArray[np.bool_], FloatArray]:
    y = rng.random(n) < 0.4
    y[:2] = [True, False]
    s = np.where(y, rng.normal(1.0, 1.0, n), rng.normal(0.0, 1.0, n))
    if ties:
        s = np.round(s, 0)  # a handful of distinct scores, many ties
    return s, y, rng.uniform(0.5, 2.0, n)


@pytest.mark.parametrize("seed", range(12))
def test_the_best_policy_is_the_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    s, y, w = _sample(rng, int(rng.integers(8, 40)), ties=seed % 3 == 0)
    weighted = seed % 2 == 0
    weights = w if weighted else np.ones_like(w)
    c = (
        float(rng.uniform(1, 20)),
        float(rng.uniform(1, 20)),
        float(rng.uniform(0, 3)),
        float(rng.uniform(0, 0.3)),
        float(rng.uniform(0, 0.3)),
    )
    pi = float(rng.uniform(0.02, 0.6))
    capacity = [0.0, 0.05, 0.2, math.inf][seed % 4]
    costs = PolicyCosts(*c)
    volume = 1000.0
    t_low, t_high, profit = best_policy(
        s,
        y,
        costs,
        prevalence=pi,
        volume=volume,
        review_capacity=None if math.isinf(capacity) else capacity * volume,
        weight=weights if weighted else None,
    )
    reference = _brute_force(s, y, weights, pi, c, capacity)
    assert profit / volume == pytest.approx(reference, rel=1e-9, abs=1e-12)
    # the thresholds it returns reach that profit and fit the capacity
    cost, reviews = _cost_per_item(s, y, weights, t_low, t_high, pi, c)
    assert pi * c[0] - cost == pytest.approx(reference, rel=1e-9, abs=1e-12)
    assert reviews <= capacity * (1 + 1e-9) + 1e-15
    # model-only is the best single threshold
    result = find_policy(
        s,
        y,
        costs,
        prevalence=pi,
        volume=volume,
        weight=weights if weighted else None,
        n_bootstrap=0,
    )
    model = result.policy("model_only")
    assert model.t_low == model.t_high
    single = _brute_force(s, y, weights, pi, c, math.inf, band=False)
    assert model.apparent_profit / volume == pytest.approx(single, rel=1e-9, abs=1e-12)


def test_the_sample_prevalence_is_used_when_none_is_declared() -> None:
    rng = np.random.default_rng(3)
    s, y, _ = _sample(rng, 30, ties=False)
    c = (10.0, 4.0, 1.0, 0.1, 0.05)
    _, _, profit = best_policy(s, y, PolicyCosts(*c), review_capacity=5.0, volume=30.0)
    reference = _brute_force(s, y, np.ones(30), float(y.mean()), c, 5.0 / 30.0)
    assert profit / 30.0 == pytest.approx(reference, rel=1e-9)


def test_a_weight_counts_as_copies_of_an_example() -> None:
    # Reference: the same examples repeated `weight` times, unweighted.
    rng = np.random.default_rng(5)
    s, y, _ = _sample(rng, 25, ties=False)
    copies = rng.integers(1, 4, 25)
    costs = PolicyCosts(8.0, 3.0, 0.5, 0.05, 0.02)
    weighted = best_policy(s, y, costs, prevalence=0.1, weight=copies, review_capacity=0.1)
    repeated = best_policy(
        np.repeat(s, copies), np.repeat(y, copies), costs, prevalence=0.1, review_capacity=0.1
    )
    assert weighted[2] == pytest.approx(repeated[2], rel=1e-12)


def test_model_only_humans_only_and_nothing_are_the_closed_forms() -> None:
    s = np.array([0.9, 0.8, 0.4, 0.3, 0.1])
    y = np.array([1, 1, 0, 1, 0])
    costs = PolicyCosts(missed=10.0, false_block=10.0, review=1.0, reviewer_miss_rate=0.1)
    r = find_policy(s, y, costs, prevalence=0.2, volume=100.0, review_capacity=30.0, n_bootstrap=0)
    humans = r.policy("humans_only")
    # 30 of 100 items reviewed at random: 0.3 * (0.2 * 10 * 0.9 - 1) per item
    assert humans.apparent_profit == pytest.approx(100 * 0.3 * (0.2 * 10 * 0.9 - 1))
    assert humans.reviews_per_day == pytest.approx(30.0)
    nothing = r.policy("do_nothing")
    assert nothing.apparent_profit == 0.0
    assert nothing.cost == pytest.approx(100 * 0.2 * 10)
    best = r.policy("best")
    assert best.cost == pytest.approx(nothing.cost - best.apparent_profit)
    assert best.reviews_per_day <= 30.0 + 1e-9
    assert best.apparent_profit >= max(r.policy("model_only").apparent_profit, 0.0)


def test_the_cost_curve_rises_to_the_unconstrained_optimum() -> None:
    rng = np.random.default_rng(11)
    s, y, _ = _sample(rng, 60, ties=False)
    costs = PolicyCosts(20.0, 5.0, 1.0)
    r = find_policy(s, y, costs, prevalence=0.1, review_capacity=0.0, n_bootstrap=0)
    profits = [p.apparent_profit for p in r.curve]
    assert profits == sorted(profits)  # more capacity never hurts the best policy
    assert r.curve[0].review_share_used == 0.0
    assert profits[0] == pytest.approx(r.policy("model_only").apparent_profit)
    free = best_policy(s, y, costs, prevalence=0.1)
    assert profits[-1] == pytest.approx(free[2])
    for point in r.curve:  # each point is the brute-force optimum at its capacity
        if point.review_share in (r.curve[3].review_share, r.curve[10].review_share):
            ref = _brute_force(
                s, y, np.ones(60), 0.1, (20.0, 5.0, 1.0, 0.0, 0.0), point.review_share
            )
            assert point.apparent_profit == pytest.approx(ref, rel=1e-9)
            assert point.review_share_used <= point.review_share * (1 + 1e-9)


def test_policy_profit_is_the_direct_evaluation() -> None:
    s = np.array([0.9, 0.8, 0.4, 0.3, 0.1])
    y = np.array([True, True, False, True, False])
    c = (10.0, 10.0, 1.0, 0.2, 0.1)
    got = policy_profit(s, y, PolicyCosts(*c), t_low=0.3, t_high=0.8, prevalence=0.3)
    cost, _ = _cost_per_item(s, y, np.ones(5), 0.3, 0.8, 0.3, c)
    assert got == pytest.approx(0.3 * 10 - cost)


# --- intervals by simulation ---------------------------------------------------------------------

_PI = 0.1
_COSTS = (10.0, 5.0, 1.0)


def _true_profit(t_low: float, t_high: float) -> float:
    """The profit per item when bad scores are N(1.5, 1) and good N(0, 1) (closed form)."""
    ab = stats.norm.sf(t_high, 1.5)
    rb = stats.norm.sf(t_low, 1.5) - ab
    ag = stats.norm.sf(t_high, 0.0)
    rg = stats.norm.sf(t_low, 0.0) - ag
    c_m, c_fb, c_r = _COSTS
    return float(_PI * c_m * (ab + rb) - (_PI * rb + (1 - _PI) * rg) * c_r - (1 - _PI) * c_fb * ag)


def _draw(rng: np.random.Generator, n: int) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    y = rng.random(n) < 0.5
    return np.where(y, rng.normal(1.5, 1.0, n), rng.normal(0.0, 1.0, n)), y


def _tolerance(level: float, sims: int) -> float:
    """Three binomial standard deviations of a coverage estimated from ``sims`` simulations."""
    return 3 * math.sqrt(level * (1 - level) / sims)


def test_the_interval_of_a_fixed_policy_covers_its_true_profit() -> None:
    rng = np.random.default_rng(20)
    sims, covered = 300, 0
    truth = _true_profit(0.5, 2.0)
    for i in range(sims):
        s, y = _draw(rng, 400)
        out = evaluate_policy(
            s,
            y,
            PolicyCosts(*_COSTS),
            t_low=0.5,
            t_high=2.0,
            prevalence=_PI,
            n_bootstrap=200,
            seed=i,
        )
        covered += out.profit_ci_lower <= truth <= out.profit_ci_upper
        assert out.optimism == 0.0
        assert out.profit == out.apparent_profit
    assert abs(covered / sims - 0.95) <= _tolerance(0.95, sims)


def test_the_rechosen_bootstrap_covers_and_the_naive_one_is_optimistic() -> None:
    # The truth is known: the policy chosen on each sample is priced by the closed form.
    rng = np.random.default_rng(21)
    sims = 160
    honest = naive = 0
    apparent_gap, corrected_gap = [], []
    for i in range(sims):
        s, y = _draw(rng, 300)
        r = find_policy(
            s,
            y,
            PolicyCosts(*_COSTS),
            prevalence=_PI,
            review_capacity=0.2,
            n_bootstrap=100,
            seed=i,
            curve_points=2,
        )
        best = r.policy("best")
        truth = _true_profit(best.t_low, best.t_high)
        honest += best.profit_ci_lower <= truth <= best.profit_ci_upper
        naive += best.apparent_profit_ci_lower <= truth <= best.apparent_profit_ci_upper
        apparent_gap.append(best.apparent_profit - truth)
        corrected_gap.append(best.profit - truth)
    tol = _tolerance(0.95, sims)
    assert abs(honest / sims - 0.95) <= tol
    assert naive / sims < 0.95 - tol  # the naive interval misses, and misses high
    gap = np.array(apparent_gap)
    assert gap.mean() > 3 * gap.std(ddof=1) / math.sqrt(sims)  # the apparent profit is optimistic
    assert abs(np.mean(corrected_gap)) < gap.mean() / 2  # the correction removes most of it


def test_cost_uncertainty_widens_the_interval() -> None:
    rng = np.random.default_rng(4)
    s, y = _draw(rng, 500)
    fixed = find_policy(s, y, PolicyCosts(10.0, 5.0, 1.0), prevalence=_PI, n_bootstrap=400)
    uncertain = find_policy(
        s,
        y,
        PolicyCosts(LogNormal.from_mean_sd(10.0, 4.0), 5.0, 1.0),
        prevalence=Beta.from_mean_sd(_PI, 0.02),
        n_bootstrap=400,
    )
    a, b = fixed.policy("best"), uncertain.policy("best")
    assert (a.t_low, a.t_high) == (b.t_low, b.t_high)  # chosen on the means, which agree
    assert b.profit_ci_upper - b.profit_ci_lower > 1.5 * (a.profit_ci_upper - a.profit_ci_lower)
    nothing = uncertain.policy("do_nothing")
    assert nothing.profit_ci_lower == nothing.profit_ci_upper == 0.0


def test_the_bootstrap_is_reproducible_with_a_seed() -> None:
    rng = np.random.default_rng(6)
    s, y = _draw(rng, 200)
    a = find_policy(s, y, PolicyCosts(*_COSTS), n_bootstrap=50, seed=3)
    b = find_policy(s, y, PolicyCosts(*_COSTS), n_bootstrap=50, seed=3)
    assert a.to_dict() == b.to_dict()


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"label": [1, 2, 0]}, "`label` must hold 0/1"),
        ({"label": [1, 1, 1]}, "every example is bad"),
        ({"score": [0.1, math.nan, 0.3]}, "`score` has missing"),
        ({"score": [0.1, 0.2]}, "`label` has 3 values, `score` 2"),
        ({"prevalence": 1.5}, "`prevalence`"),
        ({"prevalence": 0.0}, "`prevalence` == 0.0, must be in (0, 1)"),
        ({"volume": 0.0}, "`volume`"),
        ({"review_capacity": -1.0}, "`review_capacity`"),
        ({"n_bootstrap": 5}, "`n_bootstrap` == 5"),
        ({"confidence_level": 1.2}, "`confidence_level`"),
        ({"max_thresholds": 1}, "`max_thresholds` == 1"),
        ({"costs": PolicyCosts(-1.0, 1.0, 1.0)}, "`missed`"),
        ({"costs": PolicyCosts(1.0, 1.0, 1.0, reviewer_miss_rate=2.0)}, "`reviewer_miss_rate`"),
        ({"costs": PolicyCosts(1.0, "a", 1.0)}, "`false_block` must be a number"),  # type: ignore[arg-type]
        ({"costs": {"missed": 1.0}}, "`costs` must be a PolicyCosts"),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "score": [0.9, 0.5, 0.1],
        "label": [1, 0, 0],
        "costs": PolicyCosts(5.0, 1.0, 0.5),
        "n_bootstrap": 0,
    }
    args.update(kwargs)
    with pytest.raises(ProxymetricError, match=None) as info:
        find_policy(**args)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_a_bad_policy_is_refused() -> None:
    with pytest.raises(ProxymetricError, match=r"`t_low` == 0\.8 must be <= `t_high` == 0\.2"):
        evaluate_policy([0.9, 0.1], [1, 0], PolicyCosts(1.0, 1.0, 1.0), t_low=0.8, t_high=0.2)


def test_a_grid_of_quantile_thresholds_is_searched_exactly() -> None:
    # With more distinct scores than `max_thresholds`, the candidates are observed scores at
    # evenly spaced ranks; the search is the brute force over those candidates alone.
    rng = np.random.default_rng(9)
    s, y, _ = _sample(rng, 60, ties=False)
    c = (12.0, 3.0, 0.8, 0.1, 0.05)
    unique = np.unique(s)
    grid = unique[np.unique(np.round(np.linspace(0, 1, 7) * (unique.size - 1)).astype(int))]
    t_low, t_high, profit = best_policy(
        s, y, PolicyCosts(*c), prevalence=0.2, review_capacity=0.15, max_thresholds=7
    )
    best = -math.inf
    for lo, hi in itertools.product([*grid.tolist(), math.inf], repeat=2):
        if lo <= hi:
            cost, reviews = _cost_per_item(s, y, np.ones(60), lo, hi, 0.2, c)
            if reviews <= 0.15 * (1 + 1e-9):
                best = max(best, 0.2 * c[0] - cost)
    assert profit == pytest.approx(best, rel=1e-9)
    assert {t_low, t_high} <= {*grid.tolist(), math.inf}


def test_weighted_examples_are_bootstrapped_example_by_example() -> None:
    # Weights of 2 for every example are the unweighted sample: the same point estimate, and
    # an interval of the same width within bootstrap noise (over 40 seeds the width of this
    # interval from 400 rounds varies by 4.8%; the difference of two widths by about 7%, and
    # 25% is more than three of those).
    rng = np.random.default_rng(12)
    s, y = _draw(rng, 400)
    plain = find_policy(s, y, PolicyCosts(*_COSTS), prevalence=_PI, n_bootstrap=400, seed=2)
    doubled = find_policy(
        s, y, PolicyCosts(*_COSTS), prevalence=_PI, weight=np.full(400, 2.0), n_bootstrap=400,
        seed=2,
    )  # fmt: skip
    a, b = plain.policy("best"), doubled.policy("best")
    assert b.apparent_profit == pytest.approx(a.apparent_profit, rel=1e-12)
    width_a = a.profit_ci_upper - a.profit_ci_lower
    width_b = b.profit_ci_upper - b.profit_ci_lower
    assert width_b == pytest.approx(width_a, rel=0.25)

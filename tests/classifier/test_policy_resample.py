"""Resampling weighted examples in the policy bootstraps: pooled or counted, the same bootstrap.

Weighted examples are drawn either example by example (counted, then count x weight summed per
cell) or, when many examples share a (cell, weight) pair, as one multinomial over the pairs.
Both must be the bootstrap of the examples: the reference is the definition itself, drawing
``n`` examples with replacement and adding up their weights, enumerated exactly on a tiny
sample and written out literally with the same random stream.
"""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest
from scipy import stats

from proxymetric.classifier import PolicyCosts, evaluate_policy
from proxymetric.classifier.policy import _resample_weighted, _weight_patterns

_CELL = np.array([0, 0, 0, 1, 1, 2])
_WEIGHT = np.array([1.0, 1.0, 2.0, 2.0, 2.0, 1.0])


def test_counted_draws_are_the_weights_of_the_drawn_examples() -> None:
    """Reference: the definition with the same random stream, written out: each round draws
    ``n`` indices and sums the weights of the drawn examples per cell. Equal to rounding."""
    rng = np.random.default_rng(3)
    n, size = 5000, 40
    cell = rng.integers(0, size, n)
    w = rng.uniform(0.5, 2.0, n)
    assert _weight_patterns(cell, w) is None  # weights differ from example to example
    got = _resample_weighted(cell, w, size, None, np.random.default_rng(9), 30)
    ref_rng = np.random.default_rng(9)
    for r in range(30):
        idx = ref_rng.integers(0, n, n)
        expected = np.zeros(size)
        for i in idx:
            expected[cell[i]] += w[i]
        np.testing.assert_allclose(got[r], expected, rtol=1e-12)


@pytest.mark.parametrize("pooled", [True, False])
def test_resampled_cells_have_the_bootstrap_distribution(
    pooled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reference: the exact distribution of the cell totals, enumerating all 6^6 = 46,656
    equally likely draws of 6 examples with replacement. 20,000 rounds, pooled into the 4
    (cell, weight) pairs or drawn example by example; a chi-square test of goodness of fit
    (cells with an expected count below 5 pooled) must not reject at 1e-3 (fixed seed)."""
    n, size, rounds = _CELL.size, 3, 20_000
    module = sys.modules[_weight_patterns.__module__]
    monkeypatch.setattr(module, "_EXAMPLES_PER_PATTERN", 1)  # pool from 1 example per pair
    patterns = _weight_patterns(_CELL, _WEIGHT) if pooled else None
    if pooled:
        assert patterns is not None
        assert sorted(zip(*(x.tolist() for x in patterns), strict=True)) == [
            (0, 1.0, 2.0), (0, 2.0, 1.0), (1, 2.0, 2.0), (2, 1.0, 1.0)
        ]  # fmt: skip
    got = _resample_weighted(_CELL, _WEIGHT, size, patterns, np.random.default_rng(4), rounds)
    exact: dict[tuple[float, ...], int] = {}
    for idx in itertools.product(range(n), repeat=n):
        pick = list(idx)
        key = tuple(np.bincount(_CELL[pick], weights=_WEIGHT[pick], minlength=size).tolist())
        exact[key] = exact.get(key, 0) + 1
    index = {k: i for i, k in enumerate(exact)}
    observed = np.bincount([index[tuple(row.tolist())] for row in got], minlength=len(index))
    assert observed.sum() == rounds  # every resample is a possible one
    expected = np.array(list(exact.values())) / n**n * rounds
    small = expected < 5
    obs = np.r_[observed[~small], observed[small].sum()]
    exp = np.r_[expected[~small], expected[small].sum()]
    assert stats.chisquare(obs, exp).pvalue > 1e-3


@pytest.mark.parametrize(("extra", "pooled"), [(0, False), (1, True)])
def test_examples_are_pooled_above_sixteen_per_pair(extra: int, pooled: bool) -> None:
    """Pooled into (cell, weight) pairs from more than 16 examples per pair (where it becomes
    cheaper): 10 pairs of 16 examples are drawn example by example, one example more tips it."""
    cell = np.repeat(np.arange(5), 32)
    w = np.tile(np.repeat([1.0, 3.0], 16), 5)
    cell, w = np.r_[cell, cell[:extra]], np.r_[w, w[:extra]]
    patterns = _weight_patterns(cell, w)
    assert (patterns is not None) is pooled
    if patterns is not None:
        assert patterns[2].sum() == cell.size
        np.testing.assert_array_equal(
            np.bincount(patterns[0], weights=patterns[1] * patterns[2]),
            np.bincount(cell, weights=w),
        )


def test_pooled_and_counted_draws_give_the_same_profit_spread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Simulation: the standard error of a fixed policy's profit from 4,000 bootstrap rounds of
    a stratified sample (weights 1 and 5: 12 (class, weight) pairs for 3,000 examples, so pooled
    by default) and from 4,000 rounds example by example (pooling turned off), independent
    seeds. The log ratio of two independent sample sds of B rounds has a standard error
    sqrt(2 (kurtosis - 1) / (4 B)) (delta method), 1 / sqrt(B) = 0.016 for a normal kurtosis
    of 3 (the profit is a smooth function of 6 cell totals); it must be within 4 of those. The
    costs are fixed numbers, so only the resampling varies."""
    rng = np.random.default_rng(8)
    n = 3000
    score = rng.random(n)
    label = rng.random(n) < score**2
    weight = np.where(rng.random(n) < 0.3, 5.0, 1.0)
    costs = PolicyCosts(missed=10.0, false_block=5.0, review=1.0)
    rounds = 4000
    cls = np.where(score >= 0.8, 0, np.where(score >= 0.4, 1, 2)) + np.where(label, 0, 3)
    assert _weight_patterns(cls, weight) is not None

    def profit_se(seed: int) -> float:
        r = evaluate_policy(
            score, label, costs, t_low=0.4, t_high=0.8, weight=weight, n_bootstrap=rounds,
            seed=seed,
        )  # fmt: skip
        return r.profit_se

    pooled = profit_se(1)
    monkeypatch.setattr(sys.modules[_weight_patterns.__module__], "_EXAMPLES_PER_PATTERN", 10**9)
    assert _weight_patterns(cls, weight) is None
    counted = profit_se(2)
    assert abs(np.log(pooled / counted)) < 4.0 / np.sqrt(rounds)

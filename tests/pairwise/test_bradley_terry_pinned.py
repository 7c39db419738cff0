"""The seeded bootstrap of Bradley-Terry is pinned: faster code must give the same numbers.

The numbers below were produced by the straightforward implementation (a float64 sparse product
of the item patterns with every round's multinomial counts) before it was optimised. They are a
regression pin, not a reference for correctness: correctness is checked against choix,
statsmodels and simulation in test_bradley_terry.py. The bootstrap refits stop at a step of
1e-7, so the pin allows 1e-9 (any change of the random stream or of the resampled counts moves
the numbers by about 1e-2).

Re-pinned once, on purpose: when items are at most 8 per distinct pattern (here with 5 and 2
judgments per item), a round's multinomial counts are now drawn by drawing its items by index
instead of with numpy's multinomial (about 7x cheaper when most items have a pattern of their
own). That is the same multinomial distribution with another random stream, so those rounds
changed; the point estimates did not (``_STRENGTHS`` is unchanged), nor did the case with one
judgment per item (1,500 items in 30 patterns: still numpy's multinomial, same numbers as the
first pin). Before re-pinning, the new draws were checked to be the same distribution:
``test_index_draws_have_the_multinomial_distribution`` and
``test_index_draws_give_the_multinomial_bootstrap_spread`` in test_bradley_terry.py, and the
coverage simulation there still passes. The 5-per-item quantiles moved by at most 0.032: 1.7
standard errors of the difference of two independent 2.5% quantiles of 200 rounds, which is
sqrt(2 * 0.025 * 0.975 / 200) / density at the quantile = 0.019 for a bootstrap sd of 0.073.
"""

from __future__ import annotations

import numpy as np
import pytest

from proxymetric.pairwise import bradley_terry
from proxymetric.pairwise.bradley_terry import _aggregate, _bootstrap

from .conftest import simulate

_STRENGTHS = [
    0.848250956785485,
    0.24332907718801963,
    0.007513981396765581,
    -0.2300421111734035,
    -0.8690519041968667,
]

# rounds 0, 99 and 199 of the bootstrap strengths, then their 2.5% and 97.5% quantiles
_PINNED = {
    1: (
        [
            [0.872737984674, 0.272238745062, -0.000726409524, -0.242775836273, -0.90147448394],
            [0.911250706994, 0.296509345768, -0.070537053535, -0.204966920459, -0.932256078769],
            [0.825167256436, 0.315100016771, -0.114341688051, -0.164383151678, -0.861542433478],
        ],
        [
            [0.726099079749, 0.096311603957, -0.108896159254, -0.346540179776, -0.986638867345],
            [0.977026959414, 0.368571618206, 0.130983722489, -0.084567802325, -0.738994573743],
        ],
    ),
    2: (
        [
            [0.85586608969, 0.234045678187, 0.00055947981, -0.285212774065, -0.805258473622],
            [0.868995269272, 0.302872610624, 0.019727149094, -0.300436906945, -0.891158122045],
            [0.894984580658, 0.231529434743, 0.092216832307, -0.318135498289, -0.900595349419],
        ],
        [
            [0.694887500891, 0.10751796829, -0.112850723007, -0.37122644308, -1.02397663824],
            [0.998528071326, 0.375050581658, 0.136184738899, -0.106503275599, -0.750862405107],
        ],
    ),
    5: (
        [
            [0.851435459251, 0.211386067885, 0.158220303177, -0.251814582455, -0.969227247858],
            [0.887132793688, 0.21475944758, -0.055846445838, -0.210208673001, -0.83583712243],
            [0.758473557948, 0.310920986284, 0.229495675017, -0.346156846641, -0.952733372608],
        ],
        [
            [0.721693689724, 0.115715910313, -0.114512264148, -0.346268486551, -1.007644485685],
            [0.97956320961, 0.385849994957, 0.150683550052, -0.093606481533, -0.753097807083],
        ],
    ),
}


@pytest.mark.parametrize("per_item", [1, 2, 5])
def test_seeded_bootstrap_is_pinned(per_item: int) -> None:
    rng = np.random.default_rng(11)
    j, _ = simulate(
        rng, np.array([0.8, 0.3, 0.0, -0.2, -0.9]), 1500, tie_rate=0.1, per_item=per_item
    )
    fit = bradley_terry(j, n_bootstrap=200, seed=7)
    by_code = sorted(fit.systems, key=lambda s: int(s.system))
    theta = np.array([s.strength for s in by_code])
    np.testing.assert_allclose(theta, _STRENGTHS, rtol=0, atol=1e-12)
    boot = _bootstrap(_aggregate(j), theta, 200, np.random.default_rng(7), 0.0)
    rounds, quantiles = _PINNED[per_item]
    np.testing.assert_allclose(boot[[0, 99, 199]], rounds, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        np.quantile(boot, [0.025, 0.975], axis=0), quantiles, rtol=0, atol=1e-9
    )
    # the result's score intervals are these quantiles on the score scale
    for k, s in enumerate(by_code):
        bounds = [getattr(s, name) for name in type(s).__dataclass_fields__ if "ci_" in name]
        assert any(abs(b - (1000 + 400 / np.log(10) * quantiles[0][k])) < 1e-6 for b in bounds)


@pytest.mark.parametrize(
    ("total", "dtype"),
    [(2**24 - 1, np.float32), (2**24 + 1, np.float64)],
)
def test_resampled_counts_are_exact(total: int, dtype: type) -> None:
    """The product of patterns and counts is exact: float32 only while it holds every sum.

    A pattern with half a win drawn ``total`` times has ``total / 2`` wins: below ``2**23``
    float32 holds it exactly (its spacing there is 0.5), at ``2**23 + 0.5`` it does not.
    """
    from scipy import sparse

    from proxymetric.pairwise.bradley_terry import _exact_product_matrix

    matrix, chosen = _exact_product_matrix(sparse.csr_matrix(np.array([[0.5, 1.0]])), total)
    assert chosen is (np.float32 if dtype is np.float32 else np.float64)
    counts = np.array([[total]], dtype=chosen)
    got = np.asarray(matrix @ counts).ravel().astype(np.float64)
    assert got.tolist() == [total / 2, total / 2]  # wins, losses

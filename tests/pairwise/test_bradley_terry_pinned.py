"""The seeded bootstrap of Bradley-Terry is pinned: faster code must give the same numbers.

The numbers below were produced by the straightforward implementation (a float64 sparse product
of the item patterns with every round's multinomial counts) before it was optimised. They are a
regression pin, not a reference for correctness: correctness is checked against choix,
statsmodels and simulation in test_bradley_terry.py. The bootstrap refits stop at a step of
1e-7, so the pin allows 1e-9 (any change of the random stream or of the resampled counts moves
the numbers by about 1e-2).
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
    5: (
        [
            [0.827323070022, 0.248198543474, -0.036536957451, -0.27768937413, -0.761295281915],
            [0.880939366819, 0.113569445843, -0.09227483813, -0.098117891901, -0.804116082631],
            [0.866521362596, 0.218654715456, 0.044755217364, -0.329494462252, -0.800436833164],
        ],
        [
            [0.697912584761, 0.11354102213, -0.122560415233, -0.352801070679, -1.017922431579],
            [0.997790840981, 0.383948091565, 0.125886187985, -0.10340272636, -0.720748131282],
        ],
    ),
}


@pytest.mark.parametrize("per_item", [1, 5])
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

"""Shared generator of simulated blind-test judgments with known strengths."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

from proxymetric.pairwise import Judgments

Simulate = Callable[..., tuple[Judgments, npt.NDArray[np.float64]]]


def simulate(
    rng: np.random.Generator,
    strengths: npt.NDArray[np.float64],
    n: int,
    *,
    tie_rate: float = 0.0,
    per_item: int = 1,
) -> tuple[Judgments, npt.NDArray[np.float64]]:
    """Return ``n`` judgments drawn from the Bradley-Terry model and the centred strengths.

    Pairs are uniform over distinct systems. ``a`` wins with probability p - t/2, ties with
    probability t and loses otherwise, where p = sigmoid(s_a - s_b) and t = min(tie_rate,
    2 min(p, 1 - p)): the expected outcome with ties as half wins is then exactly p, so the
    model with ties as half wins is correctly specified.
    ``per_item`` consecutive judgments share an item.
    """
    s = strengths.size
    a = rng.integers(0, s, n)
    b = (a + rng.integers(1, s, n)) % s
    p = 1.0 / (1.0 + np.exp(-(strengths[a] - strengths[b])))
    t = np.minimum(tie_rate, 2.0 * np.minimum(p, 1.0 - p))
    u = rng.random(n)
    y = np.where(u < p - t / 2.0, 1.0, np.where(u < p + t / 2.0, 0.5, 0.0))
    item = np.arange(n) // per_item
    return Judgments.from_codes(a, b, y, item), strengths - strengths.mean()


@pytest.fixture
def simulate_judgments() -> Simulate:
    return simulate

"""Planning a blind test: how many judgments, and which pairs to judge next."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.special import ndtri

from proxymetric._result import Result
from proxymetric._validation import check_number
from proxymetric.errors import ProxymetricError
from proxymetric.pairwise.bradley_terry import (
    SCORE_SCALE,
    _aggregate,
    _check_identifiable,
    _fit,
    _information,
    _laplacian_pinv,
)
from proxymetric.pairwise.judgments import Judgments

__all__ = ["JudgmentPlan", "PairSuggestion", "judgments_needed", "next_pairs"]


@dataclasses.dataclass(frozen=True)
class JudgmentPlan(Result):
    """Judgments needed to detect ``win_rate`` against ``baseline`` at ``alpha`` and ``power``.

    ``non_tie_judgments`` are decided votes; ``judgments`` inflates them by ``tie_rate``.
    """

    win_rate: float
    baseline: float
    alpha: float
    power: float
    tie_rate: float
    non_tie_judgments: int
    judgments: int


@dataclasses.dataclass(frozen=True)
class PairSuggestion(Result):
    """A pair to judge next and the widest score interval before and after its judgments.

    ``widest_system`` is the system whose interval is widest once the suggestion is judged;
    widths are model-based (Fisher information), in score points, at the chosen confidence level.
    """

    system_a: str
    system_b: str
    judgments: int
    widest_ci_before: float
    widest_ci_after: float
    widest_system: str


def judgments_needed(
    win_rate: float,
    *,
    baseline: float = 0.5,
    alpha: float = 0.05,
    power: float = 0.8,
    tie_rate: float = 0.0,
) -> JudgmentPlan:
    """Return the judgments a two-sided one-sample test of a proportion needs.

    Normal approximation to the binomial (Fleiss, Levin and Paik, *Statistical Methods for
    Rates and Proportions*, 2003, eq. 2.5): ``n = ((z_{1-alpha/2} sqrt(p0 q0) + z_power
    sqrt(p1 q1)) / (p1 - p0))^2`` decided votes, divided by ``1 - tie_rate`` for all votes.

    >>> judgments_needed(0.55).non_tie_judgments, judgments_needed(0.60).non_tie_judgments
    (783, 194)
    """
    check_number("win_rate", win_rate, low=0, high=1)
    check_number("baseline", baseline, low=0, high=1)
    check_number("alpha", alpha, low=0, high=1)
    check_number("power", power, low=0, high=1)
    check_number("tie_rate", tie_rate, low=0, high=1, low_inclusive=True)
    if win_rate == baseline:
        raise ProxymetricError(
            f"`win_rate` == {win_rate!r} equals `baseline`; there is no difference to detect"
        )
    za = float(ndtri(1.0 - alpha / 2.0))
    zb = float(ndtri(power))
    sd0 = math.sqrt(baseline * (1.0 - baseline))
    sd1 = math.sqrt(win_rate * (1.0 - win_rate))
    n = ((za * sd0 + zb * sd1) / (win_rate - baseline)) ** 2
    decided = math.ceil(n - 1e-9)
    return JudgmentPlan(
        win_rate=win_rate,
        baseline=baseline,
        alpha=alpha,
        power=power,
        tie_rate=tie_rate,
        non_tie_judgments=decided,
        judgments=math.ceil(decided / (1.0 - tie_rate) - 1e-9),
    )


def next_pairs(
    judgments: Judgments,
    *,
    n_pairs: int = 5,
    batch: int = 100,
    confidence_level: float = 0.95,
    ridge: float = 0.0,
) -> tuple[PairSuggestion, ...]:
    """Return ``n_pairs`` pairs to judge next, ``batch`` judgments each, chosen greedily.

    Each step picks the pair whose judgments most shrink the widest score interval (the
    largest variance of a centred strength; ties broken by the total variance), under the
    Fisher information of the fitted model: ``batch`` judgments on pair (i, j) add
    ``batch p (1 - p) (e_i - e_j)(e_i - e_j)^T`` to it, and the covariance is updated by the
    Sherman-Morrison formula. This is greedy A/E-optimal design (Pukelsheim, *Optimal Design
    of Experiments*, 1993) applied to the Bradley-Terry model.
    """
    for name, value in (("n_pairs", n_pairs), ("batch", batch)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ProxymetricError(f"`{name}` must be an integer >= 1; got {value!r}")
    check_number("confidence_level", confidence_level, low=0, high=1)
    check_number("ridge", ridge, low=0, low_inclusive=True)
    agg = _aggregate(judgments)
    _check_identifiable(agg, judgments.systems, ridge)
    w, n = agg.totals()
    s = agg.n_systems
    theta = _fit(w[None], n[None], agg.pair_i, agg.pair_j, s, np.zeros(1), ridge)[0]
    info = _information(theta, n, agg.pair_i, agg.pair_j) + ridge * np.eye(s)
    cov = _laplacian_pinv(info) if ridge == 0 else np.linalg.inv(info)
    width = 2.0 * float(ndtri(0.5 + confidence_level / 2.0)) * SCORE_SCALE
    ii, jj = np.triu_indices(s, k=1)
    p = 1.0 / (1.0 + np.exp(-(theta[ii] - theta[jj])))
    c = batch * p * (1.0 - p)
    out = []
    for _ in range(n_pairs):
        diag = np.diag(cov)
        before = width * math.sqrt(max(float(diag.max()), 0.0))
        u = cov[:, ii] - cov[:, jj]  # (systems, pairs): cov @ (e_i - e_j)
        quad = u[ii, np.arange(ii.size)] - u[jj, np.arange(ii.size)]
        shrink = c / (1.0 + c * quad)
        new_diag = diag[:, None] - shrink[None, :] * u * u
        worst = new_diag.max(axis=0)
        best = int(np.lexsort((new_diag.sum(axis=0), worst))[0])
        cov = cov - shrink[best] * np.outer(u[:, best], u[:, best])
        after_diag = np.diag(cov)
        k = int(after_diag.argmax())
        out.append(
            PairSuggestion(
                system_a=judgments.systems[int(ii[best])],
                system_b=judgments.systems[int(jj[best])],
                judgments=batch,
                widest_ci_before=before,
                widest_ci_after=width * math.sqrt(max(float(after_diag[k]), 0.0)),
                widest_system=judgments.systems[k],
            )
        )
    return tuple(out)

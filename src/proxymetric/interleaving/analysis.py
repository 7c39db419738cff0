"""Analysis of interleaving click logs: which ranker do units (users, queries) prefer?

Each click on an interleaved list is credited to the team (ranker) that contributed the clicked
item. A unit prefers the ranker with more credited clicks over all its lists; units with clicks
but equal credit are ties, units without clicks carry no preference and are left out
(Chapelle, Joachims, Radlinski and Yue, "Large-scale validation and analysis of interleaved
search evaluation", ACM TOIS 2012).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from proxymetric._result import Result
from proxymetric._table import read_columns, require_columns
from proxymetric._validation import check_number
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.pairwise.planning import judgments_needed
from proxymetric.stats.binomial import sign_test, wilson_interval

__all__ = [
    "InterleavingPlan",
    "InterleavingResult",
    "analyze_clicks",
    "preference_from_counts",
    "units_needed",
]


@dataclasses.dataclass(frozen=True)
class InterleavingResult(Result):
    """Preference between rankers ``a`` and ``b`` from interleaved click logs.

    ``preference_a`` is the share of units with a preference that prefer ``a``, with its
    Wilson interval ``preference_a_ci_lower``/``preference_a_ci_upper``; ``delta`` is
    ``(wins_a + ties / 2) / units - 1/2`` (Chapelle et al. 2012), positive when ``a`` is
    preferred, with a percentile bootstrap interval over units; ``pvalue`` is the exact
    two-sided sign test of ``wins_a`` against ``wins_b``; ``winner`` is ``a`` or ``b`` when
    ``pvalue`` < ``alpha``, else ``none``.
    """

    units: int
    units_without_clicks: int
    lists: int
    clicks: int
    wins_a: int
    wins_b: int
    ties: int
    preference_a: float
    preference_a_ci_lower: float
    preference_a_ci_upper: float
    delta: float
    delta_ci_lower: float
    delta_ci_upper: float
    pvalue: float
    winner: str
    alpha: float
    confidence_level: float
    n_bootstrap: int


@dataclasses.dataclass(frozen=True)
class InterleavingPlan(Result):
    """Units needed to detect ``preference`` (share of units with a preference that prefer the
    better ranker) at ``alpha`` and ``power``; ``units`` inflates the decided units by the
    share of units that show no preference (``tie_rate``)."""

    preference: float
    alpha: float
    power: float
    tie_rate: float
    decided_units: int
    units: int


def preference_from_counts(
    wins_a: int,
    wins_b: int,
    ties: int,
    *,
    confidence_level: float = 0.95,
    alpha: float = 0.05,
    n_bootstrap: int = 2000,
    seed: int | None = 0,
    units_without_clicks: int = 0,
    lists: int = 0,
    clicks: int = 0,
) -> InterleavingResult:
    """Return the preference analysis from per-unit outcome counts.

    The bootstrap over units draws the three outcome counts from a multinomial with the
    observed shares, which is exactly resampling units with replacement (Efron 1979).

    >>> r = preference_from_counts(60, 40, 10, n_bootstrap=200)
    >>> round(r.preference_a, 2), round(r.delta, 4), round(r.pvalue, 4), r.winner
    (0.6, 0.0909, 0.0569, 'none')
    """
    check_number("confidence_level", confidence_level, low=0, high=1)
    check_number("alpha", alpha, low=0, high=1)
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, int) or n_bootstrap < 1:
        raise ProxymetricError(f"`n_bootstrap` must be an integer >= 1; got {n_bootstrap!r}")
    units = wins_a + wins_b + ties
    decided = wins_a + wins_b
    lo, hi = wilson_interval(wins_a, decided, confidence_level)
    if units > 0:
        delta = (wins_a + ties / 2.0) / units - 0.5
        rng = np.random.default_rng(seed)
        draws = rng.multinomial(
            units, np.array([wins_a, wins_b, ties]) / units, size=n_bootstrap
        ).astype(np.float64)
        boot = (draws[:, 0] + draws[:, 2] / 2.0) / units - 0.5
        q = (1.0 - confidence_level) / 2.0
        d_lo, d_hi = (float(x) for x in np.quantile(boot, [q, 1.0 - q]))
    else:
        delta = d_lo = d_hi = math.nan
    pvalue = sign_test(wins_a, decided)
    winner = "none"
    if pvalue < alpha:
        winner = "a" if wins_a > wins_b else "b"
    return InterleavingResult(
        units=units,
        units_without_clicks=units_without_clicks,
        lists=lists,
        clicks=clicks,
        wins_a=wins_a,
        wins_b=wins_b,
        ties=ties,
        preference_a=wins_a / decided if decided else math.nan,
        preference_a_ci_lower=lo,
        preference_a_ci_upper=hi,
        delta=delta,
        delta_ci_lower=d_lo,
        delta_ci_upper=d_hi,
        pvalue=pvalue,
        winner=winner,
        alpha=alpha,
        confidence_level=confidence_level,
        n_bootstrap=n_bootstrap,
    )


def analyze_clicks(
    source: Any,
    *,
    confidence_level: float = 0.95,
    alpha: float = 0.05,
    n_bootstrap: int = 2000,
    seed: int | None = 0,
) -> InterleavingResult:
    """Return the preference between rankers from a click log.

    ``source`` (CSV/Parquet path, data frame or mapping of columns) has one row per shown item
    with columns ``unit``, ``list`` (an impression id), ``item``, ``team`` (``a`` or ``b``) and
    ``clicked`` (0/1 or true/false). Counting is vectorised: clicks are summed per unit and
    team with ``numpy.bincount``.
    """
    cols = read_columns(source)
    require_columns(cols, ("unit", "list", "item", "team", "clicked"), "clicks")
    if len(cols["unit"]) == 0:
        raise DataError("the clicks table has no rows")
    team = np.char.lower(np.char.strip(cols["team"].astype(str)))
    bad = ~np.isin(team, ("a", "b"))
    if bad.any():
        raise DataError(
            f"column `team` must hold 'a' or 'b'; got {str(cols['team'][bad][0])!r} "
            f"in {int(bad.sum())} rows"
        )
    clicked = _clicks(cols["clicked"])
    _, unit = np.unique(cols["unit"].astype(str), return_inverse=True)
    n_units = int(unit.max()) + 1
    list_key = np.char.add(np.char.add(cols["unit"].astype(str), "\x1f"), cols["list"].astype(str))
    lists = int(np.unique(list_key).size)
    credit_a = np.bincount(unit, weights=clicked * (team == "a"), minlength=n_units)
    credit_b = np.bincount(unit, weights=clicked * (team == "b"), minlength=n_units)
    any_click = (credit_a + credit_b) > 0
    wins_a = int((credit_a > credit_b).sum())
    wins_b = int((credit_b > credit_a).sum())
    ties = int((any_click & (credit_a == credit_b)).sum())
    return preference_from_counts(
        wins_a,
        wins_b,
        ties,
        confidence_level=confidence_level,
        alpha=alpha,
        n_bootstrap=n_bootstrap,
        seed=seed,
        units_without_clicks=int((~any_click).sum()),
        lists=lists,
        clicks=int(clicked.sum()),
    )


def _clicks(values: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    if values.dtype.kind in "biuf":
        out = np.asarray(values, dtype=np.float64)
    else:
        text = np.char.lower(np.char.strip(values.astype(str)))
        truthy = np.isin(text, ("1", "true", "yes", "1.0"))
        falsy = np.isin(text, ("0", "false", "no", "0.0"))
        if not (truthy | falsy).all():
            bad = text[~(truthy | falsy)][0]
            raise DataError(f"column `clicked` must hold 0/1 or true/false; got {str(bad)!r}")
        out = truthy.astype(np.float64)
    bad_num = ~np.isin(out, (0.0, 1.0))
    if bad_num.any():
        raise DataError(
            f"column `clicked` must hold 0/1 or true/false; got {float(out[bad_num][0])!r} "
            f"in {int(bad_num.sum())} rows"
        )
    return out


def units_needed(
    preference: float, *, alpha: float = 0.05, power: float = 0.8, tie_rate: float = 0.0
) -> InterleavingPlan:
    """Return the units needed to detect ``preference`` with a two-sided sign test.

    The decided units follow the normal approximation of the one-sample binomial test
    (as :func:`proxymetric.pairwise.judgments_needed`); units without a preference (no click
    or equal credit, share ``tie_rate``) add nothing, so the total is divided by
    ``1 - tie_rate``.

    >>> units_needed(0.6, tie_rate=0.5).units
    388
    """
    plan = judgments_needed(preference, alpha=alpha, power=power, tie_rate=tie_rate)
    return InterleavingPlan(
        preference=preference,
        alpha=alpha,
        power=power,
        tie_rate=tie_rate,
        decided_units=plan.non_tie_judgments,
        units=plan.judgments,
    )

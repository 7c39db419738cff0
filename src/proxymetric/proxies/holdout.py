"""The program against its holdout: did the shipped experiments deliver what they claimed?

A long-running holdout (``holdout: true``) keeps a small share of the users away from everything
shipped; its effect on a metric (shipped arm minus held-out arm) measures the cumulative effect
of the launches it covers. Their experiments claimed effects too. The roll-up sets the two side
by side:

- the *naive sum* ``N = sum_i r_i y_i`` of the shipped estimates ``y_i`` (each times its
  ``reach`` ``r_i``, the share of the holdout's population the change reaches), of variance
  ``sum_i r_i^2 s_i^2`` (experiments are independent);
- the *shrunk sum* ``S = sum_i r_i m_i`` of their empirical-Bayes posterior means ``m_i``
  (:func:`proxymetric.proxies.shrink_effects`, the prior fitted over every comparison of the
  metric in the registry but the holdout's own), whose variance adds the posterior variances and
  the estimation error of the fitted prior (bootstrap refits, as in
  :func:`proxymetric.proxies.program_impact`);
- the *realized share* ``H / N`` and ``H / S`` of the holdout's effect ``H``, with Fieller's
  interval for a ratio of independent normal estimates (Fieller, "Some Problems in Interval
  Estimation", JRSS B 1954): the set of ratios ``rho`` with ``|H - rho D| <= z sqrt(v_H + rho^2
  v_D)``. It is a finite interval only when the denominator differs from zero at that level
  (``D^2 > z^2 v_D``); otherwise it is the whole line or the line minus an interval, and the
  bounds are infinite. The delta-method standard error ``sqrt(v_H + rho^2 v_D) / |D|`` is given
  beside it;
- a z-test of ``H`` against each sum: ``(H - N) / sqrt(v_H + v_N)``, two-sided. Selecting the
  winners makes ``N`` overstate the true effect of the launches (the winner's curse; Lee and
  Shen, KDD 2018), so the test against ``N`` rejects too often even when every launch delivered
  its true effect; ``S`` is unbiased for it given the estimates, and the test against ``S``
  keeps its level.

Absolute effects add: the roll-up assumes the launches' effects on the metric are additive (no
interaction between launches, no saturation) and that each experiment's population is the one
the holdout covers (times its reach). Relative figures are the absolute ones divided by the
holdout's control mean (taken as known): the launches' own relative effects, each against its
own baseline at its own time, are not summed. The shares do not depend on that conversion.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtr, ndtri

from proxymetric._result import Result
from proxymetric._validation import check_number
from proxymetric.errors import ProxymetricError
from proxymetric.proxies.impact import _prior_error_variance, shrink_effects
from proxymetric.proxies.table import EffectTable, table_from_registry

if TYPE_CHECKING:
    from proxymetric.analysis.result import ExperimentResult
    from proxymetric.registry.store import Record, Registry

__all__ = [
    "HoldoutLaunch",
    "HoldoutRollup",
    "fieller_interval",
    "holdout_rollup",
    "holdout_rollup_from_registry",
]


def fieller_interval(
    numerator: float,
    numerator_se: float,
    denominator: float,
    denominator_se: float,
    *,
    confidence_level: float = 0.95,
) -> tuple[float, float, str]:
    """Return ``(lower, upper, kind)``: Fieller's interval for ``numerator / denominator``.

    The two estimates are independent and normal. ``kind`` is ``bounded`` (a finite interval),
    ``exclusive`` (the line minus an interval, reported as unbounded: ``lower`` and ``upper``
    are then ``-inf`` and ``inf``, which covers at least as often) or ``whole_line`` (every
    ratio is consistent with the data); both unbounded kinds happen when the denominator is not
    distinguishable from zero at the level.

    >>> lo, hi, kind = fieller_interval(2.0, 0.5, 4.0, 0.1)
    >>> round(lo, 4), round(hi, 4), kind
    (0.2547, 0.7477, 'bounded')
    """
    a, b = float(numerator), float(denominator)
    va, vb = float(numerator_se) ** 2, float(denominator_se) ** 2
    z = float(ndtri(0.5 + confidence_level / 2.0))
    # (a - rho b)^2 <= z^2 (va + rho^2 vb)  <=>  qa rho^2 - 2 qb rho + qc <= 0
    qa, qb, qc = b * b - z * z * vb, a * b, a * a - z * z * va
    disc = qb * qb - qa * qc
    if qa > 0:
        root = math.sqrt(max(disc, 0.0))
        return (qb - root) / qa, (qb + root) / qa, "bounded"
    kind = "exclusive" if disc > 0 and qa < 0 else "whole_line"
    return -math.inf, math.inf, kind


@dataclass(frozen=True)
class HoldoutLaunch(Result):
    """One shipped comparison the holdout covers: its estimate, its shrunk effect and its reach.

    ``ended`` is the date of its latest result record (ISO), ``None`` when not known.
    """

    comparison: str
    reach: float
    ended: str | None
    effect: float
    effect_se: float
    shrunk_effect: float
    shrunk_effect_se: float


@dataclass(frozen=True)
class HoldoutRollup(Result):
    """The holdout's cumulative effect on ``metric`` against the launches it covers.

    ``holdout_effect`` is the holdout's effect (shipped arm ``variant`` minus the held-out
    control, of mean ``control_mean``); ``naive_sum`` the sum of the shipped estimates times
    their reach, ``shrunk_sum`` the sum of their posterior means times their reach (its
    ``shrunk_sum_se`` includes ``shrunk_sum_prior_se``, the fitted prior's error from
    ``bootstrap`` refits). Intervals are normal at ``confidence_level``; ``rel_*`` divide by
    ``control_mean``. ``naive_share = holdout_effect / naive_sum`` (``shrunk_share`` likewise)
    has Fieller's interval (``naive_share_interval``: ``bounded``, ``exclusive`` or
    ``whole_line``; the bounds are infinite, ``null`` in JSON, unless bounded) and the
    delta-method standard error ``naive_share_se``. ``naive_z`` and ``naive_pvalue`` test
    ``holdout_effect = naive_sum`` (two-sided; ``shrunk_*`` likewise). ``*_money`` multiply by
    ``value_per_unit`` and ``units`` (NaN without a value per unit). ``prior_mean`` and
    ``prior_sd`` describe the true effects fitted over ``n_experiments`` comparisons;
    ``launches`` lists the ``n_shipped`` comparisons summed.
    """

    metric: str
    holdout: str
    variant: str
    control_mean: float
    n_experiments: int
    n_shipped: int
    prior_mean: float
    prior_sd: float
    holdout_effect: float
    holdout_effect_se: float
    holdout_effect_ci_lower: float
    holdout_effect_ci_upper: float
    rel_holdout_effect: float
    rel_holdout_effect_ci_lower: float
    rel_holdout_effect_ci_upper: float
    naive_sum: float
    naive_sum_se: float
    naive_sum_ci_lower: float
    naive_sum_ci_upper: float
    rel_naive_sum: float
    shrunk_sum: float
    shrunk_sum_se: float
    shrunk_sum_ci_lower: float
    shrunk_sum_ci_upper: float
    shrunk_sum_prior_se: float
    rel_shrunk_sum: float
    naive_share: float
    naive_share_se: float
    naive_share_ci_lower: float
    naive_share_ci_upper: float
    naive_share_interval: str
    shrunk_share: float
    shrunk_share_se: float
    shrunk_share_ci_lower: float
    shrunk_share_ci_upper: float
    shrunk_share_interval: str
    naive_z: float
    naive_pvalue: float
    shrunk_z: float
    shrunk_pvalue: float
    value_per_unit: float
    units: float
    holdout_money: float
    holdout_money_ci_lower: float
    holdout_money_ci_upper: float
    naive_money: float
    naive_money_ci_lower: float
    naive_money_ci_upper: float
    shrunk_money: float
    shrunk_money_ci_lower: float
    shrunk_money_ci_upper: float
    confidence_level: float
    bootstrap: int
    launches: list[HoldoutLaunch]


def _holdout_estimate(
    holdout: ExperimentResult | Record, metric: str, variant: str | None
) -> tuple[str, str, float, float, float]:
    """Return ``(name, variant, effect, effect_se, control_mean)`` of the holdout on ``metric``."""
    from proxymetric.analysis.result import ExperimentResult

    rows: list[tuple[str, float | None, float | None, float | None]]
    if isinstance(holdout, ExperimentResult):
        name, is_holdout = holdout.experiment, holdout.holdout
        rows = [
            (r.variant, r.effect, r.effect_se, r.control_mean)
            for r in holdout.results
            if r.metric == metric
        ]
        metrics = sorted({r.metric for r in holdout.results})
    else:
        name = holdout.experiment
        is_holdout = holdout.kind == "analysis" and holdout.details.get("holdout") is True
        rows = [
            (e.variant, e.effect, e.effect_se, e.control_mean)
            for e in holdout.effects
            if e.metric == metric
        ]
        metrics = sorted({e.metric for e in holdout.effects})
    if not is_holdout:
        raise ProxymetricError(
            f"`holdout` experiment {name!r} is not a holdout; analyse an experiment declared "
            "with `holdout: true` (and record it with `analyze --record`)"
        )
    if not rows:
        raise ProxymetricError(
            f"`metric` {metric!r} is not measured by the holdout {name!r}; its metrics: "
            f"{', '.join(metrics) or '(none)'}"
        )
    if variant is not None:
        rows = [r for r in rows if r[0] == variant]
        if not rows:
            raise ProxymetricError(
                f"`variant` {variant!r} is not a treatment of the holdout {name!r}"
            )
    if len(rows) > 1:
        raise ProxymetricError(
            f"the holdout {name!r} has {len(rows)} treatments; choose one with `variant` "
            f"({', '.join(str(r[0]) for r in rows)})"
        )
    v, effect, se, mean = rows[0]
    nums = [math.nan if x is None else float(x) for x in (effect, se, mean)]
    if not (math.isfinite(nums[0]) and math.isfinite(nums[1]) and nums[1] >= 0):
        raise ProxymetricError(
            f"the holdout {name!r} has no effect on `metric` {metric!r} (not estimated, or not "
            "yet mature)"
        )
    return name, str(v), nums[0], nums[1], nums[2]


def _experiment_of(label: str) -> str:
    """Return the experiment of a comparison label ``experiment/variant`` (the label itself when
    it names no variant)."""
    return label.rpartition("/")[0] or label


def _date(param: str, value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ProxymetricError(f"`{param}` must be a date YYYY-MM-DD; got {value!r}") from None


def _select(
    table: EffectTable,
    candidates: list[int],
    experiments: Sequence[str] | None,
    ended_from: dt.date | None,
    ended_to: dt.date | None,
    end_dates: Mapping[str, dt.date | str] | None,
) -> list[int]:
    """Return the rows of ``candidates`` (shipped comparisons) that the selection keeps."""
    labels = table.labels
    shipped_names = {labels[k] for k in candidates} | {
        _experiment_of(labels[k]) for k in candidates
    }
    keep = list(candidates)
    if experiments is not None:
        wanted = [experiments] if isinstance(experiments, str) else [str(e) for e in experiments]
        for e in wanted:
            if e not in shipped_names:
                listed = ", ".join(sorted(labels[k] for k in candidates)) or "(none)"
                raise ProxymetricError(
                    f"`experiments` {e!r} is not a shipped comparison with this metric; shipped: "
                    f"{listed}"
                )
        keep = [k for k in keep if labels[k] in wanted or _experiment_of(labels[k]) in wanted]
    if ended_from is not None or ended_to is not None:
        if end_dates is None:
            raise ProxymetricError(
                "selecting by end date (`ended_from`, `ended_to`) needs `end_dates`, the end "
                "date of each experiment"
            )
        dated = []
        for k in keep:
            exp = _experiment_of(labels[k])
            raw = end_dates.get(labels[k], end_dates.get(exp))
            when = _date("end_dates", raw)
            if when is None:
                continue
            if (ended_from is None or when >= ended_from) and (
                ended_to is None or when <= ended_to
            ):
                dated.append(k)
        keep = dated
    return keep


def holdout_rollup(
    holdout: ExperimentResult | Record,
    table: EffectTable,
    metric: str,
    *,
    variant: str | None = None,
    experiments: Sequence[str] | None = None,
    ended_from: dt.date | str | None = None,
    ended_to: dt.date | str | None = None,
    end_dates: Mapping[str, dt.date | str] | None = None,
    reach: Mapping[str, float] | None = None,
    value_per_unit: float | None = None,
    units: float = 1.0,
    confidence_level: float = 0.95,
    bootstrap: int = 1000,
    seed: int = 0,
) -> HoldoutRollup:
    """Return the :class:`HoldoutRollup` of ``holdout`` on ``metric`` against ``table``.

    ``holdout`` is the analysis of a ``holdout: true`` experiment (an ``ExperimentResult``, or
    its analysis record in a registry); ``variant`` its treatment arm when it has several. The
    launches are the shipped comparisons of ``table`` with ``metric`` (the holdout's own rows
    excluded), narrowed to ``experiments`` (experiment names or ``experiment/variant`` labels)
    and to those whose end date (``end_dates``, by name or label) lies in
    ``[ended_from, ended_to]``. ``reach`` maps an experiment (or label) to the share of the
    holdout's population its change reaches, in (0, 1] (1 by default). The prior of true
    effects is fitted over every comparison of ``table`` with ``metric`` but the holdout's;
    ``bootstrap`` refits of it (random stream ``seed``) give its error (0: treated as known).
    """
    check_number("confidence_level", confidence_level, low=0, high=1)
    check_number("units", units, low=0)
    if value_per_unit is not None:
        check_number("value_per_unit", value_per_unit)
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int | np.integer):
        raise ProxymetricError(
            f"`bootstrap` must be a whole number of resamples; got {bootstrap!r}"
        )
    if bootstrap != 0:
        check_number("bootstrap", bootstrap, low=100, low_inclusive=True)
    name, arm, h, h_se, control_mean = _holdout_estimate(holdout, metric, variant)
    if metric not in table.metrics:
        raise ProxymetricError(
            f"`metric` {metric!r} has no experiment in the registry; metrics there: "
            f"{', '.join(table.metrics) or '(none)'}"
        )
    j = table.metrics.index(metric)
    y_all = table.effects[:, j]
    se_all = np.sqrt(table.noise_cov[:, j, j])
    own = np.array([_experiment_of(lab) == name for lab in table.labels], dtype=bool)
    ok = np.isfinite(y_all) & np.isfinite(se_all) & ~own
    rows = np.flatnonzero(ok)
    candidates = [int(k) for k in rows if table.shipped[k]]
    chosen = _select(
        table,
        candidates,
        experiments,
        _date("ended_from", ended_from),
        _date("ended_to", ended_to),
        end_dates,
    )
    if not chosen:
        raise ProxymetricError(
            f"no shipped experiment with `metric` {metric!r} in the selection (of "
            f"{len(candidates)} shipped comparisons); widen `experiments` or the dates"
        )
    reaches = _reaches(table, chosen, reach)
    if len(rows) < 3:
        raise ProxymetricError(
            f"the roll-up needs at least 3 comparisons with `metric` {metric!r} to fit the "
            f"prior of true effects; found {len(rows)}"
        )
    y, se = y_all[rows], se_all[rows]
    post, post_sd, mu, tau = shrink_effects(y, se)
    position = {int(k): i for i, k in enumerate(rows)}
    pick = np.array([position[k] for k in chosen])
    mask = np.zeros(len(rows), dtype=bool)
    mask[pick] = True
    order = np.flatnonzero(mask)  # the chosen rows in table order, as the bootstrap sees them
    w = np.array([reaches[int(rows[i])] for i in order])
    naive = float(w @ y[order])
    naive_var = float(w**2 @ se[order] ** 2)
    shrunk = float(w @ post[order])
    prior_var = (
        _prior_error_variance(y, se, mask, int(bootstrap), seed, weights=w) if bootstrap else 0.0
    )
    shrunk_var = float(w**2 @ post_sd[order] ** 2) + prior_var
    z = float(ndtri(0.5 + confidence_level / 2.0))
    naive_se, shrunk_se = math.sqrt(naive_var), math.sqrt(shrunk_var)
    scale = math.nan if value_per_unit is None else value_per_unit * units
    rel = 1.0 / control_mean if math.isfinite(control_mean) and control_mean != 0 else math.nan
    n_share = _share(h, h_se, naive, naive_se, confidence_level)
    s_share = _share(h, h_se, shrunk, shrunk_se, confidence_level)
    n_z = (h - naive) / math.sqrt(h_se**2 + naive_var) if h_se + naive_se > 0 else math.nan
    s_z = (h - shrunk) / math.sqrt(h_se**2 + shrunk_var) if h_se + shrunk_se > 0 else math.nan
    ended = {} if end_dates is None else end_dates
    launches = [
        HoldoutLaunch(
            comparison=table.labels[int(rows[i])],
            reach=reaches[int(rows[i])],
            ended=_ended(ended, table.labels[int(rows[i])]),
            effect=float(y[i]),
            effect_se=float(se[i]),
            shrunk_effect=float(post[i]),
            shrunk_effect_se=float(post_sd[i]),
        )
        for i in order
    ]
    return HoldoutRollup(
        metric=metric,
        holdout=name,
        variant=arm,
        control_mean=control_mean,
        n_experiments=len(rows),
        n_shipped=len(order),
        prior_mean=mu,
        prior_sd=tau,
        holdout_effect=h,
        holdout_effect_se=h_se,
        holdout_effect_ci_lower=h - z * h_se,
        holdout_effect_ci_upper=h + z * h_se,
        rel_holdout_effect=h * rel,
        rel_holdout_effect_ci_lower=_low((h - z * h_se) * rel, (h + z * h_se) * rel),
        rel_holdout_effect_ci_upper=_high((h - z * h_se) * rel, (h + z * h_se) * rel),
        naive_sum=naive,
        naive_sum_se=naive_se,
        naive_sum_ci_lower=naive - z * naive_se,
        naive_sum_ci_upper=naive + z * naive_se,
        rel_naive_sum=naive * rel,
        shrunk_sum=shrunk,
        shrunk_sum_se=shrunk_se,
        shrunk_sum_ci_lower=shrunk - z * shrunk_se,
        shrunk_sum_ci_upper=shrunk + z * shrunk_se,
        shrunk_sum_prior_se=math.sqrt(prior_var) if bootstrap else math.nan,
        rel_shrunk_sum=shrunk * rel,
        naive_share=n_share[0],
        naive_share_se=n_share[1],
        naive_share_ci_lower=n_share[2],
        naive_share_ci_upper=n_share[3],
        naive_share_interval=n_share[4],
        shrunk_share=s_share[0],
        shrunk_share_se=s_share[1],
        shrunk_share_ci_lower=s_share[2],
        shrunk_share_ci_upper=s_share[3],
        shrunk_share_interval=s_share[4],
        naive_z=n_z,
        naive_pvalue=_two_sided(n_z),
        shrunk_z=s_z,
        shrunk_pvalue=_two_sided(s_z),
        value_per_unit=math.nan if value_per_unit is None else float(value_per_unit),
        units=float(units),
        holdout_money=h * scale,
        holdout_money_ci_lower=_low((h - z * h_se) * scale, (h + z * h_se) * scale),
        holdout_money_ci_upper=_high((h - z * h_se) * scale, (h + z * h_se) * scale),
        naive_money=naive * scale,
        naive_money_ci_lower=_low((naive - z * naive_se) * scale, (naive + z * naive_se) * scale),
        naive_money_ci_upper=_high((naive - z * naive_se) * scale, (naive + z * naive_se) * scale),
        shrunk_money=shrunk * scale,
        shrunk_money_ci_lower=_low(
            (shrunk - z * shrunk_se) * scale, (shrunk + z * shrunk_se) * scale
        ),
        shrunk_money_ci_upper=_high(
            (shrunk - z * shrunk_se) * scale, (shrunk + z * shrunk_se) * scale
        ),
        confidence_level=confidence_level,
        bootstrap=int(bootstrap),
        launches=launches,
    )


def _low(a: float, b: float) -> float:
    return min(a, b) if math.isfinite(a) and math.isfinite(b) else math.nan


def _high(a: float, b: float) -> float:
    return max(a, b) if math.isfinite(a) and math.isfinite(b) else math.nan


def _two_sided(z: float) -> float:
    return float(2.0 * ndtr(-abs(z))) if math.isfinite(z) else math.nan


def _ended(end_dates: Mapping[str, dt.date | str], label: str) -> str | None:
    raw = end_dates.get(label, end_dates.get(label.split("/", maxsplit=1)[0]))
    when = _date("end_dates", raw)
    return None if when is None else when.isoformat()


def _share(
    num: float, num_se: float, den: float, den_se: float, confidence_level: float
) -> tuple[float, float, float, float, str]:
    """Return ``(ratio, delta-method se, Fieller lower, Fieller upper, kind)`` of num / den."""
    ratio = num / den if den != 0 else math.nan
    se = math.sqrt(num_se**2 + ratio**2 * den_se**2) / abs(den) if den != 0 else math.nan
    lo, hi, kind = fieller_interval(num, num_se, den, den_se, confidence_level=confidence_level)
    return ratio, se, lo, hi, kind


def _reaches(
    table: EffectTable, chosen: list[int], reach: Mapping[str, float] | None
) -> dict[int, float]:
    """Return the reach of each chosen row: by label, else by experiment name, else 1."""
    given = dict(reach or {})
    names = {table.labels[k] for k in chosen} | {_experiment_of(table.labels[k]) for k in chosen}
    for key, value in given.items():
        if key not in names:
            raise ProxymetricError(
                f"`reach` names {key!r}, which is not a selected shipped experiment; selected: "
                f"{', '.join(sorted(table.labels[k] for k in chosen))}"
            )
        if not (isinstance(value, int | float) and math.isfinite(value) and 0 < value <= 1):
            raise ProxymetricError(
                f"`reach` of {key!r} must be a share in (0, 1] of the holdout's population; "
                f"got {value!r}"
            )
    out = {}
    for k in chosen:
        label = table.labels[k]
        out[k] = float(given.get(label, given.get(_experiment_of(label), 1.0)))
    return out


def holdout_rollup_from_registry(
    registry: Registry,
    holdout: str | ExperimentResult,
    metric: str,
    *,
    variant: str | None = None,
    experiments: Sequence[str] | None = None,
    ended_from: dt.date | str | None = None,
    ended_to: dt.date | str | None = None,
    since_holdout_start: bool = False,
    reach: Mapping[str, float] | None = None,
    value_per_unit: float | None = None,
    units: float = 1.0,
    confidence_level: float = 0.95,
    bootstrap: int = 1000,
    seed: int = 0,
) -> HoldoutRollup:
    """Return the :func:`holdout_rollup` of ``holdout`` against the shipped experiments of
    ``registry``.

    ``holdout`` is an ``ExperimentResult`` or the name of an experiment whose latest analysis
    record is a holdout. An experiment's end date is the date of its latest result record (the
    analysis or import that decided it); ``since_holdout_start`` keeps those that ended on or
    after the holdout's first record (its registered plan, or its first analysis).
    """
    from proxymetric.analysis.result import ExperimentResult

    name = holdout.experiment if isinstance(holdout, ExperimentResult) else str(holdout)
    records = registry.records(name)
    if isinstance(holdout, ExperimentResult):
        estimate: ExperimentResult | Record = holdout
    else:
        latest = registry.latest(name, "analysis")
        if latest is None:
            raise ProxymetricError(
                f"`holdout` {name!r} has no analysis record in {registry.url!r}; record it with "
                "`proxymetric analyze SPEC --record`"
            )
        estimate = latest
    lower = _date("ended_from", ended_from)
    if since_holdout_start:
        if not records:
            raise ProxymetricError(
                f"`since_holdout_start` needs a record of the holdout {name!r} in the registry "
                "(its registered plan or its first analysis)"
            )
        start = _date("start", records[0].created_at)
        lower = start if lower is None or (start is not None and start > lower) else lower
    end_dates: dict[str, dt.date | str] = {}
    for rec in registry.records():
        if rec.kind in ("analysis", "import"):
            end_dates[rec.experiment] = rec.created_at  # the latest record wins (oldest first)
    table = table_from_registry(registry)
    return holdout_rollup(
        estimate,
        table,
        metric,
        variant=variant,
        experiments=experiments,
        ended_from=lower,
        ended_to=ended_to,
        end_dates=end_dates,
        reach=reach,
        value_per_unit=value_per_unit,
        units=units,
        confidence_level=confidence_level,
        bootstrap=bootstrap,
        seed=seed,
    )

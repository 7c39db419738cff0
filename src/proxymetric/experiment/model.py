"""What an experiment of a spec means, decided once: the :class:`ResolvedExperiment`.

Every verb that reads an experiment (``analyze``, the sequential looks, ``plan``, ``check``)
takes the same resolved experiment, so a metric has one statistic, one covariate, one margin,
one fill value and one test level everywhere. :func:`~proxymetric.experiment.resolve` builds it
from the spec and validates it; :func:`~proxymetric.experiment.read` turns it into moments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from proxymetric.spec import MetricSpec, Spec
from proxymetric.spec.model import BayesianSpec
from proxymetric.stats.estimators import Statistic

__all__ = [
    "ROWS",
    "Alternative",
    "Cap",
    "Covariate",
    "Duration",
    "Family",
    "Margin",
    "ResolvedExperiment",
    "ResolvedMetric",
    "Role",
    "Shape",
    "Traffic",
]

Shape = Literal["units", "events", "summary"]

#: The column of a clustered unit table's aggregate that counts each unit's rows.
ROWS = "__analysis_units"
Role = Literal["primary", "guardrail", "secondary"]
Alternative = Literal["two-sided", "greater", "less"]
Family = Literal["both", "metrics", "treatments", "none"]


@dataclass(frozen=True)
class Covariate:
    """The CUPED covariate of a metric (Deng, Xu, Kohavi, Walker, WSDM 2013).

    ``kind`` is ``"pre_period"`` (the same definition over the pre-assignment window, event
    logs) or ``"column"`` (a declared column, or a pair of columns for a ratio, of a unit
    table); ``statistic`` is the covariate as a function of the per-unit columns.
    """

    kind: Literal["pre_period", "column"]
    statistic: Statistic


@dataclass(frozen=True)
class Cap:
    """The cap (winsorization) of a mean metric of a unit table.

    Values of ``column`` above the cap count as the cap: ``value`` when the spec gives a
    number, else the ``quantile`` (0 to 1) of the pooled data of every arm, which the engine
    computes when the data are read. ``capped`` names the capped column and ``over`` the 0/1
    column of the units above the cap (whose mean is the share of units capped); both are
    computed in the moments query.
    """

    column: str
    capped: str
    over: str
    value: float | None
    quantile: float | None


@dataclass(frozen=True)
class Margin:
    """A guardrail's non-inferiority margin: ``relative`` (a fraction of the control mean's
    magnitude) or ``absolute`` (in the metric's units)."""

    value: float
    kind: Literal["relative", "absolute"]


@dataclass(frozen=True)
class ResolvedMetric:
    """One metric of an experiment, with its role and everything its test needs.

    ``statistic`` is the metric as a function of per-unit columns (a mean, or a ratio of means
    by the delta method); ``covariate`` its CUPED covariate, ``None`` when it has none;
    ``fill`` the value that replaces each column's missing values (unit tables);
    ``summary_key`` its value of a summary source's metric column (``""`` for a source with one
    metric). ``level`` is the metric's own significance level (its ``alpha``, else the
    experiment's): its adjusted p-values are compared to it, its intervals are at ``1 -
    level``. ``alternative`` is the hypothesis of its test (``two-sided``, ``greater``,
    ``less``; guardrails are ``two-sided`` for deterioration, their non-inferiority test is
    one-sided by nature). ``family_size`` is the number of comparisons corrected together with
    each of its comparisons (1 for guardrails and without a correction). ``alpha`` is the level
    of each comparison as the analysis runs it at the first step of the correction, ``level /
    family_size``, and ``one_sided`` whether that test is one-sided (a guardrail's
    non-inferiority test, or a one-sided ``alternative``): the level to plan for.
    ``maturity_days`` is how long after assignment the metric's value takes to be final.
    ``clustered`` is true when the source has several rows (analysis units) per randomization
    unit (``analysis_unit``): the statistic and covariate are then of per-unit sums, a mean a
    ratio to the unit's rows (:data:`ROWS`).
    ``cap`` is its winsorization, ``None`` without one; ``statistic`` then reads the capped
    column (the covariate is not capped: any function of pre-treatment data leaves CUPED
    unbiased, and the covariate is used as declared).
    ``quantile`` is the level ``q`` of a quantile metric (``None`` otherwise); its statistic
    is the column itself, whose moments give the values of each arm, and the quantiles come
    from further queries (:mod:`proxymetric.data.quantiles`): of the units of a unit table, of
    the rows of a clustered source or of the events of an event log (clustered by unit), or
    of the per-unit aggregates of an event log with ``aggregate``.
    """

    name: str
    role: Role
    spec: MetricSpec
    statistic: Statistic
    covariate: Covariate | None
    margin: Margin | None
    fill: Mapping[str, float]
    summary_key: str
    alpha: float
    one_sided: bool
    cap: Cap | None = None
    clustered: bool = False
    level: float = 0.05
    alternative: Alternative = "two-sided"
    family_size: int = 1
    maturity_days: float | None = None
    quantile: float | None = None

    @property
    def confidence_level(self) -> float:
        """The level of the metric's intervals, ``1 - level``."""
        return 1.0 - self.level

    @property
    def type(self) -> Literal["mean", "proportion", "ratio", "quantile"]:
        """``mean``, ``proportion``, ``ratio`` or ``quantile``: ``ratio`` for every mean or
        proportion of a clustered source, whose means per analysis unit are ratios of per-unit
        sums; a quantile stays a quantile (of the rows, its interval clustered)."""
        if self.quantile is not None:
            return "quantile"
        return "ratio" if self.clustered else self.spec.type

    @property
    def higher_is_better(self) -> bool:
        """True unless the metric's ``direction`` is ``decrease``."""
        return self.spec.higher_is_better

    @property
    def columns(self) -> tuple[str, ...]:
        """The per-unit columns of the metric and its covariate."""
        cov = self.covariate.statistic.columns if self.covariate is not None else ()
        return tuple(dict.fromkeys(self.statistic.columns + cov))

    @property
    def source_columns(self) -> tuple[str, ...]:
        """The columns of the source the metric reads (the raw column of a capped one; not
        the row count of a clustered source, which the aggregation makes)."""
        if self.cap is None:
            return tuple(c for c in self.columns if c != ROWS)
        return tuple(
            dict.fromkeys(self.cap.column if c == self.cap.capped else c for c in self.columns)
        )


@dataclass(frozen=True)
class Traffic:
    """The traffic declared for an experiment (``None`` where the data must tell)."""

    units_per_day: float | None
    population: int | None
    planned_units: int | None


@dataclass(frozen=True)
class Duration:
    """How long a test runs: the planned ``days``, the longest acceptable ``max_days``, and the
    shortest test worth proposing: at least ``min_days``, rounded up to whole weeks when
    ``whole_weeks`` (weekly cycles of behaviour would otherwise bias the estimate)."""

    days: int
    max_days: int
    min_days: int
    whole_weeks: bool

    def proposed(self, days: float) -> float:
        """The duration to propose for a test that needs ``days`` days (``nan`` stays ``nan``).

        Whole days, at least ``min_days``, rounded up to whole weeks when ``whole_weeks``; a
        test that fits within ``max_days`` is never proposed for longer than ``max_days``.

        >>> Duration(14, 56, 7, True).proposed(0.4)
        7.0
        >>> Duration(14, 56, 7, True).proposed(15.2)
        21.0
        >>> Duration(14, 56, 1, False).proposed(15.2)
        16.0
        >>> Duration(28, 90, 7, True).proposed(86.5)  # 13 weeks would exceed the 90 days
        90.0
        """
        if not math.isfinite(days):
            return days
        whole = math.ceil(days - 1e-9)
        fits = whole <= self.max_days
        if self.whole_weeks:
            whole = 7 * math.ceil(whole / 7)
        whole = max(whole, self.min_days)
        return float(min(whole, self.max_days) if fits else whole)


@dataclass(frozen=True)
class ResolvedExperiment:
    """An experiment of a spec, resolved and validated once.

    ``shape`` is the data it reads: ``units`` (a unit table), ``events`` (an assignment log and
    event logs) or ``summary`` (pre-aggregated statistics). ``variants`` are the declared
    variants (``None``: whatever the data holds), ``split`` the declared traffic shares.
    ``metrics`` are the primary metric, then the guardrails, then the secondary metrics.
    ``family`` is the multiple-testing family of the success metrics (``both``, ``metrics``,
    ``treatments``, ``none``). ``combine`` maps an arm analysed as one treatment to the
    declared variants it pools (``None``: none pooled); ``holdout`` marks a long-running
    holdout (the control is the held-out share); ``bayesian`` the optional Bayesian view.
    ``split`` is the declared split of the variants as assigned (before pooling: the SRM check
    tests it); :attr:`analysed_split` is the split of the arms as analysed. ``span_days`` is how
    long after assignment the data follows each unit: the ``window_days`` of event logs, else
    the declared ``duration.days`` of the test (``None`` when neither is declared).
    """

    name: str
    spec: Spec
    shape: Shape
    source: str
    control: str
    variants: tuple[str, ...] | None
    split: Mapping[str, float] | None
    alpha: float
    correction: Literal["holm", "bh", "none"]
    guardrail_rule: Literal["deterioration", "margin"]
    traffic: Traffic
    duration: Duration
    metrics: tuple[ResolvedMetric, ...]
    family: Family = "both"
    combine: Mapping[str, tuple[str, ...]] | None = None
    holdout: bool = False
    bayesian: BayesianSpec | None = None
    span_days: float | None = None

    def mature(self, metric: ResolvedMetric) -> bool:
        """False when ``metric`` needs longer after assignment than the data covers
        (``span_days``: the analysis window of event logs, else the declared test duration)."""
        m = metric.maturity_days
        return m is None or self.span_days is None or m <= self.span_days + 1e-9

    @property
    def analysed_split(self) -> Mapping[str, float] | None:
        """The split of the arms as analysed: pooled variants' shares added up."""
        if self.split is None or not self.combine:
            return self.split
        pooled = {v for group in self.combine.values() for v in group}
        out = {v: w for v, w in self.split.items() if v not in pooled}
        for arm, group in self.combine.items():
            out[arm] = sum(self.split[v] for v in group)
        return out

    @property
    def analysed_variants(self) -> tuple[str, ...] | None:
        """The declared variants as analysed (pooled ones replaced by their arm)."""
        if self.variants is None or not self.combine:
            return self.variants
        pooled = {v for group in self.combine.values() for v in group}
        return tuple(v for v in self.variants if v not in pooled) + tuple(self.combine)

    @property
    def primary(self) -> ResolvedMetric:
        """The primary metric."""
        return self.metrics[0]

    @property
    def success_metrics(self) -> tuple[ResolvedMetric, ...]:
        """The primary and secondary metrics: the family the analysis corrects."""
        return tuple(m for m in self.metrics if m.role != "guardrail")

    def metric(self, name: str) -> ResolvedMetric:
        """The resolved metric ``name``."""
        return next(m for m in self.metrics if m.name == name)

    @property
    def planned_arms(self) -> int:
        """The number of arms planned for, control included (2 when nothing says more), as
        analysed (pooled variants count as one arm)."""
        variants, split = self.analysed_variants, self.analysed_split
        if variants is not None:
            return max(len(variants), 2)
        if split is not None:
            return max(len(split), 2)
        return 2

    @property
    def treatment_ratio(self) -> float:
        """Units of each treatment per control unit, from the split as analysed (1 without
        one): a holdout of 5% against 95% gives 19."""
        split = self.analysed_split
        if split is None or self.control not in split:
            return 1.0
        others = [w for v, w in split.items() if v != self.control]
        if not others or split[self.control] <= 0:
            return 1.0
        return sum(others) / len(others) / split[self.control]

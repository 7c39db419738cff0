"""Result objects of an experiment analysis (the documented JSON contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from proxymetric._result import Result
from proxymetric.stats.srm import SrmResult

__all__ = [
    "REASON_CODES",
    "BayesianResult",
    "Decision",
    "ExperimentResult",
    "MetricResult",
    "Reason",
    "ReasonCode",
    "SegmentBreakdown",
    "SegmentHeterogeneity",
    "SegmentResult",
    "Verdict",
]

Role = Literal["primary", "guardrail", "secondary"]
Verdict = Literal["ship", "rollback", "keep_testing", "inconclusive"]


@dataclass(frozen=True)
class BayesianResult(Result):
    """The Bayesian view of one comparison, beside the frequentist one (never instead of it).

    Gaussian approximation (:mod:`proxymetric.stats.posterior`): the posterior of the absolute
    effect (``effect``, its posterior standard deviation ``effect_se``, the equal-tailed
    credible interval ``effect_ci_lower``/``effect_ci_upper`` at ``confidence_level``) and of
    the relative effect (``rel_effect``...), under the ``prior`` (``weak``: normal with mean 0
    and standard deviation ``prior_sd`` on the relative effect, ``prior_sd * |control_mean|``
    on the absolute one; ``flat``: none). ``prob_better`` is the posterior probability that the
    treatment is better (in the metric's direction; with a flat prior, one minus the one-sided
    normal p-value of ``effect / effect_se``), ``expected_loss`` and ``rel_expected_loss`` the
    expected loss of shipping, absolute and relative.
    """

    prior: str
    prior_sd: float | None
    effect: float
    effect_se: float
    effect_ci_lower: float
    effect_ci_upper: float
    rel_effect: float
    rel_effect_se: float
    rel_effect_ci_lower: float
    rel_effect_ci_upper: float
    prob_better: float
    expected_loss: float
    rel_expected_loss: float
    confidence_level: float


@dataclass(frozen=True)
class MetricResult(Result):
    """One metric, one treatment variant against the control.

    Means are CUPED-adjusted when the metric has a covariate (the raw means are in
    ``*_unadjusted_mean``). ``effect = treatment_mean - control_mean``; ``rel_effect =
    (treatment_mean - control_mean) / |control_mean|`` with a log-scale interval (linear when
    the control mean is negative; undefined when the means have opposite signs) and
    ``rel_effect_se`` its delta-method standard error. ``pvalue`` is the two-sided test named by
    ``test``: ``welch`` (Welch's t) or ``fisher_exact`` (a proportion with fewer than 20 events
    or non-events in a variant); ``pvalue_adjusted`` is corrected over the success metrics
    (primary and secondary) of the experiment and is ``None`` for guardrails, which are not
    corrected. Guardrails carry their ``margin`` and ``noninferiority_pvalue``. ``effect_fold1``
    and ``effect_fold2`` are the effects in two random halves of the units (split by a hash of
    the unit) when the analysis was asked for them (``analyze(..., folds=True)``): estimates
    with independent errors, for the cross-fold estimator of proxy quality. A capped metric
    (``cap:`` in the spec) carries its ``cap`` and the share of each arm's units above it
    (``control_share_capped``, ``treatment_share_capped``); its means are of the capped values.
    Undefined numbers are ``None`` in JSON and ``reason`` says why.

    ``alpha`` is the metric's own level (its adjusted p-value is compared to it),
    ``alternative`` the hypothesis of ``pvalue`` (``two-sided``, or one-sided ``greater`` or
    ``less``: then the intervals are one-sided bounds, the open end ``None`` in JSON) and
    ``confidence_level`` the level of its intervals. ``status`` is ``mature``, or
    ``immature`` for a metric whose ``maturity_days`` exceed what the data covers (a 90-day
    retention in a 28-day test): its means, effects and tests are then undefined (``None``),
    not numbers over the units that happen to have a value, and ``reason`` says why.
    ``bayesian`` holds the Bayesian view when the experiment asks for it.

    A quantile metric (``metric_type: quantile``) carries its level ``quantile`` (``q``); its
    ``control_mean`` and ``treatment_mean`` are then the arms' ``q``-quantiles (linear
    interpolation, as ``numpy.quantile``), ``effect`` their difference with the Deng, Knoblich
    and Lu (2018) standard error, ``rel_effect`` their ratio less one with its delta-method
    standard error and linear interval, and ``test`` is ``z`` (a normal test; ``df`` infinite).
    """

    metric: str
    role: Role
    variant: str
    metric_type: str
    direction: str
    control_units: int
    treatment_units: int
    control_mean: float
    treatment_mean: float
    control_unadjusted_mean: float
    treatment_unadjusted_mean: float
    effect: float
    effect_se: float
    effect_ci_lower: float
    effect_ci_upper: float
    rel_effect: float
    rel_effect_ci_lower: float
    rel_effect_ci_upper: float
    rel_effect_se: float
    statistic: float
    df: float
    pvalue: float
    pvalue_adjusted: float | None
    significant: bool
    better: bool | None
    variance_reduction: float | None
    cuped_theta: float | None
    margin: float | None
    margin_type: str | None
    noninferiority_pvalue: float | None
    reason: str | None
    effect_fold1: float | None = None
    effect_fold2: float | None = None
    test: str = "welch"
    cap: float | None = None
    control_share_capped: float | None = None
    treatment_share_capped: float | None = None
    alpha: float | None = None
    alternative: str = "two-sided"
    confidence_level: float | None = None
    bayesian: BayesianResult | None = None
    quantile: float | None = None
    status: str = "mature"


ReasonCode = Literal[
    "sample_ratio_mismatch",
    "primary_undefined",
    "primary_worse",
    "primary_improved",
    "primary_not_improved",
    "guardrail_worse",
    "guardrail_beyond_margin",
    "guardrail_noninferior",
    "guardrail_not_noninferior",
    "best_of_shippable",
    "planned_sample_reached",
    "more_units_needed",
    "primary_immature",
    "primary_expected_loss_below",
    "primary_expected_loss_above",
]
REASON_CODES: tuple[str, ...] = ReasonCode.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Reason(Result):
    """One reason of a decision, as data.

    ``code`` says which part of the rule it is (see :data:`REASON_CODES`); ``variant`` and
    ``metric`` what it is about; ``pvalue`` the p-value of the test behind it (the adjusted
    p-value of a primary metric, the two-sided p-value of a deteriorated guardrail, the
    non-inferiority p-value of a guardrail, the SRM p-value); ``noninferior`` and ``worse``
    qualify a guardrail (shown non-inferior at its margin; significantly worse than control);
    ``detail`` why a number is undefined; ``units`` and ``planned_units`` the sample so far and
    as planned (for ``more_units_needed``: the units at which the primary metric reaches the
    planned power for its expected effect ``effect``, and ``days`` the days still to run).
    ``expected_loss`` and ``max_expected_loss`` are the primary metric's expected relative loss
    of shipping and the declared threshold, under the Bayesian ship rule. ``primary_immature``
    says the primary metric is not yet mature (``detail`` says why).
    """

    code: ReasonCode
    variant: str | None = None
    metric: str | None = None
    pvalue: float | None = None
    noninferior: bool | None = None
    worse: bool | None = None
    detail: str | None = None
    units: int | None = None
    planned_units: int | None = None
    effect: float | None = None
    days: float | None = None
    expected_loss: float | None = None
    max_expected_loss: float | None = None


@dataclass(frozen=True)
class Decision(Result):
    """The verdict and the reasons behind it (``report/`` turns them into sentences).

    ``variant`` is the treatment to ship; ``guardrail_rule`` the rule that judged the
    guardrails. For a test that should keep going, ``units_needed`` is the total number of units
    at which the primary metric reaches the planned power for its declared ``expected_effect``
    (``None`` without one), and ``days_needed`` the days still to run at the accrual observed so
    far or declared (``None`` when unknown). ``rule`` is the rule that judged the primary
    metric: ``frequentist`` (its significance, the default) or ``bayesian`` (its expected loss
    below the declared threshold, opted into with ``bayesian.ship_rule``).
    """

    verdict: Verdict
    reasons: list[Reason]
    variant: str | None = None
    guardrail_rule: str = "deterioration"
    units_needed: int | None = None
    days_needed: float | None = None
    rule: str = "frequentist"


@dataclass(frozen=True)
class SegmentResult(Result):
    """One metric, one treatment against the control, among the units of one segment value.

    The numbers are those of the segment analysed as its own experiment (the fields mean what
    they mean in :class:`MetricResult`). ``pvalue_adjusted`` is corrected across the segments
    of its dimension (for this metric and treatment); ``significant`` compares it with
    ``alpha``. Every segment result is ``exploratory``: the decision never rests on it. A
    segment with fewer units than the breakdown's ``min_units`` has no numbers and ``reason``
    says so.
    """

    dimension: str
    segment: str
    metric: str
    role: Role
    variant: str
    metric_type: str
    control_units: int
    treatment_units: int
    control_mean: float
    treatment_mean: float
    effect: float
    effect_se: float
    effect_ci_lower: float
    effect_ci_upper: float
    rel_effect: float
    rel_effect_se: float
    rel_effect_ci_lower: float
    rel_effect_ci_upper: float
    pvalue: float
    pvalue_adjusted: float
    significant: bool
    better: bool | None
    test: str
    reason: str | None
    exploratory: bool = True


@dataclass(frozen=True)
class SegmentHeterogeneity(Result):
    """Whether the effect of ``metric`` (for ``variant``) differs across the segments.

    Cochran's Q test: ``statistic`` is the weighted sum of squared deviations of the segment
    effects from their inverse-variance weighted mean, chi-squared with ``df`` (segments
    tested minus one) degrees of freedom under a common effect; ``segments`` counts the
    segments with a defined effect. Undefined (``None``) with fewer than two.
    """

    dimension: str
    metric: str
    variant: str
    statistic: float
    df: int
    pvalue: float
    segments: int


@dataclass(frozen=True)
class SegmentBreakdown(Result):
    """The exploratory effects of every metric per value of one segment column (``dimension``,
    or the ``name`` of a declared dimension).

    ``values`` lists the segments (by units, largest first, or a declared dimension's labels in
    their declared order; ``"other"`` last when values were pooled or, for a mapping, left
    unlisted), ``units`` their units (all variants), ``pooled`` the values with fewer than
    ``min_units`` units pooled into ``"other"``. ``correction`` is the multiple-testing
    correction across the segments, at level ``alpha``; ``heterogeneity`` holds Cochran's Q
    per metric and treatment.
    """

    dimension: str
    values: list[str]
    units: dict[str, int]
    pooled: list[str]
    min_units: int
    correction: str
    alpha: float
    results: list[SegmentResult]
    heterogeneity: list[SegmentHeterogeneity]


@dataclass(frozen=True)
class ExperimentResult(Result):
    """The analysis of one experiment: units, SRM check, per-metric results and decision.

    ``effect_covariance[variant][a][b]`` is the sampling covariance of the estimated effects of
    metrics ``a`` and ``b`` for that treatment (its diagonal is ``effect_se**2``): what proxy
    validation needs to correct for correlated noise. Entries across metrics are NaN (null)
    unless the analysis was asked for them (``analyze(..., effect_covariance=True)``).
    ``fingerprint`` is a hash of the per-variant counts, means and variances: the same data give
    the same fingerprint. ``segments`` holds the exploratory breakdowns by segment column
    (:class:`SegmentBreakdown`), when the experiment declares ``segments`` or the analysis was
    asked for them; they never change the decision.

    ``family`` is the multiple-testing family of the success metrics (``both``, ``metrics``,
    ``treatments``, ``none``); ``combined`` maps each pooled arm to the variants it pools;
    ``holdout`` says the experiment is a long-running holdout (the effects are the program's
    cumulative effect against the held-out control). ``srm`` tests the variants as assigned,
    before pooling.
    """

    experiment: str
    control: str
    variants: list[str]
    units: dict[str, int]
    srm: SrmResult
    results: list[MetricResult]
    decision: Decision
    alpha: float
    confidence_level: float
    correction: str
    warnings: list[str]
    effect_covariance: dict[str, dict[str, dict[str, float]]]
    fingerprint: str
    segments: list[SegmentBreakdown] = field(default_factory=list)
    family: str = "both"
    combined: dict[str, list[str]] | None = None
    holdout: bool = False

    def result(self, metric: str, variant: str | None = None) -> MetricResult:
        """Return the result of ``metric`` (for ``variant``, needed with several treatments)."""
        found = [r for r in self.results if r.metric == metric]
        if variant is not None:
            found = [r for r in found if r.variant == variant]
        if len(found) != 1:
            raise KeyError(f"{len(found)} results for metric {metric!r}, variant {variant!r}")
        return found[0]

"""Result objects of the value model (the JSON contract of ``proxymetric value``)."""

from __future__ import annotations

import dataclasses

from proxymetric._result import Result
from proxymetric.errors import ProxymetricError

__all__ = [
    "BreakEven",
    "Candidate",
    "EffectSource",
    "Headroom",
    "LinkedExperiment",
    "OutcomeSummary",
    "Recommendation",
    "TornadoBar",
    "TradeoffResult",
    "ValueResult",
]


@dataclasses.dataclass(frozen=True)
class OutcomeSummary(Result):
    """The Monte Carlo distribution of one outcome of one alternative.

    ``mean_se`` is the Monte Carlo standard error of ``mean`` (``sd / sqrt(draws)``);
    ``prob_loss`` is the share of draws below zero.
    """

    alternative: str
    outcome: str
    mean: float
    mean_se: float
    sd: float
    median: float
    p05: float
    p95: float
    prob_loss: float


@dataclasses.dataclass(frozen=True)
class TornadoBar(Result):
    """How far one input moves an outcome over the input's 5-95% range, others at medians."""

    alternative: str
    outcome: str
    input: str
    input_p05: float
    input_p95: float
    outcome_at_p05: float
    outcome_at_p95: float
    baseline: float
    swing: float


@dataclasses.dataclass(frozen=True)
class BreakEven(Result):
    """The value of ``input`` at which the expected ``outcome`` is zero.

    ``profitable_side`` is ``'above'`` or ``'below'`` (where the expected outcome is positive)
    and ``prob_profitable`` the probability, under the input's own distribution, that the
    input lies on that side. When no root lies inside ``[search_low, search_high]``, or the
    objective is undefined where it would be, ``found`` is false, ``value`` is undefined and
    ``reason`` says why (it is empty when the break-even is found). The default search stays
    inside the input's support (a uniform's bounds, a lognormal's positive half-line).
    """

    alternative: str
    outcome: str
    input: str
    found: bool
    value: float
    input_median: float
    profitable_side: str
    prob_profitable: float
    search_low: float
    search_high: float
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class EffectSource:
    """Where a measured effect comes from: an experiment and what ``analyze`` decided on it.

    ``decision`` is the verdict of the experiment's analysis (``ship``, ``rollback``,
    ``keep_testing`` or ``inconclusive``), ``srm_mismatch`` whether its sample ratio check
    failed, and ``reasons`` the decision's reasons as ``code: metric`` (the codes of
    :class:`proxymetric.analysis.result.Reason`; ``proxymetric analyze`` shows them in words).
    """

    experiment: str
    decision: str
    srm_mismatch: bool = False
    reasons: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class LinkedExperiment(Result):
    """An experiment whose measured effects are inputs of the value model.

    ``inputs`` names them (``alternative.input`` for an alternative's own input); ``decision``,
    ``srm_mismatch`` and ``reasons`` are those of the experiment's analysis. ``warning`` is a
    sentence when the analysis rolls the experiment back or finds a sample ratio mismatch (a
    value model built on such an effect should not be read as a case for shipping it), else
    empty.
    """

    experiment: str
    inputs: tuple[str, ...]
    decision: str
    srm_mismatch: bool
    reasons: tuple[str, ...]
    warning: str


@dataclasses.dataclass(frozen=True)
class Headroom(Result):
    """The outcome when the model-quality inputs are at their declared ideal values."""

    alternative: str
    outcome: str
    ideal_inputs: tuple[str, ...]
    mean: float
    p05: float
    p95: float
    prob_loss: float
    current_mean: float
    gain: float


@dataclasses.dataclass(frozen=True)
class Candidate(Result):
    """One configuration of a trade-off, evaluated on the common draws."""

    name: str
    x_mean: float
    x_p05: float
    x_p95: float
    y_mean: float
    y_p05: float
    y_p95: float
    objective_mean: float
    objective_p05: float
    objective_p95: float
    prob_loss: float
    on_frontier: bool
    exchange_value: float


@dataclasses.dataclass(frozen=True)
class TradeoffResult(Result):
    """Pareto frontier of candidates on two outcomes, and the choice under each rule.

    ``exchange_value`` of a candidate is ``s_x * E[x] + exchange_rate * s_y * E[y]`` where ``s`` is
    +1 for an outcome to maximise and -1 for one to minimise; ``choice_by_exchange_rate`` has the
    largest. ``choice_by_risk_limit`` has the best expected objective among the candidates whose
    probability of a loss is at most ``risk_limit``.
    """

    alternative: str
    x: str
    x_goal: str
    y: str
    y_goal: str
    objective: str
    exchange_rate: float | None
    risk_limit: float | None
    candidates: tuple[Candidate, ...]
    frontier: tuple[str, ...]
    choice_by_expected_objective: str
    choice_by_exchange_rate: str | None
    choice_by_risk_limit: str | None


@dataclasses.dataclass(frozen=True)
class Recommendation(Result):
    """Which alternative to choose, and why, in numbers and in words."""

    best_expected: str
    safest: str
    risk_limit: float | None
    best_within_risk_limit: str | None
    ideal_worth_building: bool | None
    text: str


@dataclasses.dataclass(frozen=True)
class ValueResult(Result):
    """Everything ``proxymetric value`` reports for one value model.

    ``experiments`` lists the experiments of the spec whose measured effects are inputs, with
    what their analysis decided (empty when no input is linked to an experiment).
    """

    title: str
    objective: str
    currency: str
    draws: int
    seed: int
    alternatives: tuple[str, ...]
    summaries: tuple[OutcomeSummary, ...]
    tornado: tuple[TornadoBar, ...]
    break_even: tuple[BreakEven, ...]
    headroom: tuple[Headroom, ...]
    tradeoff: TradeoffResult | None
    recommendation: Recommendation
    experiments: tuple[LinkedExperiment, ...] = ()

    def summary(self, alternative: str, outcome: str | None = None) -> OutcomeSummary:
        """Return the summary of ``outcome`` (default: the objective) for ``alternative``."""
        wanted = outcome or self.objective
        for s in self.summaries:
            if s.alternative == alternative and s.outcome == wanted:
                return s
        known = sorted({s.outcome for s in self.summaries if s.alternative == alternative})
        if not known:
            raise ProxymetricError(
                f"`alternative` {alternative!r} is not defined; defined alternatives: "
                f"{', '.join(self.alternatives)}"
            )
        raise ProxymetricError(
            f"`outcome` {wanted!r} is not defined for alternative {alternative!r}; "
            f"its outcomes: {', '.join(known)}"
        )

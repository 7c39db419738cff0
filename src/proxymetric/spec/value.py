"""The ``value:`` section of the spec: the value model, as pydantic models.

Inputs are numbers or distributions (``dist:`` one of ``constant``, ``normal``, ``lognormal``,
``uniform``, ``triangular``, ``pert``, ``beta``, ``effect``, ``classifier``); outcomes are
formulas; each alternative adds its own inputs and outcomes. Distribution parameters are
checked when the model is built (:func:`proxymetric.value.load_value_model`), with the file
and line.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AlternativeSpec",
    "BetaInput",
    "BreakEvenSpec",
    "ClassifierInput",
    "ConstantInput",
    "EffectInput",
    "InputSpec",
    "LogNormalInput",
    "NormalInput",
    "PertInput",
    "TradeoffSpec",
    "TriangularInput",
    "UniformInput",
    "ValueSpec",
]


class _Model(BaseModel):
    # No number of the value model means anything at infinity or NaN (`.inf`, `.nan` in YAML).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Input(_Model):
    about: str | None = None
    ideal: float | None = None
    """The value of a model-quality input for an ideal model (for the headroom)."""


class ConstantInput(_Input):
    """A known number (a bare number in the spec means the same)."""

    dist: Literal["constant"]
    value: float


class NormalInput(_Input):
    """A normal, by ``mean`` and ``sd`` or by its 90% interval ``p05`` and ``p95``."""

    dist: Literal["normal"]
    mean: float | None = None
    sd: float | None = None
    p05: float | None = None
    p95: float | None = None


class LogNormalInput(_Input):
    """A lognormal, by ``median`` and ``p90`` or by ``mean`` and ``sd``."""

    dist: Literal["lognormal"]
    median: float | None = None
    p90: float | None = None
    mean: float | None = None
    sd: float | None = None


class UniformInput(_Input):
    """A uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: float
    high: float


class TriangularInput(_Input):
    """A triangular with minimum ``low``, most likely ``mode`` and maximum ``high``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float


class PertInput(_Input):
    """A Beta-PERT with minimum ``low``, most likely ``mode``, maximum ``high``."""

    dist: Literal["pert"]
    low: float
    mode: float
    high: float
    lamb: float = 4.0


class BetaInput(_Input):
    """A beta for rates, by ``alpha`` and ``beta`` or by ``mean`` and ``sd``."""

    dist: Literal["beta"]
    alpha: float | None = None
    beta: float | None = None
    mean: float | None = None
    sd: float | None = None


class EffectInput(_Input):
    """A measured effect of an experiment: normal with its ``estimate`` and ``standard_error``.

    ``experiment``, ``metric`` and ``variant`` say which effect it is (``proxymetric analyze``
    reports it as ``effect`` and ``effect_se``, or ``rel_effect`` when ``scale`` is relative).
    """

    dist: Literal["effect"]
    estimate: float | None = None
    standard_error: float | None = None
    experiment: str | None = None
    metric: str | None = None
    variant: str | None = None
    scale: Literal["absolute", "relative"] = "absolute"


class ClassifierInput(_Input):
    """A rate measured on a classifier's labelled, scored examples (``scores``, a file).

    ``rate`` is ``recall`` (the share of positives scored at or above ``threshold``) or
    ``false_positive_rate`` (the same share of negatives); with ``threshold_high``, the share
    scored from ``threshold`` up to (not including) ``threshold_high`` (a review band). The
    distribution is the Jeffreys posterior of that binomial share. ``scores`` is relative to
    the spec file; ``model`` names one model of a file that scores several.
    """

    dist: Literal["classifier"]
    scores: str
    rate: Literal["recall", "false_positive_rate"]
    threshold: float
    threshold_high: float | None = None
    model: str | None = None


InputSpec = Annotated[
    ConstantInput
    | NormalInput
    | LogNormalInput
    | UniformInput
    | TriangularInput
    | PertInput
    | BetaInput
    | EffectInput
    | ClassifierInput,
    Field(discriminator="dist"),
]


class AlternativeSpec(_Model):
    """One way to reach the goal: its own inputs and outcome formulas."""

    about: str | None = None
    inputs: dict[str, float | InputSpec] = Field(default_factory=dict)
    outcomes: dict[str, str | float] = Field(default_factory=dict)


class BreakEvenSpec(_Model):
    """Ask for the value of ``input`` at which the expected objective is zero."""

    input: str
    alternative: str | None = None
    low: float | None = None
    high: float | None = None


class TradeoffSpec(_Model):
    """Candidate configurations (input values) compared on two outcomes ``x`` and ``y``."""

    alternative: str | None = None
    x: str
    x_goal: Literal["maximize", "minimize"] = "maximize"
    y: str
    y_goal: Literal["maximize", "minimize"] = "minimize"
    exchange_rate: float | None = Field(default=None, ge=0)
    candidates: dict[str, dict[str, float]]


class ValueSpec(_Model):
    """The ``value:`` section: inputs, outcomes, alternatives, and what to report."""

    title: str | None = None
    currency: str = ""
    horizon: str | None = None
    objective: str = "profit"
    draws: int = Field(default=100_000, ge=100, le=10_000_000)
    seed: int = Field(default=0, ge=0)
    risk_limit: float | None = Field(default=None, ge=0, le=1)
    inputs: dict[str, float | InputSpec]
    outcomes: dict[str, str | float] = Field(default_factory=dict)
    alternatives: dict[str, AlternativeSpec] = Field(default_factory=dict)
    break_even: list[BreakEvenSpec] = Field(default_factory=list)
    tradeoff: TradeoffSpec | None = None

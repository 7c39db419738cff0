"""The spec (``proxymetric.yaml``): what a team declares, as pydantic models.

A spec names data ``sources``, defines ``metrics`` on them, and declares ``experiments`` with a
control, a primary metric, guardrails with non-inferiority margins and secondary metrics. Names
are cross-checked when the spec is loaded (see :func:`proxymetric.spec.load_spec`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

__all__ = ["ExperimentSpec", "GuardrailSpec", "MetricSpec", "SourceSpec", "Spec"]

MetricType = Literal["mean", "proportion", "ratio"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Model):
    """A table of data: a CSV/Parquet file (``path``) or a ``table`` behind a ``connection``.

    ``unit`` is the randomization unit column; ``variant`` the column holding each unit's
    variant (one row per unit). ``path`` is relative to the spec file. A ``table`` without a
    ``connection`` names an in-memory table passed to :func:`proxymetric.analyze` as ``data``.
    """

    path: str | None = None
    table: str | None = None
    connection: str | None = None
    format: Literal["csv", "parquet"] | None = None
    unit: str
    variant: str
    description: str | None = None

    @model_validator(mode="after")
    def _one_location(self) -> SourceSpec:
        if self.path is not None and (self.table is not None or self.connection is not None):
            raise ValueError("give either `path` or `table` (with an optional `connection`)")
        if self.connection is not None and self.table is None:
            raise ValueError("`connection` needs a `table` to read")
        return self


class MetricSpec(_Model):
    """A metric: a per-unit ``mean``, a ``proportion`` (0/1 column) or a ``ratio`` of sums.

    Mean and proportion metrics read ``column`` (and an optional CUPED ``covariate`` column);
    ratio metrics read ``numerator`` and ``denominator`` (and optional
    ``numerator_covariate``/``denominator_covariate``). ``direction: decrease`` means lower is
    better (latency, cost, incidents). ``fill_missing`` replaces missing values (for example
    0 for "no purchase"); without it, missing values make the metric undefined, with a reason.
    ``value_per_unit`` is the money value of one unit of the metric (per randomization unit).
    """

    type: MetricType
    source: str
    column: str | None = None
    covariate: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    numerator_covariate: str | None = None
    denominator_covariate: str | None = None
    direction: Literal["increase", "decrease"] = "increase"
    fill_missing: float | None = None
    value_per_unit: float | None = None
    description: str | None = None
    owner: str | None = None

    @model_validator(mode="after")
    def _columns_for_type(self) -> MetricSpec:
        ratio_keys = ("numerator", "denominator", "numerator_covariate", "denominator_covariate")
        if self.type == "ratio":
            if self.numerator is None or self.denominator is None:
                raise ValueError("a ratio metric needs `numerator` and `denominator`")
            if self.column is not None or self.covariate is not None:
                raise ValueError(
                    "a ratio metric takes `numerator`/`denominator` (and their covariates), "
                    "not `column`/`covariate`"
                )
            if (self.numerator_covariate is None) != (self.denominator_covariate is None):
                raise ValueError(
                    "a ratio metric's CUPED covariate needs both `numerator_covariate` and "
                    "`denominator_covariate`"
                )
        else:
            if self.column is None:
                raise ValueError(f"a {self.type} metric needs `column`")
            given = [k for k in ratio_keys if getattr(self, k) is not None]
            if given:
                raise ValueError(
                    f"a {self.type} metric takes `column` and `covariate`; "
                    f"{', '.join(given)} belong to ratio metrics"
                )
        return self

    @property
    def higher_is_better(self) -> bool:
        """True unless ``direction`` is ``decrease``."""
        return self.direction == "increase"

    @property
    def columns(self) -> tuple[str, ...]:
        """The data columns the metric reads, covariates included."""
        cols = (
            self.column,
            self.covariate,
            self.numerator,
            self.denominator,
            self.numerator_covariate,
            self.denominator_covariate,
        )
        return tuple(dict.fromkeys(c for c in cols if c is not None))


class GuardrailSpec(_Model):
    """A guardrail: the metric must not get worse than ``margin`` (relative by default)."""

    metric: str
    margin: float = Field(ge=0)
    margin_type: Literal["relative", "absolute"] = "relative"


class ExperimentSpec(_Model):
    """An experiment: its variants, the metrics by role, and the test settings."""

    control: str
    variants: list[str] | None = None
    primary: str
    guardrails: list[GuardrailSpec] = Field(default_factory=list)
    secondary: list[str] = Field(default_factory=list)
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    split: dict[str, float] | None = None
    correction: Literal["holm", "bh", "none"] = "holm"
    planned_units: int | None = Field(default=None, gt=0)
    description: str | None = None

    def metric_roles(self) -> list[tuple[str, str]]:
        """Return ``(metric, role)`` pairs: the primary, then guardrails, then secondary."""
        roles = [(self.primary, "primary")]
        roles += [(g.metric, "guardrail") for g in self.guardrails]
        roles += [(m, "secondary") for m in self.secondary]
        return roles


class Spec(_Model):
    """The whole spec file."""

    request: str | None = None
    goal: str | None = None
    north_star: str | None = None
    sources: dict[str, SourceSpec] = Field(default_factory=dict)
    metrics: dict[str, MetricSpec] = Field(default_factory=dict)
    experiments: dict[str, ExperimentSpec] = Field(default_factory=dict)
    value: dict[str, Any] | None = None

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _file: str | None = PrivateAttr(default=None)

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the spec are resolved against."""
        return self._base_dir

    @property
    def file(self) -> str | None:
        """The spec file this spec was loaded from, if any."""
        return self._file

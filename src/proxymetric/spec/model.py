"""The spec (``proxymetric.yaml``): what a team declares, as pydantic models.

A spec names data ``sources``, defines ``metrics`` on them, and declares ``experiments`` with a
control, a primary metric, guardrails with non-inferiority margins and secondary metrics. Names
are cross-checked when the spec is loaded (see :func:`proxymetric.spec.load_spec`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from proxymetric.errors import SpecError
from proxymetric.spec._yaml import LineMap
from proxymetric.spec.value import ValueSpec

__all__ = [
    "PRE_PERIOD",
    "ROLES",
    "BayesianSpec",
    "DurationSpec",
    "EthicsReviewSpec",
    "EvaluationSpec",
    "EventValue",
    "ExperimentSpec",
    "GuardrailSpec",
    "LinkSpec",
    "MetricSpec",
    "SegmentDimension",
    "SegmentsSpec",
    "SourceSpec",
    "Spec",
    "SummaryColumns",
    "SummarySpec",
    "cap_quantile",
]

MetricType = Literal["mean", "proportion", "ratio", "quantile"]
Alternative = Literal["two-sided", "greater", "less"]
AggregateKind = Literal["sum", "count", "count_distinct", "max", "any"]
Role = Literal["north_star", "proxy", "guardrail", "model_objective"]
ROLES: tuple[Role, ...] = ("north_star", "proxy", "guardrail", "model_objective")
PRE_PERIOD = "pre_period"


class _Model(BaseModel):
    # No key of the spec means anything at infinity or NaN (`.inf`, `.nan` in YAML).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SummaryColumns(_Model):
    """Columns holding one arm's count, mean and variance (``ddof=1``)."""

    count: str
    mean: str
    variance: str


class SummarySpec(_Model):
    """How a table of pre-aggregated statistics is laid out.

    ``layout: long`` has one row per variant (and metric): the source's ``variant`` column and
    ``count``, ``mean``, ``variance`` columns. ``layout: paired`` has one row per treatment (and
    metric) with the ``control`` and ``treatment`` columns side by side, as in the ASOS data
    set; ``treatment_variant`` names the column that identifies the treatment. ``metric`` names
    the column that identifies the metric when the table holds several; ``snapshot`` the column
    of cumulative snapshots (time since start), of which the latest is analysed.
    """

    layout: Literal["long", "paired"] = "long"
    metric: str | None = None
    snapshot: str | None = None
    count: str | None = None
    mean: str | None = None
    variance: str | None = None
    control: SummaryColumns | None = None
    treatment: SummaryColumns | None = None
    treatment_variant: str | None = None

    @model_validator(mode="after")
    def _columns_for_layout(self) -> SummarySpec:
        if self.layout == "long":
            if None in (self.count, self.mean, self.variance):
                raise ValueError("a long summary needs `count`, `mean` and `variance` columns")
        elif self.control is None or self.treatment is None:
            raise ValueError(
                "a paired summary needs `control` and `treatment`, each with `count`, `mean` "
                "and `variance` columns"
            )
        return self


class SourceSpec(_Model):
    """A table of data: a CSV/Parquet file (``path``) or a ``table`` behind a ``connection``.

    ``path`` is relative to the spec file and read by DuckDB, or by the engine of
    ``connection`` when one is given (``pyspark://local[*]`` reads it with Spark). A ``table``
    without a ``connection`` names an in-memory table passed to :func:`proxymetric.analyze` as
    ``data``. Connections are Ibis URLs (``duckdb:///warehouse.db``, ``postgres://...``) or
    ``pyspark://MASTER``. Three kinds:

    - a **unit table** (one row per randomization unit): ``unit`` and ``variant``;
    - an **assignment log**: ``unit``, ``variant`` and ``timestamp`` (the assignment time);
    - an **event log**: ``unit`` and ``timestamp`` (the event time), any other columns;
    - **summary statistics** (``summary``): count, mean and variance per variant, no units.

    ``filter`` is a SQL boolean expression that keeps only matching rows of the source.
    ``unique: true`` declares that a unit table has one row per unit (a primary key), so the
    analysis does not count its distinct units.

    ``analysis_unit`` names the id column of the rows when a unit table is measured per another
    unit than it is randomized by (orders of users, sessions of stores, queries of a
    classroom): ``unit`` stays the randomization unit, each row is one analysis unit, and a
    metric's mean per analysis unit is analysed as the ratio of per-unit sums by the delta
    method (cluster randomization); the sample ratio test counts randomization units.
    """

    path: str | None = None
    table: str | None = None
    connection: str | None = None
    format: Literal["csv", "parquet"] | None = None
    unit: str | None = None
    variant: str | None = None
    timestamp: str | None = None
    summary: SummarySpec | None = None
    filter: str | None = None
    unique: bool = False
    analysis_unit: str | None = None
    description: str | None = None

    @property
    def kind(self) -> Literal["units", "assignments", "events", "summary"]:
        """``units``, ``assignments``, ``events`` or ``summary``, from the declared columns."""
        if self.summary is not None:
            return "summary"
        if self.variant is None:
            return "events"
        return "assignments" if self.timestamp is not None else "units"

    @model_validator(mode="after")
    def _one_location(self) -> SourceSpec:
        if self.path is None and self.table is None:
            raise ValueError("a source needs `path` (a file) or `table`")
        if self.path is not None and (self.table is not None or self.connection is not None):
            raise ValueError("give either `path` or `table` (with an optional `connection`)")
        if self.summary is not None:
            if self.summary.layout == "long" and self.variant is None:
                raise ValueError("a long summary source needs `variant`, the variant column")
            return self
        if self.unit is None:
            raise ValueError("a source needs `unit`, the randomization unit column")
        if self.variant is None and self.timestamp is None:
            raise ValueError(
                "a source needs `variant` (a unit table or an assignment log) or `timestamp` "
                "(an event log)"
            )
        if self.connection is not None and self.table is None:
            raise ValueError("`connection` needs a `table` to read")
        if self.analysis_unit is not None:
            if self.kind != "units":
                raise ValueError(
                    "`analysis_unit` applies to a unit table (`unit` and `variant`, no "
                    "`timestamp`): the rows are analysis units of the randomization unit `unit`"
                )
            if self.analysis_unit == self.unit:
                raise ValueError(
                    f"`analysis_unit` {self.analysis_unit!r} is the randomization `unit`; "
                    "remove it (one row per unit) or name the rows' own id column"
                )
            if self.unique:
                raise ValueError(
                    "`unique: true` says a unit table has one row per unit, but "
                    f"`analysis_unit` {self.analysis_unit!r} says it has several; keep one"
                )
        return self


class EventValue(_Model):
    """A per-unit aggregate of an event log: ``aggregate`` of ``column`` over matching events.

    ``sum``, ``count_distinct`` and ``max`` need a ``column``; ``count`` counts events (or
    non-missing values of ``column``); ``any`` is 1 when the unit has a matching event.
    ``filter`` is a SQL boolean expression over the event log's columns.
    """

    aggregate: AggregateKind
    column: str | None = None
    filter: str | None = None

    @model_validator(mode="after")
    def _column_when_needed(self) -> EventValue:
        if self.aggregate in ("sum", "count_distinct", "max") and self.column is None:
            raise ValueError(f"aggregate `{self.aggregate}` needs a `column`")
        return self


class LinkSpec(_Model):
    """A declared link from a metric to the north star: why it moves money, and who reviewed it.

    ``to`` names what the metric links to (the north star by default); ``reviewed_by`` who
    checked the reasoning or the past experiments behind it; ``note`` the reasoning itself.
    """

    to: str | None = None
    reviewed_by: str | None = None
    note: str | None = None


class MetricSpec(_Model):
    """A metric: a per-unit ``mean``, a ``proportion`` (0/1 column) or a ``ratio`` of sums.

    On a unit table, mean and proportion metrics read ``column`` (and an optional CUPED
    ``covariate`` column); ratio metrics read ``numerator`` and ``denominator`` (and optional
    ``numerator_covariate``/``denominator_covariate``).

    On an event log, a metric aggregates each unit's events in the analysis window:
    ``aggregate`` (``sum``, ``count``, ``count_distinct``, ``max``, ``any``; ``any`` by default
    for proportions) of ``column``, with an optional SQL ``filter``; a ratio's ``numerator`` and
    ``denominator`` are such aggregates. Its CUPED covariate is by default the same definition
    over the pre-assignment period (``covariate: pre_period``); ``covariate: none`` turns it off.

    On summary statistics, a mean or proportion metric names its value of the source's
    ``metric`` column in ``summary_metric`` (omitted when the source holds one metric).

    ``direction: decrease`` means lower is
    better (latency, cost, incidents). ``fill_missing`` replaces missing values (for example
    0 for "no purchase"); without it, missing values make the metric undefined, with a reason.
    ``value_per_unit`` is the money value of one unit of the metric (per randomization unit).
    ``cap`` winsorizes a mean metric of a unit table: values above it count as the cap; a
    number, or a percentile of the pooled data of both arms (``p99``, ``p99.9``) computed in
    the engine. A ``quantile`` metric compares the ``q``-quantile (0 < q < 1, such as 0.5,
    0.95, 0.99) of ``column`` between arms (no covariate, no cap): of the units of a unit
    table, of the rows of a clustered source (``analysis_unit``), of the events of an event log
    in the window (its interval clustered by unit), or, with ``aggregate``, of each unit's
    aggregate of its events.

    ``alpha`` is the metric's own significance level (the experiment's by default) and
    ``alternative`` the hypothesis of its test when it is a success metric: ``two-sided``
    (default), ``greater`` (treatment - control > 0) or ``less``; a one-sided alternative must
    point in the metric's ``direction``. Guardrails keep their one-sided non-inferiority test
    (``alpha`` applies to it; ``alternative`` does not). ``maturity_days`` is how long after
    assignment a unit's value takes to be final (90 for a 90-day retention): a metric whose
    maturity is longer than the data covers is reported as not yet mature.

    The good-metric checklist (``proxymetric check``) reads optional keys: ``role`` in the
    metric tree (``north_star``, ``proxy``, ``guardrail``, ``model_objective``), ``link`` (a
    reviewed link to the north star), ``computed_by`` (who produces the column it reads),
    ``expected_effect`` (the relative effect the team expects, such as 0.02 for +2%), and the
    metric's current per-unit ``baseline_mean`` and ``baseline_sd`` (the rate alone for a
    proportion), which size the test.
    """

    type: MetricType
    source: str
    column: str | None = None
    covariate: str | None = None
    aggregate: AggregateKind | None = None
    filter: str | None = None
    numerator: str | EventValue | None = None
    denominator: str | EventValue | None = None
    numerator_covariate: str | None = None
    denominator_covariate: str | None = None
    direction: Literal["increase", "decrease"] = "increase"
    summary_metric: str | int | None = None
    fill_missing: float | None = None
    value_per_unit: float | None = None
    description: str | None = None
    owner: str | None = None
    role: Role | None = None
    link: LinkSpec | None = None
    computed_by: str | None = None
    expected_effect: float | None = None
    baseline_mean: float | None = None
    baseline_sd: float | None = Field(default=None, gt=0)
    alpha: float | None = Field(default=None, gt=0, lt=0.5)
    alternative: Alternative | None = None
    maturity_days: float | None = Field(default=None, gt=0)
    cap: float | str | None = None
    q: float | None = None

    @model_validator(mode="after")
    def _quantile_form(self) -> MetricSpec:
        if self.type != "quantile":
            if self.q is not None:
                raise ValueError(
                    f"`q` is the level of a quantile metric; this metric is a {self.type} "
                    f"(got `q: {self.q}`); set `type: quantile` or remove `q`"
                )
            return self
        if self.q is None or not 0 < self.q < 1:
            raise ValueError(
                f"a quantile metric needs `q` strictly between 0 and 1 (0.5 for the median, "
                f"0.95 for p95); got `q: {self.q}`"
            )
        if self.column is None or self.covariate is not None or self.cap is not None:
            raise ValueError(
                "a quantile metric reads one `column` (no `covariate`, no `cap`); got "
                f"`column: {self.column}`, `covariate: {self.covariate}`, `cap: {self.cap}`"
            )
        return self

    @model_validator(mode="after")
    def _alternative_in_direction(self) -> MetricSpec:
        wrong = "less" if self.direction == "increase" else "greater"
        if self.alternative == wrong:
            raise ValueError(
                f"`alternative` {wrong!r} tests for a change away from the metric's `direction` "
                f"({self.direction!r}); use 'two-sided' or "
                f"{'greater' if wrong == 'less' else 'less'!r}"
            )
        return self

    @model_validator(mode="after")
    def _cap_form(self) -> MetricSpec:
        if self.cap is None:
            return self
        if self.type != "mean":
            raise ValueError(
                f"`cap` caps the values of a mean metric; this metric is a {self.type} "
                f"(got `cap: {self.cap}`)"
            )
        if isinstance(self.cap, str) and cap_quantile(self.cap) is None:
            raise ValueError(
                f"`cap` is a number (the largest value kept) or a percentile of the pooled "
                f"data such as 'p99' or 'p99.9'; got {self.cap!r}"
            )
        return self

    @model_validator(mode="after")
    def _columns_for_type(self) -> MetricSpec:
        ratio_keys = ("numerator", "denominator", "numerator_covariate", "denominator_covariate")
        if self.type == "ratio":
            if self.numerator is None or self.denominator is None:
                raise ValueError("a ratio metric needs `numerator` and `denominator`")
            if self.column is not None or self.covariate not in (None, PRE_PERIOD, "none"):
                raise ValueError(
                    "a ratio metric takes `numerator`/`denominator` (and their covariates), "
                    "not `column`/`covariate` (on an event log, `covariate` may only be "
                    "'pre_period' or 'none')"
                )
            if (self.numerator_covariate is None) != (self.denominator_covariate is None):
                raise ValueError(
                    "a ratio metric's CUPED covariate needs both `numerator_covariate` and "
                    "`denominator_covariate`"
                )
            if self.aggregate is not None or self.filter is not None:
                raise ValueError(
                    "a ratio metric's `aggregate` and `filter` go inside `numerator` and "
                    "`denominator`"
                )
        else:
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

    def event_values(self) -> tuple[EventValue, EventValue | None]:
        """The per-unit aggregates of an event metric: ``(value, None)`` or ``(num, den)``."""
        if self.type == "ratio":
            num, den = self.numerator, self.denominator
            assert isinstance(num, EventValue)
            assert isinstance(den, EventValue)
            return num, den
        aggregate = self.aggregate or "any"
        return EventValue(aggregate=aggregate, column=self.column, filter=self.filter), None

    @property
    def uses_pre_period(self) -> bool:
        """True when an event metric's CUPED covariate is its pre-period value (the default)."""
        return self.covariate in (None, PRE_PERIOD)

    @property
    def columns(self) -> tuple[str, ...]:
        """The unit-table columns the metric reads, covariates included."""
        cols = (
            self.column,
            self.covariate,
            self.numerator,
            self.denominator,
            self.numerator_covariate,
            self.denominator_covariate,
        )
        return tuple(dict.fromkeys(c for c in cols if isinstance(c, str)))


class GuardrailSpec(_Model):
    """A guardrail: the metric must not get worse than ``margin`` (relative by default)."""

    metric: str
    margin: float = Field(ge=0)
    margin_type: Literal["relative", "absolute"] = "relative"

    @model_validator(mode="after")
    def _relative_margin_below_one(self) -> GuardrailSpec:
        if self.margin_type == "relative" and not self.margin < 1:
            raise ValueError(
                "a relative `margin` is a share of the control mean and must be >= 0 and < 1 "
                f"(0.05 for 5%); got {self.margin!r}; for a margin in the metric's own units "
                "set `margin_type: absolute`"
            )
        return self


# The labels the analysis gives itself: the pool of rare (and of unlisted) values, and the
# segment of a missing value (``proxymetric.analysis.segments.OTHER``,
# ``proxymetric.data.MISSING_SEGMENT``). A declared label may not take them.
_RESERVED_LABELS = ("other", "(missing)")


def _edge(x: float) -> str:
    """A bin edge as it is written: ``30`` for 30.0, ``0.5``, ``-1.25``."""
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def _label_of(value: object, where: str) -> str:
    """A value or label of a mapping as text; a YAML boolean (``no``, ``yes``) is refused."""
    if isinstance(value, bool):
        raise ValueError(
            f"{where} must be text or an integer; got {value!r} (YAML reads no/yes/on/off as "
            "booleans: quote it, 'no')"
        )
    if isinstance(value, int) or (isinstance(value, str) and value):
        return str(value)
    raise ValueError(f"{where} must be a non-empty text or an integer; got {value!r}")


class SegmentDimension(_Model):
    """A segment dimension derived from a column in the engine, named ``name``.

    Exactly one of:

    - ``values`` maps labels to the values of ``column`` they gather
      (``{emea: [de, fr, uk], americas: [us, br]}``); a value listed nowhere is ``"other"``.
    - ``bins`` lists strictly increasing edges of a numeric ``column``: ``[0, 30, 365]`` gives
      the segments ``"< 0"``, ``"[0, 30)"``, ``"[30, 365)"`` and ``">= 365"``; a value on an
      edge belongs to the bin that starts there.

    A missing value is ``"(missing)"``, as for a plain column. The labels keep their declared
    order in the breakdown (bins from the lowest).
    """

    name: str = Field(min_length=1)
    column: str = Field(min_length=1)
    values: dict[str, list[str]] | None = None
    bins: list[float] | None = None

    @model_validator(mode="before")
    @classmethod
    def _text_values(cls, data: object) -> object:
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            return data
        name = data.get("name")
        values: dict[str, object] = {}
        for label, listed in data["values"].items():
            text = _label_of(label, f"a label of `values` of segment {name!r}")
            items = listed if isinstance(listed, list) else [listed]
            values[text] = [
                _label_of(v, f"value of {text!r} in `values` of segment {name!r}") for v in items
            ]
        return {**data, "values": values}

    @model_validator(mode="after")
    def _one_derivation(self) -> SegmentDimension:
        where = f"segment {self.name!r}"
        if (self.values is None) == (self.bins is None):
            raise ValueError(
                f"{where} needs exactly one of `values` (labels and the values they gather) "
                f"or `bins` (edges of a numeric column); got "
                + ("both" if self.values is not None else "neither")
            )
        if self.values is not None:
            if not self.values:
                raise ValueError(f"`values` of {where} is empty; map a label to some values")
            seen: dict[str, str] = {}
            for label, listed in self.values.items():
                if label in _RESERVED_LABELS:
                    raise ValueError(
                        f"label {label!r} of `values` of {where} is reserved for "
                        + (
                            "the unlisted (and the pooled rare) values"
                            if label == "other"
                            else "the missing values"
                        )
                        + "; give the label another name"
                    )
                if not listed:
                    raise ValueError(
                        f"label {label!r} of `values` of {where} lists no value; "
                        "list the values it gathers"
                    )
                for v in listed:
                    if seen.get(v, label) != label:
                        raise ValueError(
                            f"value {v!r} of `values` of {where} is listed under two labels, "
                            f"{seen[v]!r} and {label!r}; a value belongs to one label"
                        )
                    seen[v] = label
        if self.bins is not None:
            if not self.bins:
                raise ValueError(f"`bins` of {where} is empty; give at least one edge")
            for a, b in itertools.pairwise(self.bins):
                if not a < b:
                    raise ValueError(
                        f"`bins` of {where} must be strictly increasing; got "
                        f"[{', '.join(map(_edge, self.bins))}] ({_edge(a)} then {_edge(b)})"
                    )
        return self

    def labels(self) -> list[str]:
        """The segments of the dimension in their declared order (without ``"other"`` and
        ``"(missing)"``)."""
        if self.values is not None:
            return list(self.values)
        assert self.bins is not None
        edges = [_edge(e) for e in self.bins]
        inner = [f"[{a}, {b})" for a, b in itertools.pairwise(edges)]
        return [f"< {edges[0]}", *inner, f">= {edges[-1]}"]


class SegmentsSpec(_Model):
    """The segments of an experiment: exploratory effects per value of some columns.

    ``columns`` are columns of the experiment's unit table (or of its assignment log, each unit
    with its value at its first assignment), each a dimension of its own (a country, a
    platform), or dimensions derived from a column in the engine (:class:`SegmentDimension`: a
    mapping of values to labels, or numeric bins), each named by its ``name``. A value with
    fewer than ``min_units`` units (all variants together)
    is pooled into ``"other"``; a segment still below it gets no numbers. The p-values of one
    metric across the values of one column are corrected by ``correction`` (``holm`` controls
    the family-wise error rate, ``bh`` the false discovery rate). A plain list is shorthand
    for ``columns``.
    """

    columns: list[str | SegmentDimension] = Field(min_length=1)
    min_units: int = Field(default=100, ge=2)
    correction: Literal["holm", "bh"] = "holm"

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        if isinstance(data, str):
            return {"columns": [data]}
        if isinstance(data, list):
            data = {"columns": data}
        if isinstance(data, dict) and isinstance(data.get("columns"), list):
            for c in data["columns"]:
                if not isinstance(c, str | dict | SegmentDimension):
                    raise ValueError(
                        "an entry of `columns` is a column name or a mapping with `name`, "
                        f"`column` and `values` or `bins`; got {c!r}"
                    )
        return data

    @model_validator(mode="after")
    def _distinct_names(self) -> SegmentsSpec:
        plain = {c for c in self.columns if isinstance(c, str)}
        seen: set[str] = set()
        for d in self.columns:
            if isinstance(d, str):
                continue
            if d.name in plain or d.name in seen:
                raise ValueError(
                    f"segment name {d.name!r} is taken by another dimension of `columns`; "
                    "give each dimension its own name"
                )
            seen.add(d.name)
        return self

    def names(self) -> list[str]:
        """The names of the dimensions (a plain column's is the column), in order."""
        return list(dict.fromkeys(c if isinstance(c, str) else c.name for c in self.columns))

    def dimension(self, name: str) -> SegmentDimension | None:
        """The declared (derived) dimension called ``name``; ``None`` for a plain column."""
        return next(
            (c for c in self.columns if isinstance(c, SegmentDimension) and c.name == name), None
        )


class BayesianSpec(_Model):
    """The optional Bayesian view of an experiment (beside the frequentist one, never instead).

    ``prior`` on the relative effect is ``weak`` (the default: normal, mean 0, standard
    deviation ``prior_sd``, 0.3 for +-30%; on the absolute effect ``prior_sd`` times the
    control mean's magnitude) or ``flat``. With ``ship_rule: true`` the primary metric ships on
    its expected relative loss below ``max_expected_loss`` (0.001 for 0.1%) instead of its
    significance; guardrails and the sample ratio check rule as before.
    """

    prior: Literal["weak", "flat"] = "weak"
    prior_sd: float = Field(default=0.3, gt=0)
    ship_rule: bool = False
    max_expected_loss: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _threshold_for_rule(self) -> BayesianSpec:
        if self.ship_rule and self.max_expected_loss is None:
            raise ValueError(
                "`ship_rule: true` needs `max_expected_loss`, the largest expected relative "
                "loss worth shipping (for example 0.001 for 0.1%)"
            )
        return self


class ExperimentSpec(_Model):
    """An experiment: its variants, the metrics by role, and the test settings.

    With metrics on event logs, ``assignment`` names the assignment log; ``window_days`` is the
    analysis window after each unit's assignment (all later events when omitted);
    ``pre_period_days`` the window before assignment that feeds CUPED covariates;
    ``exposure_filter`` a SQL filter on the assignment log (only matching assignments count).

    ``guardrail_rule`` chooses how a guardrail can roll a treatment back: ``deterioration`` (the
    default, Spotify's risk-aware rule) rolls back on any significant deterioration, even one
    within the margin; ``margin`` rolls back only when the guardrail is significantly worse than
    its margin. Either way a treatment ships only when every guardrail is shown non-inferior.

    For planning (``proxymetric plan``): ``units_per_day`` is the number of new units the test
    gets per day, ``population`` the size of a fixed user base (for example 300 employees), both
    for data without timestamps (a unit table) or to override the accrual measured in the logs.

    ``min_units_per_arm`` is the fewest units a variant needs for a test to be reported (10 by
    default; see :mod:`proxymetric.stats.compare`).

    ``segments`` asks for the effects per value of some columns of the unit table or assignment
    log (:class:`SegmentsSpec`): exploratory, corrected across segments, never part of the decision.
    ``family`` is the multiple-testing family of the success metrics (primary and secondary)
    corrected by ``correction``: ``both`` (default: every metric of every treatment as one
    family), ``metrics`` (the metrics of each treatment), ``treatments`` (the treatments of
    each metric) or ``none`` (no correction). ``combine`` pools declared variants into one arm
    (``{new_arm: [variant, ...]}``) analysed as one treatment. ``holdout: true`` marks a
    long-running holdout: the control is the held-out share (between 1% and 10% of the
    ``split``, which is then required) and the treatment everything shipped since.
    ``bayesian`` adds the Bayesian view (:class:`BayesianSpec`).

    ``salt`` seeds the hashed assignment of ``proxymetric assign`` (the experiment's name by
    default): experiments with different salts are assigned independently.
    """

    control: str
    assignment: str | None = None
    window_days: float | None = Field(default=None, gt=0)
    pre_period_days: float = Field(default=14.0, gt=0)
    exposure_filter: str | None = None
    variants: list[str] | None = None
    primary: str
    guardrails: list[GuardrailSpec] = Field(default_factory=list)
    secondary: list[str] = Field(default_factory=list)
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    split: dict[str, float] | None = None
    correction: Literal["holm", "bh", "none"] = "holm"
    guardrail_rule: Literal["deterioration", "margin"] = "deterioration"
    planned_units: int | None = Field(default=None, gt=0)
    units_per_day: float | None = Field(default=None, gt=0)
    population: int | None = Field(default=None, gt=0)
    min_units_per_arm: int = Field(default=10, ge=2)
    segments: SegmentsSpec | None = None
    family: Literal["both", "metrics", "treatments", "none"] = "both"
    combine: dict[str, list[str]] | None = None
    holdout: bool = False
    bayesian: BayesianSpec | None = None
    salt: str | None = Field(default=None, min_length=1)
    description: str | None = None

    def metric_roles(self) -> list[tuple[str, str]]:
        """Return ``(metric, role)`` pairs: the primary, then guardrails, then secondary."""
        roles = [(self.primary, "primary")]
        roles += [(g.metric, "guardrail") for g in self.guardrails]
        roles += [(m, "secondary") for m in self.secondary]
        return roles


class ClassifierRateSpec(_Model):
    """The rate of a classifier that an offline evaluation must measure, for the checklist.

    ``rate`` (``recall``, ``precision`` or ``false_positive_rate``) is expected near
    ``expected`` and must be measured to +-``half_width``; ``prevalence`` is the share of
    positives in the labelled sample; sizing a precision also needs the expected ``recall``.
    """

    rate: Literal["recall", "precision", "false_positive_rate"]
    expected: float = Field(gt=0, lt=1)
    half_width: float = Field(gt=0, le=0.5)
    prevalence: float = Field(gt=0, lt=1)
    recall: float | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="after")
    def _recall_for_precision(self) -> ClassifierRateSpec:
        if self.rate == "precision" and self.recall is None:
            raise ValueError(
                "sizing a precision needs the expected `recall` (the flagged share is "
                "prevalence x recall / precision)"
            )
        return self


class EvaluationSpec(_Model):
    """A metric measured offline, by a blind test or by interleaving instead of an A/B test.

    ``kind`` is ``offline`` (a model objective scored on logged data), ``blind_test`` (raters
    judge pairs of outputs without knowing which system made which) or ``interleaving`` (one
    list mixes both rankers; each query prefers one). ``sample_size`` is the planned number of
    judged pairs or queries (test examples offline); ``expected_win_rate`` the share of decided
    judgments the team expects the new system to win; ``cost_per_judgment`` what one judgment
    costs. ``guardrails`` name the metrics or evaluations that balance it. An offline evaluation
    of a classifier may declare ``classifier`` (:class:`ClassifierRateSpec`): the checklist then
    sizes its labelled sample (``sample_size``) for that rate. ``role``, ``link``,
    ``owner``, ``computed_by``, ``value_per_unit`` and ``direction`` mean what they mean for a
    metric.
    """

    kind: Literal["offline", "blind_test", "interleaving"]
    description: str | None = None
    role: Role | None = None
    owner: str | None = None
    computed_by: str | None = None
    link: LinkSpec | None = None
    value_per_unit: float | None = None
    direction: Literal["increase", "decrease"] = "increase"
    sample_size: int | None = Field(default=None, gt=0)
    expected_win_rate: float | None = Field(default=None, gt=0, lt=1)
    cost_per_judgment: float | None = Field(default=None, ge=0)
    guardrails: list[str] = Field(default_factory=list)
    classifier: ClassifierRateSpec | None = None


class DurationSpec(_Model):
    """How long a test may run: the planned ``days`` and the longest the team would accept.

    ``min_days`` is the shortest test worth proposing and ``whole_weeks`` rounds every proposed
    duration up to whole weeks (by default at least one week, in whole weeks: behaviour follows
    a weekly cycle, and a shorter test over-weights the days it happens to cover). The traffic
    itself is declared per experiment (``units_per_day`` or ``population``).
    """

    days: int = Field(default=14, gt=0)
    max_days: int = Field(default=56, gt=0)
    min_days: int = Field(default=7, gt=0)
    whole_weeks: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> DurationSpec:
        if self.max_days < self.days:
            raise ValueError(f"`max_days` ({self.max_days}) must be >= `days` ({self.days})")
        if self.min_days > self.max_days:
            raise ValueError(
                f"`min_days` ({self.min_days}) must be <= `max_days` ({self.max_days})"
            )
        return self


class EthicsReviewSpec(_Model):
    """The ethical review of the project: who reviewed it, when, and the outcome."""

    reviewer: str | None = None
    date: dt.date | str | None = None
    outcome: str | None = None
    notes: str | None = None


class Spec(_Model):
    """The whole spec file.

    Besides the metric tree, the checklist of ``proxymetric check`` reads ``baseline`` (the
    non-ML way of reaching the goal), ``model_owner`` (the team that builds the model),
    ``duration`` (of a test), ``evaluations`` and ``ethics_review``.
    """

    request: str | None = None
    goal: str | None = None
    north_star: str | None = None
    baseline: str | None = None
    model_owner: str | None = None
    duration: DurationSpec | None = None
    sources: dict[str, SourceSpec] = Field(default_factory=dict)
    metrics: dict[str, MetricSpec] = Field(default_factory=dict)
    evaluations: dict[str, EvaluationSpec] = Field(default_factory=dict)
    experiments: dict[str, ExperimentSpec] = Field(default_factory=dict)
    value: ValueSpec | None = None
    ethics_review: EthicsReviewSpec | None = None

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _file: str | None = PrivateAttr(default=None)
    _lines: LineMap = PrivateAttr(default_factory=lambda: LineMap(None, {}))

    def error(self, message: str, path: tuple[str | int, ...] = ()) -> SpecError:
        """Return a :class:`SpecError` located at the line of key ``path`` of the spec file."""
        return self._lines.error(message, path)

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the spec are resolved against."""
        return self._base_dir

    @property
    def file(self) -> str | None:
        """The spec file this spec was loaded from, if any."""
        return self._file


def cap_quantile(text: str) -> float | None:
    """The quantile (0 to 1) of a percentile cap such as ``p99.9``, or None when ``text`` is
    not one (a percentile strictly between 0 and 100)."""
    import re

    found = re.fullmatch(r"p(\d+(?:\.\d+)?)", text.strip())
    if found is None:
        return None
    percent = float(found.group(1))
    return percent / 100 if 0 < percent < 100 else None

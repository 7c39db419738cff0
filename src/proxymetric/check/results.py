"""Result objects of the good-metric checklist (the JSON contract of ``proxymetric check``)."""

from __future__ import annotations

import dataclasses

from proxymetric._result import Result

__all__ = [
    "PROJECT_CHECKS",
    "PROPERTIES",
    "STATUSES",
    "Cell",
    "MetricRow",
    "ProjectCheck",
    "Scorecard",
]

PROPERTIES = (
    "tied_to_money",
    "external_oracle",
    "attributable",
    "cheap_and_fast",
    "sensitive",
    "balanced",
    "validated",
)
"""The properties of a good metric, in the order of the scorecard's columns."""

PROJECT_CHECKS = ("goal", "north_star", "value_model", "baseline", "ethics_review")
"""The project-level checks, in order."""

STATUSES = ("pass", "warn", "fail", "n/a")
"""A cell's status: ``n/a`` when the property does not apply to the metric's role."""


@dataclasses.dataclass(frozen=True)
class Cell(Result):
    """One property of one metric: ``status``, a one-line ``reason`` and, where one applies,
    the number (``value``, described by ``value_name``: ``days``, ``rel_mde``, ``win_rate``,
    ``judgments``, ``correlation``, ``money_per_unit``, ``labels``, ``half_width``; ``nan`` and
    an empty name otherwise).

    ``advice`` says what to do instead when the check warns or fails (empty otherwise).
    """

    property: str
    status: str
    reason: str
    value: float
    value_name: str
    advice: str


@dataclasses.dataclass(frozen=True)
class MetricRow(Result):
    """One metric of the tree: its ``role``, how it is measured, and one cell per property.

    ``measured_by`` is ``experiment:NAME``, ``offline``, ``blind_test``, ``interleaving`` or
    ``none``.
    """

    metric: str
    role: str
    measured_by: str
    cells: tuple[Cell, ...]

    def cell(self, prop: str) -> Cell:
        """Return the cell of property ``prop`` (one of :data:`PROPERTIES`)."""
        for c in self.cells:
            if c.property == prop:
                return c
        raise KeyError(prop)


@dataclasses.dataclass(frozen=True)
class ProjectCheck(Result):
    """A project-level check (one of :data:`PROJECT_CHECKS`), with its status and reason.

    ``value`` is the number behind it where there is one (the expected objective of an ideal
    model for ``value_model``), ``nan`` otherwise.
    """

    check: str
    status: str
    reason: str
    value: float


@dataclasses.dataclass(frozen=True)
class Scorecard(Result):
    """The whole checklist of a spec: one row per metric, the project checks, and the counts.

    ``passed`` is true when no cell and no project check fails (warnings do not fail).
    """

    spec: str
    properties: tuple[str, ...]
    rows: tuple[MetricRow, ...]
    project: tuple[ProjectCheck, ...]
    n_pass: int
    n_warn: int
    n_fail: int
    passed: bool

    def row(self, metric: str) -> MetricRow:
        """Return the row of ``metric``."""
        for r in self.rows:
            if r.metric == metric:
                return r
        raise KeyError(metric)

    def project_check(self, name: str) -> ProjectCheck:
        """Return the project check ``name`` (one of :data:`PROJECT_CHECKS`)."""
        for p in self.project:
            if p.check == name:
                return p
        raise KeyError(name)

    def failures(self) -> tuple[str, ...]:
        """Return ``metric.property`` (or ``project.check``) of every failing check."""
        out = [f"{r.metric}.{c.property}" for r in self.rows for c in r.cells if c.status == "fail"]
        out += [f"project.{p.check}" for p in self.project if p.status == "fail"]
        return tuple(out)

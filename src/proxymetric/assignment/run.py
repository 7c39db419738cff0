"""Assign the units of an experiment (``proxymetric assign``): ids in, variants out, checked.

The experiment's ``variants`` and ``split`` give the weights (equal shares without a split) and
its ``salt`` (the experiment's name by default) the hash; the ids come from a CSV or Parquet
file or from the experiment's own unit source, and the engine computes the assignment with the
SQL twin of :func:`proxymetric.assignment.assign`. The result counts the units per variant and
tests the counts against the weights (SRM, :func:`proxymetric.stats.srm.srm_test`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proxymetric._result import Result
from proxymetric.assignment.hashing import check_salt, check_weights
from proxymetric.data.assignment import (
    DIALECTS,
    assignment_query,
    assignment_sql,
    assignment_table,
    checked_ids,
    id_table,
    variant_counts,
    write_assignment,
)
from proxymetric.data.sources import SourceResolver
from proxymetric.errors import ProxymetricError
from proxymetric.experiment import ResolvedExperiment, resolve
from proxymetric.spec import Spec
from proxymetric.spec.model import SourceSpec
from proxymetric.stats.srm import SrmResult, srm_test

__all__ = [
    "DIALECTS",
    "AssignmentPlan",
    "AssignmentResult",
    "assign_experiment",
    "assignment_plan",
    "experiment_sql",
]


@dataclass(frozen=True)
class AssignmentPlan(Result):
    """What drives an experiment's assignment.

    Attributes:
        experiment: the experiment's name.
        salt: the salt of the hash (the experiment's ``salt``, else its name).
        weights: the share of each variant, in the declared order.
    """

    experiment: str
    salt: str
    weights: dict[str, float]


@dataclass(frozen=True)
class AssignmentResult(Result):
    """The assignment of a set of unit ids.

    Attributes:
        experiment: the experiment's name.
        salt: the salt of the hash.
        weights: the share of each variant.
        id_column: the column the ids were read from.
        units: the number of distinct ids assigned.
        variant_units: the number of units per variant (every variant, zero included).
        srm: the chi-square test of ``variant_units`` against ``weights``.
        output: the file the assignment was written to, if any.
    """

    experiment: str
    salt: str
    weights: dict[str, float]
    id_column: str
    units: int
    variant_units: dict[str, int]
    srm: SrmResult
    output: str | None = None


def assignment_plan(
    spec: str | Path | Mapping[str, Any] | Spec | ResolvedExperiment,
    experiment: str | None = None,
) -> AssignmentPlan:
    """Return the weights and salt of an experiment: its ``split`` (shares summing to 1) over
    its ``variants``, else equal shares; its ``salt``, else its name."""
    resolved = resolve(spec, experiment)
    declared = resolved.spec.experiments[resolved.name]
    if resolved.split is not None:
        order = list(resolved.variants) if resolved.variants is not None else list(resolved.split)
        weights = check_weights(
            {v: resolved.split[v] for v in order}, f"split` of experiment `{resolved.name}"
        )
    elif resolved.variants is not None:
        weights = check_weights({v: 1 / len(resolved.variants) for v in resolved.variants})
    else:
        raise ProxymetricError(
            f"experiment {resolved.name!r} declares neither `variants` nor `split`; give "
            "`variants` (equal shares) or `split` (shares summing to 1) to assign units"
        )
    salt = check_salt(declared.salt if declared.salt is not None else resolved.name)
    return AssignmentPlan(resolved.name, salt, weights)


def experiment_sql(
    spec: str | Path | Mapping[str, Any] | Spec | ResolvedExperiment,
    experiment: str | None = None,
    *,
    column: str | None = None,
    dialect: str = "duckdb",
    table: str | None = None,
) -> str:
    """Return the SQL expression that assigns the ids of ``column`` (by default the unit
    column of the experiment's source) as the experiment does; with ``table``, a query of
    that table giving each distinct id its ``variant`` (each id hashed once per variant)."""
    resolved = resolve(spec, experiment)
    p = assignment_plan(resolved)
    if column is None:
        column = _unit_source(resolved)[1].unit or "unit"
    if table is not None:
        return assignment_query(table, column, p.weights, p.salt, dialect)
    return assignment_sql(column, p.weights, p.salt, dialect)


def _unit_source(resolved: ResolvedExperiment) -> tuple[str, SourceSpec]:
    """The source of the experiment's units: its assignment log, else its primary's source."""
    declared = resolved.spec.experiments[resolved.name]
    name = declared.assignment if declared.assignment is not None else resolved.source
    return name, resolved.spec.sources[name]


def assign_experiment(
    spec: str | Path | Mapping[str, Any] | Spec | ResolvedExperiment,
    experiment: str | None = None,
    *,
    ids: str | Path | None = None,
    column: str | None = None,
    write: str | Path | None = None,
    data: Mapping[str, Any] | None = None,
) -> AssignmentResult:
    """Assign the ids of ``ids`` (a CSV or Parquet file, column ``column``) or of the
    experiment's unit source to its variants; with ``write``, write the assignment there
    (Parquet for ``.parquet``, else CSV: the id column and ``variant``).

    ``column`` defaults to the unit column of the experiment's source. ``data`` holds in-memory
    tables named by the spec's sources, as for :func:`proxymetric.analyze`.
    """
    resolved = resolve(spec, experiment)
    p = assignment_plan(resolved)
    source_name, source = _unit_source(resolved)
    resolver = SourceResolver(resolved.spec.base_dir, data)
    if ids is not None:
        id_column = column if column is not None else source.unit
        if id_column is None:
            raise ProxymetricError("give `column`, the column of the ids in the file")
        table = id_table(Path(ids), id_column, resolver.duckdb)
    else:
        if source.kind == "summary":
            raise ProxymetricError(
                f"source {source_name!r} of experiment {resolved.name!r} holds summary "
                "statistics, not unit ids; give `ids`, a CSV or Parquet file of ids"
            )
        id_column = column if column is not None else source.unit
        assert id_column is not None  # a source of units always names its unit column
        table = checked_ids(
            resolver.table(source_name, source), id_column, f"source {source_name!r}"
        )
    assigned = assignment_table(table, id_column, p.weights, p.salt)
    found = variant_counts(assigned)
    counts = {v: found.get(v, 0) for v in p.weights}
    if write is not None:
        try:
            write_assignment(assigned.order_by(id_column), Path(write))
        except OSError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ProxymetricError(
                f"`write` {str(write)!r} cannot be written: {reason[:1].lower()}{reason[1:]}"
            ) from None
    return AssignmentResult(
        experiment=p.experiment,
        salt=p.salt,
        weights=p.weights,
        id_column=id_column,
        units=sum(counts.values()),
        variant_units=counts,
        srm=srm_test(counts, p.weights),
        output=None if write is None else str(write),
    )

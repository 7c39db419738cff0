"""Everything one spec says, computed: the dossier behind ``proxymetric report SPEC``.

In the order a decision is argued: the request and the real goal; the metric tree from model
objective to money; the good-metric scorecard (:func:`~proxymetric.check.check_spec`); the plan
of each experiment (:func:`~proxymetric.design.plan`); each experiment's analysis
(:func:`~proxymetric.analysis.analyze`); the value model; what the registry of past experiments says
about the proxies (:func:`~proxymetric.proxies.validate_proxies`). A step whose inputs the spec
lacks is not an error: it is left out and ``missing[step]`` says, in one line, what would fill
it (the user error the step raised, or what to declare).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from proxymetric._result import Result
from proxymetric.analysis.result import ExperimentResult
from proxymetric.check.results import Scorecard
from proxymetric.design.plan import PlanResult
from proxymetric.errors import ProxymetricError
from proxymetric.proxies.validation import ProxyReport
from proxymetric.registry.store import Record
from proxymetric.spec import MetricSpec, Spec, load_spec
from proxymetric.spec.model import EvaluationSpec
from proxymetric.value import ValueResult

__all__ = [
    "Dossier",
    "ExperimentAnalysis",
    "ExperimentPlan",
    "RegistryFindings",
    "TreeNode",
    "build_dossier",
]

_MAX_RECORDS = 20


@dataclasses.dataclass(frozen=True)
class TreeNode(Result):
    """One metric of the tree (a spec metric or an evaluation) and what the spec says of it.

    ``role`` is the checklist's (``north_star``, ``proxy``, ``guardrail``, ``model_objective``);
    ``link_to`` what it is linked to (``None``: the north star by default for a proxy).
    """

    name: str
    kind: str
    role: str
    description: str | None
    metric_type: str
    direction: str
    owner: str | None
    computed_by: str | None
    value_per_unit: float | None
    link_to: str | None
    reviewed_by: str | None
    link_note: str | None
    measured_by: str


@dataclasses.dataclass(frozen=True)
class ExperimentPlan(Result):
    """The plan of one experiment, or why there is none (``missing``)."""

    experiment: str
    plan: PlanResult | None
    missing: str | None


@dataclasses.dataclass(frozen=True)
class ExperimentAnalysis(Result):
    """The analysis of one experiment, or why there is none (``missing``)."""

    experiment: str
    result: ExperimentResult | None
    missing: str | None


@dataclasses.dataclass(frozen=True)
class RegistryFindings(Result):
    """The registry of past experiments: its latest records and the proxy validation.

    ``effects[metric]`` are the estimated effects of every comparison in the registry, in one
    order for every metric (for the chart of the proxies against the north star).
    """

    url: str
    n_records: int
    records: list[Record]
    proxies: ProxyReport | None
    proxies_missing: str | None
    effects: dict[str, list[float]]


@dataclasses.dataclass(frozen=True)
class Dossier(Result):
    """The whole chain of one spec. ``missing[step]`` says what would fill a step left out."""

    title: str
    spec: str
    request: str | None
    goal: str | None
    north_star: str | None
    baseline: str | None
    model_owner: str | None
    tree: list[TreeNode]
    value_model: str | None
    scorecard: Scorecard | None
    plans: list[ExperimentPlan]
    analyses: list[ExperimentAnalysis]
    value: ValueResult | None
    registry: RegistryFindings | None
    missing: dict[str, str]


def _tree(spec: Spec, card: Scorecard | None) -> list[TreeNode]:
    roles = {r.metric: (r.role, r.measured_by) for r in card.rows} if card is not None else {}

    def node(
        name: str,
        kind: str,
        metric_type: str,
        default: tuple[str, str],
        d: MetricSpec | EvaluationSpec,
    ) -> TreeNode:
        # a metric or an offline evaluation: the declarations both kinds share
        role, measured = roles.get(name, default)
        link = d.link
        return TreeNode(
            name=name,
            kind=kind,
            role=role,
            description=d.description,
            metric_type=metric_type,
            direction=d.direction,
            owner=d.owner,
            computed_by=d.computed_by,
            value_per_unit=d.value_per_unit,
            link_to=link.to if link is not None else None,
            reviewed_by=link.reviewed_by if link is not None else None,
            link_note=link.note if link is not None else None,
            measured_by=measured,
        )

    nodes = [
        node(name, "metric", m.type, (m.role or "proxy", "none"), m)
        for name, m in spec.metrics.items()
    ]
    nodes += [
        node(name, "evaluation", e.kind, (e.role or "model_objective", e.kind), e)
        for name, e in spec.evaluations.items()
    ]
    return nodes


def _attempt(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """Run a step; a user error (the spec lacks its inputs) becomes the line saying so."""
    try:
        return fn(*args, **kwargs), None
    except ProxymetricError as exc:
        return None, str(exc)
    except FileNotFoundError as exc:
        return None, f"file not found: {exc.filename}"


def _registry(
    location: str | Path, north_star: str | None, *, create: bool = False
) -> RegistryFindings:
    from proxymetric.proxies import table_from_registry, validate_proxies
    from proxymetric.registry import Registry

    reg = Registry(location, create=create)
    records = reg.records()
    proxies: ProxyReport | None = None
    effects: dict[str, list[float]] = {}
    reason: str | None
    if north_star is None:
        reason = "the spec names no `north_star`: name it to validate proxies against it"
    else:
        table, reason = _attempt(table_from_registry, reg)
        if table is not None:
            import numpy as np

            proxies, reason = _attempt(validate_proxies, table, north_star)
            effects = {
                m: [float(x) for x in np.asarray(table.effects)[:, j]]
                for j, m in enumerate(table.metrics)
            }
    return RegistryFindings(
        url=reg.url,
        n_records=len(records),
        records=records[-_MAX_RECORDS:],
        proxies=proxies,
        proxies_missing=reason,
        effects=effects,
    )


def build_dossier(
    spec: str | Path | Spec,
    *,
    registry: str | Path | None = None,
    draws: int | None = None,
    seed: int | None = None,
) -> Dossier:
    """Return the :class:`Dossier` of ``spec``: every step it has the inputs for.

    ``registry`` is the registry of past experiments (a file or a SQLAlchemy URL; none by
    default); ``draws`` and ``seed`` override the value model's. Raises only on a
    spec that does not load; each other step that cannot run is left out with its reason.
    """
    from proxymetric.analysis import analyze
    from proxymetric.check import check_spec
    from proxymetric.design.plan import plan

    loaded = load_spec(spec)
    missing: dict[str, str] = {}
    card, reason = _attempt(check_spec, loaded, registry=registry)
    if reason:
        missing["scorecard"] = reason
    plans, analyses = [], []
    for name in loaded.experiments:
        p, why = _attempt(plan, loaded, name)
        plans.append(ExperimentPlan(name, p, why))
        a, why = _attempt(analyze, loaded, name)
        analyses.append(ExperimentAnalysis(name, a, why))
    if not loaded.experiments:
        missing["experiments"] = (
            "the spec declares no experiment: add one under `experiments:` (docs/spec.md) to "
            "plan and analyse a test of the change"
        )
    value: ValueResult | None = None
    if loaded.value is None:
        missing["value"] = (
            "no value model: add a `value:` section (docs/value.md) to price the change in money "
            "with its uncertainty"
        )
    elif loaded.file is None:
        missing["value"] = "the value model is read from a spec file: pass the spec as a file"
    else:
        from proxymetric.value import load_value_model

        loaded_model, why = _attempt(load_value_model, loaded.file)
        if loaded_model is None:
            missing["value"] = str(why)
        else:
            model, section = loaded_model
            value, why = _attempt(
                model.analyze,
                draws=section.draws if draws is None else draws,
                seed=section.seed if seed is None else seed,
            )
            if why:
                missing["value"] = why
    findings: RegistryFindings | None = None
    location = registry
    if location is None:
        missing["registry"] = (
            "no registry of past experiments: record analyses with "
            "`proxymetric analyze --record` (or `proxymetric registry import`) to learn which "
            "proxies move with the north star"
        )
    else:
        findings, why = _attempt(_registry, location, loaded.north_star)
        if why:
            missing["registry"] = why
    return Dossier(
        title=loaded.request
        or (f"The case of {loaded.north_star}" if loaded.north_star else "Report"),
        spec=str(loaded.file or ""),
        request=loaded.request,
        goal=loaded.goal,
        north_star=loaded.north_star,
        baseline=loaded.baseline,
        model_owner=loaded.model_owner,
        tree=_tree(loaded, card),
        value_model=(
            f"{loaded.value.title or 'value model'}: {loaded.value.objective}"
            if loaded.value is not None
            else None
        ),
        scorecard=card,
        plans=plans,
        analyses=analyses,
        value=value,
        registry=findings,
        missing=missing,
    )

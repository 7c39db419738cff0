"""The parts of the whole-chain report (:class:`~proxymetric.chain.Dossier`), in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from proxymetric.report.html import _parts
from proxymetric.report.html._blocks import Block, Missing, Para, Part, Tree, TreeCard, plain

if TYPE_CHECKING:
    from proxymetric.chain import Dossier, TreeNode

__all__ = ["dossier_parts"]

_TIERS = (
    ("money", ("money",)),
    ("north star", ("north_star",)),
    ("proxies and guardrails", ("proxy", "guardrail", "secondary")),
    ("model objectives", ("model_objective",)),
)


def _card(node: TreeNode, north_star: str | None) -> TreeCard:
    facts = [
        ("role", node.role.replace("_", " ")),
        ("type", node.metric_type),
        ("direction", "lower is better" if node.direction == "decrease" else "higher is better"),
        ("owner", node.owner or "not declared"),
        ("oracle", node.computed_by or "not declared"),
        (
            "value per unit",
            f"{node.value_per_unit:g}" if node.value_per_unit is not None else "not priced",
        ),
        ("measured by", node.measured_by.replace("experiment:", "experiment ")),
    ]
    if node.role == "north_star":
        link = "▲ money (the value model or its value per unit)"
    else:
        target = node.link_to or north_star
        link = f"▲ {target}" if target else ""
        if node.reviewed_by:
            link += f", reviewed by {node.reviewed_by}"
        if node.link_note:
            link += f": {node.link_note}"
        if link and not node.reviewed_by:
            link += " (link not reviewed)"
    return TreeCard(
        node.name,
        node.role,
        node.description or "no description in the spec",
        tuple(facts),
        link,
    )


def _tree(d: Dossier) -> Tree:
    money = []
    if d.value_model is not None:
        money.append(TreeCard(d.value_model, "money", "the value model prices the change", (), ""))
    priced = [n.name for n in d.tree if n.value_per_unit is not None]
    if priced:
        money.append(
            TreeCard(
                "value per unit",
                "money",
                "money per unit of " + ", ".join(priced),
                (),
                "",
            )
        )
    if not money:
        money.append(
            TreeCard(
                "not priced",
                "money",
                "no money value is declared: add `value_per_unit` to a metric or a `value:` model",
                (),
                "",
            )
        )
    tiers: list[tuple[str, tuple[TreeCard, ...]]] = [("money", tuple(money))]
    for label, roles in _TIERS[1:]:
        cards = tuple(_card(n, d.north_star) for n in d.tree if n.role in roles)
        if cards:
            tiers.append((label, cards))
    return Tree(tuple(tiers))


def _missing(title: str, anchor: str, text: str) -> Part:
    return Part(title, anchor, (Missing(f"Left out: {text}."),))


def dossier_parts(d: Dossier, *, compact: bool = False) -> list[Part]:
    """Return the parts of the dossier in the order a decision is argued."""
    facts: list[Block] = []
    for label, value in (
        ("The request", d.request),
        ("The real goal", d.goal),
        ("North star", d.north_star),
        ("Non-ML baseline", d.baseline),
        ("Model owner", d.model_owner),
    ):
        facts.append(
            Para(plain(f"{label}: {value}" if value else f"{label}: not declared in the spec"))
        )
    parts = []
    glance: list[Block] = []
    for a in d.analyses:
        if a.result is not None:
            glance += _parts.decision_blocks(a.result)
    if glance:
        parts.append(
            Part(
                "At a glance",
                "glance",
                tuple(glance),
                "The decision of each experiment and its effects; the argument follows, from "
                "the goal to the registry.",
            )
        )
    parts.append(Part("The request and the goal", "goal", tuple(facts)))
    parts.append(
        Part(
            "The metric tree",
            "tree",
            (_tree(d),),
            "From the model objective (bottom) to money (top); each metric with its owner, its "
            "oracle (who computes it) and its value per unit.",
        )
    )
    if d.scorecard is not None:
        parts.append(_parts.scorecard_part(d.scorecard, base="/scorecard", compact=compact))
    else:
        parts.append(_missing("Good-metric scorecard", "scorecard", d.missing["scorecard"]))
    if "experiments" in d.missing:
        parts.append(_missing("Plan and results", "experiments", d.missing["experiments"]))
    for i, p in enumerate(d.plans):
        if p.plan is not None:
            parts.append(_parts.plan_part(p.plan, base=f"/plans/{i}/plan", compact=compact))
        else:
            parts.append(
                _missing(f"Plan of {p.experiment}", f"plan-{p.experiment}", str(p.missing))
            )
    for i, a in enumerate(d.analyses):
        if a.result is not None:
            parts.append(
                _parts.experiment_part(
                    a.result,
                    base=f"/analyses/{i}/result",
                    compact=compact,
                    with_definitions=False,
                    with_chart=False,
                )
            )
        else:
            parts.append(
                _missing(
                    f"Results of {a.experiment}",
                    f"experiment-{a.experiment}",
                    f"no results yet ({a.missing})",
                )
            )
    if d.value is not None:
        parts.append(_parts.value_part(d.value, base="/value", compact=compact))
    else:
        parts.append(_missing("Value model", "value", d.missing["value"]))
    r = d.registry
    if r is None:
        parts.append(_missing("What the registry says", "registry", d.missing["registry"]))
    else:
        blocks: list[Block] = [
            Para(plain(f"{r.n_records} records in {r.url}; the latest {len(r.records)} below."))
        ]
        blocks += _parts.records_part(r.records, r.url).blocks
        parts.append(Part("What the registry says", "registry", tuple(blocks)))
        if r.proxies is not None:
            parts.append(
                _parts.proxies_part(
                    r.proxies, effects=r.effects, base="/registry/proxies", compact=compact
                )
            )
        else:
            parts.append(_missing("Proxies", "proxies", r.proxies_missing or "no proxy validation"))
    return parts

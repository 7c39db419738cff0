"""Markdown rendering of any result object: :func:`to_markdown`.

It dispatches to the markdown renderer of the result's capability, the same text the commands
print with ``--format markdown``; a result without one becomes a table of its plain fields.
"""

from __future__ import annotations

from typing import Any

__all__ = ["to_markdown"]


def to_markdown(result: Any) -> str:
    """Return ``result`` (any proxymetric result object) as markdown text.

    >>> from proxymetric.design import power_analysis
    >>> print(to_markdown(power_analysis("proportion", 0.05, mde=0.005)).splitlines()[2])
    | metric | proportion |
    """
    name = type(result).__name__
    if name == "ExperimentResult":
        from proxymetric.report.experiment import experiment_markdown

        return experiment_markdown(result)
    if name == "SequentialAnalysis":
        from proxymetric.report.plan import sequential_markdown

        return sequential_markdown(result)
    if name == "PlanResult":
        from proxymetric.report.plan import plan_markdown

        return plan_markdown(result)
    if name == "PowerResult":
        from proxymetric.report.power import power_markdown

        return power_markdown(result)
    if name == "ValueResult":
        from proxymetric.report.value import to_markdown as value_markdown

        return value_markdown(result)
    if name == "OfflineResult":
        from proxymetric.report.offline import to_markdown as offline_markdown

        return offline_markdown(result)
    if name == "Scorecard":
        from proxymetric.report.check import to_markdown as scorecard_markdown

        return scorecard_markdown(result)
    if name == "Dossier":
        return _dossier_markdown(result)
    from proxymetric.report.sections import sections_markdown

    return sections_markdown(_sections(result))


def _sections(result: Any) -> Any:
    name = type(result).__name__
    if name == "BlindTestResult":
        from proxymetric.report.pairwise import blind_test_sections

        return blind_test_sections(result)
    if name == "InterleavingResult":
        from proxymetric.report.pairwise import interleaving_sections

        return interleaving_sections(result)
    if name == "ProxyReport":
        from proxymetric.report.proxies import proxy_sections

        return proxy_sections(result)
    if name == "ProgramImpact":
        from proxymetric.report.proxies import impact_sections

        return impact_sections(result)
    if name == "Record":
        from proxymetric.report.registry import record_sections

        return record_sections(result)
    from proxymetric.report.html._dispatch import _generic_sections

    return _generic_sections(result)


def _dossier_markdown(d: Any) -> str:
    """The dossier as markdown: the goal and the tree, then each step's own markdown (its
    renderer escapes what it prints) or the line saying what would fill it."""
    from proxymetric.report._text import markdown_text
    from proxymetric.report.sections import Section, sections_markdown

    head = sections_markdown(
        [
            Section(
                "The request and the goal",
                f"Request: {d.request or '—'}\nGoal: {d.goal or '—'}\nNorth star: "
                f"{d.north_star or '—'}",
            ),
            Section(
                "The metric tree",
                "",
                ("metric", "role", "owner", "oracle", "value per unit", "links to"),
                tuple(
                    (
                        n.name,
                        n.role,
                        n.owner or "—",
                        n.computed_by or "—",
                        "—" if n.value_per_unit is None else f"{n.value_per_unit:g}",
                        n.link_to or ("money" if n.role == "north_star" else d.north_star or "—"),
                    )
                    for n in d.tree
                ),
            ),
        ]
    )
    steps: list[tuple[str, Any, str | None]] = [
        ("Good-metric scorecard", d.scorecard, d.missing.get("scorecard"))
    ]
    steps += [(f"Plan of {p.experiment}", p.plan, p.missing) for p in d.plans]
    steps += [(f"Results of {a.experiment}", a.result, a.missing) for a in d.analyses]
    steps.append(("Value model", d.value, d.missing.get("value")))
    r = d.registry
    if r is None:
        steps.append(("What the registry says", None, d.missing.get("registry")))
    else:
        steps.append(("Proxies", r.proxies, r.proxies_missing))
    out = [head.rstrip()]
    for title, result, missing in steps:
        out += ["", f"## {markdown_text(title)}", ""]
        if result is not None:
            out.append(to_markdown(result).rstrip())
        else:
            out.append(markdown_text(f"Left out: {missing}.", multiline=True, code=True))
    return "\n".join(out) + "\n"

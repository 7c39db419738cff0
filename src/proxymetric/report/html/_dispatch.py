"""Which parts a result object becomes, by its type (imports are lazy: one capability each)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from proxymetric.report.html import _parts
from proxymetric.report.html._blocks import Part
from proxymetric.report.sections import Section

__all__ = ["parts", "source", "title"]


def _glossary(*terms: str) -> Part:
    return Part("Glossary", "glossary", (_parts.glossary(*terms),))


def _type_name(result: Any) -> str:
    return type(result).__name__


def parts(result: Any, *, compact: bool = False, spec: Any = None, **extra: Any) -> list[Part]:
    """Return the parts of ``result``; a glossary closes every page that is not compact."""
    name = _type_name(result)
    builders: dict[str, Callable[[], tuple[list[Part], tuple[str, ...]]]] = {
        "ExperimentResult": lambda: (
            [_parts.experiment_part(result, spec=spec, compact=compact)],
            ("relative effect", "95% interval", "non-inferior at margin", "CUPED", "p-value"),
        ),
        "SequentialAnalysis": lambda: (
            [_parts.sequential_part(result, compact=compact)],
            ("confidence sequence", "p-value", "CUPED"),
        ),
        "PlanResult": lambda: (
            [_parts.plan_part(result, compact=compact, spec=spec)],
            ("MDE", "CUPED", "non-inferior at margin"),
        ),
        "PowerResult": lambda: ([_parts.power_part(result)], ("MDE", "p-value")),
        "ValueResult": lambda: ([_parts.value_part(result, compact=compact)], ("P(loss)",)),
        "BlindTestResult": lambda: (
            [_parts.blind_test_part(result, compact=compact)],
            ("95% interval",),
        ),
        "InterleavingResult": lambda: (
            [_parts.interleaving_part(result)],
            ("95% interval", "p-value"),
        ),
        "OfflineResult": lambda: (
            [_parts.offline_part(result, compact=compact)],
            ("95% interval", "p-value"),
        ),
        "ProxyReport": lambda: (
            [_parts.proxies_part(result, effects=_effects(extra), compact=compact)],
            ("noise-corrected correlation",),
        ),
        "ProgramImpact": lambda: ([_parts.impact_part(result)], ("95% interval",)),
        "HoldoutRollup": lambda: ([_holdout_part(result)], ("95% interval",)),
        "Scorecard": lambda: ([_parts.scorecard_part(result, compact=compact)], ("MDE",)),
        "Record": lambda: ([_parts.record_part(result)], ()),
        "Dossier": lambda: _dossier(result, compact),
    }
    if name in builders:
        found, terms = builders[name]()
    elif isinstance(result, Sequence) and all(_type_name(r) == "Record" for r in result):
        found, terms = [_parts.records_part(result, str(extra.get("url", "the registry")))], ()
    elif "sections" in extra:
        sections = extra["sections"]
        found, terms = [_parts.sections_part(sections, title(result, sections))], ()
    else:
        found, terms = [_parts.sections_part(_generic_sections(result), title(result))], ()
    if not compact and terms:
        found.append(_glossary(*terms))
    return found


def _effects(extra: dict[str, Any]) -> Any:
    if extra.get("table") is not None:
        from proxymetric.report.charts import effects_by_metric

        return effects_by_metric(extra["table"])
    return extra.get("effects")


def _holdout_part(result: Any) -> Part:
    from proxymetric.report import charts
    from proxymetric.report.html._blocks import Figure
    from proxymetric.report.proxies import holdout_sections

    part = _parts.sections_part(holdout_sections(result), title(result), "holdout")
    return dataclasses.replace(part, blocks=(Figure(charts.holdout_chart(result)), *part.blocks))


def _dossier(result: Any, compact: bool) -> tuple[list[Part], tuple[str, ...]]:
    from proxymetric.report.html._dossier import dossier_parts

    return dossier_parts(result, compact=compact), tuple(_parts.GLOSSARY)


def _generic_sections(result: Any) -> list[Section]:
    """A result without a renderer of its own: its plain fields as a table."""
    from proxymetric._result import plain

    data = plain(result)
    if not isinstance(data, dict):
        return [Section(title(result), str(data))]
    rows = tuple(
        (k, str(v)) for k, v in data.items() if not isinstance(v, dict | list) or len(str(v)) < 200
    )
    return [Section(title(result), "", ("field", "value"), rows)]


_TITLES: dict[str, Callable[[Any], str]] = {
    "ExperimentResult": lambda r: f"Experiment {r.experiment}",
    "SequentialAnalysis": lambda r: f"Sequential analysis of {r.experiment}",
    "PlanResult": lambda r: f"Plan of {r.experiment}",
    "PowerResult": lambda r: f"Power of a test of {r.metric}",
    "ValueResult": lambda r: r.title or "Value model",
    "BlindTestResult": lambda _: "Blind pairwise test",
    "InterleavingResult": lambda _: "Interleaving test",
    "OfflineResult": lambda _: "Offline evaluation",
    "ProxyReport": lambda r: f"Proxies for {r.north_star}",
    "ProgramImpact": lambda r: f"Program impact on {r.metric}",
    "HoldoutRollup": lambda r: f"Program against holdout {r.holdout} on {r.metric}",
    "Scorecard": lambda _: "Good-metric scorecard",
    "Record": lambda r: f"Registry record {r.id}",
    "Dossier": lambda r: r.title,
}


def title(result: Any, sections: Sequence[Section] = ()) -> str:
    """The page title of ``result`` (the first heading of its sections, when it has no name)."""
    found = _TITLES.get(_type_name(result))
    if found is not None:
        return str(found(result))
    if isinstance(result, Sequence) and result and all(_type_name(r) == "Record" for r in result):
        return "Registry"
    if sections:
        return sections[0].heading
    return _type_name(result)


def source(result: Any, spec: Any) -> str:
    """Where the result comes from, for the page's footer (the spec file when known)."""
    file = getattr(spec, "file", None) or getattr(result, "spec", None)
    return str(file) if isinstance(file, str) and file else ""

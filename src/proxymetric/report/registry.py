"""Text renderings (rich tables or markdown) of registry records.

A rendering is a list of sections (a heading, a line of text, a table) so that the terminal and
the markdown say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence

from proxymetric.registry.imports import ImportSummary
from proxymetric.registry.store import Record
from proxymetric.report import format_number, format_pvalue
from proxymetric.report._count import counted
from proxymetric.report.sections import Section

__all__ = ["import_text", "record_sections", "records_sections"]


def _opt(value: object) -> str:
    return "—" if value is None else str(value)


def records_sections(records: Sequence[Record], url: str) -> list[Section]:
    """Return the listing of ``records``."""
    return [
        Section(
            "Registry",
            f"{counted(len(records), 'record')} in {url}",
            ("id", "kind", "experiment", "created (UTC)", "decision", "shipped", "fingerprint"),
            tuple(
                (
                    str(r.id),
                    r.kind,
                    r.experiment,
                    r.created_at[:19].replace("T", " "),
                    _opt(r.decision),
                    _opt(r.shipped),
                    _opt(r.fingerprint),
                )
                for r in records
            ),
        )
    ]


def record_sections(r: Record) -> list[Section]:
    """Return the detail of one record: what it says and its effects."""
    facts = [
        f"kind {r.kind}",
        f"created {r.created_at}",
        f"proxymetric {r.tool_version}",
    ]
    if r.source:
        facts.append(f"source {r.source}")
    if r.spec_hash:
        facts.append(f"spec sha256 {r.spec_hash[:16]}")
    if r.fingerprint:
        facts.append(f"data fingerprint {r.fingerprint}")
    if r.decision:
        facts.append(f"decision {r.decision}")
    if r.kind != "plan":
        facts.append(f"noise covariance between metrics {r.noise_covariance}")
    sections = [Section(f"Record {r.id}: {r.experiment}", "; ".join(facts))]
    if r.kind == "plan":
        d = r.details
        guardrails = ", ".join(
            f"{g['metric']} ({g['margin_type']} margin {g['margin']:g})" for g in d["guardrails"]
        )
        sections.append(
            Section(
                "Plan",
                "",
                ("primary", "guardrails", "secondary", "alpha", "MDE", "planned units", "days"),
                (
                    (
                        str(d["primary"]),
                        guardrails or "—",
                        ", ".join(d["secondary"]) or "—",
                        f"{d['alpha']:g}",
                        format_number(d.get("mde")),
                        format_number(d.get("planned_units")),
                        format_number(d.get("duration_days")),
                    ),
                ),
            )
        )
    if r.effects:
        sections.append(
            Section(
                "Effects",
                "effect = treatment - control",
                (
                    "variant",
                    "metric",
                    "role",
                    "effect",
                    "se",
                    "p-value",
                    "control n",
                    "treatment n",
                ),
                tuple(
                    (
                        e.variant,
                        e.metric,
                        _opt(e.role),
                        format_number(e.effect),
                        format_number(e.effect_se),
                        format_pvalue(e.pvalue),
                        format_number(e.control_units),
                        format_number(e.treatment_units),
                    )
                    for e in r.effects
                ),
            )
        )
    return sections


def import_text(s: ImportSummary) -> str:
    """Return one line saying what an import added."""
    return (
        f"imported {counted(s.experiments_added, 'experiment')} "
        f"({counted(s.effects, 'effect')}) from {s.source}; "
        f"{s.experiments_skipped:,} already in the registry"
    )

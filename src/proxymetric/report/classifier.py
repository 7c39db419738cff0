"""Text renderers of :class:`~proxymetric.classifier.ClassifierResult` (sections).

The result's notes are structured (codes and numbers); the sentences are written here. Model
and group names come from the data and are shown literally by the section renderers.
"""

from __future__ import annotations

import math

from rich.console import Console

from proxymetric.classifier import ClassifierNote, ClassifierResult
from proxymetric.report._format import format_interval, format_number, format_pvalue
from proxymetric.report.sections import Section, print_sections, sections_markdown

__all__ = ["classifier_sections", "note_text", "print_classifier", "to_markdown"]

_METRIC_NAMES = {
    "roc_auc": "ROC-AUC",
    "average_precision": "average precision",
    "brier": "Brier score",
    "log_loss": "log loss",
    "ece": "calibration error (ECE)",
}
_MARKS = {True: "better", False: "worse"}


def _pct(value: float) -> str:
    return format_number(value * 100, digits=3) + "%" if math.isfinite(value) else "—"


def _with(value: float, low: float, high: float, digits: int = 4) -> str:
    interval = format_interval(low, high, digits=3)
    shown = format_number(value, digits=digits)
    return shown if interval == "—" else f"{shown} {interval}"


def note_text(note: ClassifierNote) -> str:
    """Return the sentence of one structured note."""
    v = note.values
    if note.code == "sample_precision_not_production":
        return (
            f"The sample's prevalence is {_pct(v['sample_prevalence'])}, production's "
            f"{_pct(v['production_prevalence'])}: the sample's precision is not production's. "
            "Production numbers reweight the classes (the scores of each class are assumed to "
            "be distributed as in the sample)."
        )
    if note.code == "no_production_prevalence":
        return (
            "No production prevalence declared: precision, F1 and average precision hold "
            "only where positives are as common as in this sample "
            f"({_pct(v['sample_prevalence'])})."
        )
    if note.code == "scores_not_probabilities":
        return (
            f"The scores of '{note.model}' are not all within [0, 1]: no Brier score, log loss "
            "or calibration for it."
        )
    if note.code == "weighted_sample":
        return (
            f"Weighted sample: estimates are weighted, Wilson intervals use the effective "
            f"sample size ({format_number(v['effective_examples'])}); no McNemar test."
        )
    if note.code == "threshold_chosen_on_sample":
        return (
            "Thresholds for a target recall or precision were chosen on this sample; their "
            "intervals do not carry that choice."
        )
    if note.code == "bootstrap_binned":
        return (
            f"The bootstrap resampled {int(v['cells']):,} cells of score ranks "
            f"({int(v['bins'])} bins per model, cut also at the thresholds and calibration "
            "edges); point estimates are exact."
        )
    return note.code


def classifier_sections(r: object) -> list[Section]:
    """Return the sections of a :class:`~proxymetric.classifier.ClassifierResult`."""
    assert isinstance(r, ClassifierResult)
    level = f"{r.confidence_level:.0%}"
    has_prod = math.isfinite(r.production_prevalence)
    boot = f"{r.bootstrap_rounds} paired bootstrap rounds" if r.bootstrap_rounds else "no bootstrap"
    sections = [
        Section(
            "Classifier evaluation",
            f"{r.examples:,} labelled examples, {format_number(r.positives)} positive "
            f"(prevalence {_pct(r.sample_prevalence)}); "
            + (
                f"production prevalence {_pct(r.production_prevalence)}; "
                if has_prod
                else "no production prevalence declared; "
            )
            + f"{level} intervals, {boot}",
        )
    ]
    columns = ["model", "metric", "value", f"{level} CI", "method"]
    if has_prod:
        columns += ["in production", f"{level} CI "]
    rows = []
    for m in r.metrics:
        row = [
            m.model,
            _METRIC_NAMES.get(m.metric, m.metric),
            format_number(m.value),
            format_interval(m.value_ci_lower, m.value_ci_upper),
            m.method,
        ]
        if has_prod:
            row += [
                format_number(m.production_value),
                format_interval(m.production_value_ci_lower, m.production_value_ci_upper),
            ]
        rows.append(tuple(row))
    sections.append(Section("Score metrics", "", tuple(columns), tuple(rows)))
    if r.operating_points:
        sections.append(
            Section(
                "Operating points",
                f"flagged when score >= threshold; Wilson {level} intervals (F1: bootstrap)",
                ("model", "point", "threshold", "precision", "recall", "false positive rate", "F1"),
                tuple(
                    (
                        p.model,
                        p.key,
                        format_number(p.threshold),
                        _with(p.precision, p.precision_ci_lower, p.precision_ci_upper),
                        _with(p.recall, p.recall_ci_lower, p.recall_ci_upper),
                        _with(
                            p.false_positive_rate,
                            p.false_positive_rate_ci_lower,
                            p.false_positive_rate_ci_upper,
                        ),
                        _with(p.f1, p.f1_ci_lower, p.f1_ci_upper),
                    )
                    for p in r.operating_points
                ),
            )
        )
    if has_prod and r.operating_points:
        sections.append(
            Section(
                f"At production prevalence {_pct(r.production_prevalence)}",
                "per 1,000 items in production",
                ("model", "point", "precision", "false alarms", "flagged", "F1"),
                tuple(
                    (
                        p.model,
                        p.key,
                        _with(
                            p.production_precision,
                            p.production_precision_ci_lower,
                            p.production_precision_ci_upper,
                        ),
                        _with(
                            p.production_false_alarms_per_1000,
                            p.production_false_alarms_per_1000_ci_lower,
                            p.production_false_alarms_per_1000_ci_upper,
                        ),
                        format_number(p.production_flagged_per_1000),
                        _with(p.production_f1, p.production_f1_ci_lower, p.production_f1_ci_upper),
                    )
                    for p in r.operating_points
                ),
            )
        )
    if r.groups:
        sections.append(
            Section(
                "Error rates by group",
                f"Wilson {level} intervals",
                (
                    "model",
                    "point",
                    "group",
                    "positives",
                    "negatives",
                    "false positive rate",
                    "false negative rate",
                ),
                tuple(
                    (
                        g.model,
                        g.key,
                        g.group,
                        format_number(g.positives),
                        format_number(g.negatives),
                        _with(
                            g.false_positive_rate,
                            g.false_positive_rate_ci_lower,
                            g.false_positive_rate_ci_upper,
                        ),
                        _with(
                            g.false_negative_rate,
                            g.false_negative_rate_ci_lower,
                            g.false_negative_rate_ci_upper,
                        ),
                    )
                    for g in r.groups
                ),
            )
        )
    if r.calibration:
        sections.append(
            Section(
                "Reliability curve",
                f"share of positives per score bin, Wilson {level} intervals",
                ("model", "bin", "examples", "mean score", "positive share"),
                tuple(
                    (
                        c.model,
                        f"{c.bin_start:.2f}-{c.bin_end:.2f}",
                        format_number(c.weight),
                        format_number(c.mean_score, digits=3),
                        _with(
                            c.positive_share,
                            c.positive_share_ci_lower,
                            c.positive_share_ci_upper,
                            3,
                        ),
                    )
                    for c in r.calibration
                ),
            )
        )
    if r.comparisons:
        sections.append(
            Section(
                f"Paired comparisons with '{r.baseline}'",
                f"difference = model - baseline; better/worse where p < "
                f"{1 - r.confidence_level:.2g} (lower is better for Brier, log loss, ECE and "
                "the false positive rate)",
                ("model", "metric", "difference", f"{level} CI", "p-value", "test", "result"),
                tuple(
                    (
                        c.model,
                        c.metric,
                        format_number(c.difference),
                        format_interval(c.difference_ci_lower, c.difference_ci_upper),
                        format_pvalue(c.pvalue),
                        c.test,
                        "" if c.better is None else _MARKS[c.better],
                    )
                    for c in r.comparisons
                ),
            )
        )
    if r.notes:
        sections.append(Section("Notes", "\n".join(f"- {note_text(n)}" for n in r.notes)))
    return sections


def print_classifier(result: ClassifierResult, console: Console) -> None:
    """Print the evaluation as terminal tables."""
    print_sections(classifier_sections(result), console)


def to_markdown(result: ClassifierResult) -> str:
    """Return the evaluation as markdown."""
    return sections_markdown(classifier_sections(result))

"""``proxymetric classify``: evaluate a classifier's scores on labelled examples."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    bootstrap_option,
    confidence_level_option,
    seed_option,
    show_sections,
    user_errors,
)

__all__ = ["classify_app", "register"]

classify_app = typer.Typer(
    name="classify",
    help="A classifier's scores: metrics with intervals, production prevalence, comparisons.",
    no_args_is_help=True,
)


@classify_app.command("evaluate")
@user_errors
def evaluate(
    data: Annotated[
        Path,
        typer.Argument(
            help="CSV or Parquet with score and label, and optional model, id, weight, group "
            "and stratum."
        ),
    ],
    threshold: Annotated[
        list[float] | None,
        typer.Option("--threshold", help="Operating threshold (score >= it flags); repeatable."),
    ] = None,
    target_recall: Annotated[
        list[float] | None,
        typer.Option("--target-recall", help="Operating point at this recall; repeatable."),
    ] = None,
    target_precision: Annotated[
        list[float] | None,
        typer.Option("--target-precision", help="Operating point at this precision; repeatable."),
    ] = None,
    prevalence: Annotated[
        float | None,
        typer.Option("--prevalence", help="Share of positives in production (0 to 1)."),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Model the others are compared with (default: first)."),
    ] = None,
    positive: Annotated[
        str | None,
        typer.Option("--positive", help="Label value of a positive, when not 0/1 or true/false."),
    ] = None,
    bins: Annotated[int, typer.Option("--bins", help="Bins of the reliability curve.")] = 10,
    bootstrap: Annotated[int, bootstrap_option("Paired bootstrap rounds (0: none).")] = 1000,
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    seed: Annotated[int, seed_option("Random seed of the bootstrap.")] = 0,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Evaluate scored, labelled examples: AUC, precision, recall, calibration, by group."""
    from proxymetric.classifier import evaluate_classifier
    from proxymetric.report.classifier import classifier_sections

    result = evaluate_classifier(
        str(data),
        thresholds=[0.5] if threshold is None else threshold,
        target_recall=target_recall or [],
        target_precision=target_precision or [],
        prevalence=prevalence,
        baseline=baseline,
        calibration_bins=bins,
        confidence_level=confidence_level,
        bootstrap=bootstrap,
        seed=seed,
        positive=positive,
    )
    show_sections(result, classifier_sections(result), fmt, output)


def register(app: typer.Typer) -> None:
    """Add the ``classify`` command group to ``app``."""
    app.add_typer(classify_app)

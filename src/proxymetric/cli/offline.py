"""``proxymetric offline``: offline metrics of models and paired comparisons with a baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.cli._common import (
    FormatOption,
    LaunchOption,
    OutputFormat,
    OutputOption,
    RegistryOption,
    bootstrap_option,
    confidence_level_option,
    emit,
    record_launch,
    seed_option,
    user_errors,
)
from proxymetric.offline import evaluate
from proxymetric.report.offline import print_offline, to_markdown

__all__ = ["register"]


@user_errors
def offline(
    predictions: Annotated[
        Path,
        typer.Option(
            "--predictions",
            help="CSV/Parquet with model, unit, item, score and/or predicted_rating.",
        ),
    ],
    truth: Annotated[
        Path,
        typer.Option("--truth", help="CSV/Parquet with unit, item, relevance and/or rating."),
    ],
    k: Annotated[int, typer.Option("--k", help="List length cut-off of ranking metrics.")] = 10,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Model the others are compared with (default: first)."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Relevance at or above which an item is relevant."),
    ] = None,
    gain: Annotated[
        str, typer.Option("--gain", help="NDCG gain: linear (rel) or exponential (2^rel - 1).")
    ] = "linear",
    bootstrap: Annotated[int, bootstrap_option("Bootstrap rounds over units (0: none).")] = 1000,
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    seed: Annotated[int, seed_option("Random seed of the bootstrap.")] = 0,
    item_features: Annotated[
        Path | None,
        typer.Option("--item-features", help="CSV/Parquet with item and pipe-separated features."),
    ] = None,
    interactions: Annotated[
        Path | None,
        typer.Option("--interactions", help="CSV/Parquet of unit, item defining item popularity."),
    ] = None,
    launch: LaunchOption = None,
    registry: RegistryOption = None,
) -> None:
    """Offline evaluation: rating and ranking metrics with intervals, paired comparisons."""
    result = evaluate(
        str(predictions),
        str(truth),
        k=k,
        relevance_threshold=threshold,
        gain=gain,
        baseline=baseline,
        n_bootstrap=bootstrap,
        confidence_level=confidence_level,
        seed=seed,
        item_features=None if item_features is None else str(item_features),
        interactions=None if interactions is None else str(interactions),
    )
    if launch is not None:
        from proxymetric.registry import offline_launch

        record_launch(offline_launch(result, launch), registry)
    emit(result, fmt, to_markdown, print_offline, output)


def register(app: typer.Typer) -> None:
    """Add the ``offline`` command to ``app``."""
    app.command("offline")(offline)

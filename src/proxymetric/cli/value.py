"""``proxymetric value SPEC``: the business case of the spec's value model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    emit,
    seed_option,
    user_errors,
)
from proxymetric.report.value import print_business_case, to_markdown
from proxymetric.value import load_value_model

__all__ = ["register"]


@user_errors
def value(
    spec: Annotated[
        Path, typer.Argument(help="The spec file (proxymetric.yaml) with a `value:` section.")
    ],
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    draws: Annotated[
        int | None,
        typer.Option("--draws", help="Monte Carlo draws (default: the spec's, or 100000)."),
    ] = None,
    seed: Annotated[int | None, seed_option("Random seed (default: the spec's, or 0).")] = None,
) -> None:
    """What is it worth? Expected value, risk, drivers, break-even and headroom per alternative."""
    model, section = load_value_model(spec)
    result = model.analyze(
        draws=section.draws if draws is None else draws,
        seed=section.seed if seed is None else seed,
    )
    emit(result, fmt, to_markdown, print_business_case, output)


def register(app: typer.Typer) -> None:
    """Add the ``value`` command to ``app``."""
    app.command("value")(value)

"""``proxymetric value SPEC``: the business case of the spec's value model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.cli._common import OutputFileOption, OutputFormat, emit, user_errors
from proxymetric.value import load_value_model
from proxymetric.value._render import print_business_case, to_markdown

__all__ = ["register"]


@user_errors
def value(
    spec: Annotated[
        Path, typer.Argument(help="The spec file (proxymetric.yaml) with a `value:` section.")
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
    draws: Annotated[
        int | None,
        typer.Option("--draws", "-n", help="Monte Carlo draws (default: the spec's, or 100000)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", "-s", help="Random seed (default: the spec's, or 0).")
    ] = None,
    output_file: OutputFileOption = None,
) -> None:
    """What is it worth? Expected value, risk, drivers, break-even and headroom per alternative."""
    model, section = load_value_model(spec)
    result = model.analyze(
        draws=section.draws if draws is None else draws,
        seed=section.seed if seed is None else seed,
    )
    emit(result, output, to_markdown, print_business_case, output_file=output_file)


def register(app: typer.Typer) -> None:
    """Add the ``value`` command to ``app``."""
    app.command("value")(value)

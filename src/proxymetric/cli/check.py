"""``proxymetric check SPEC``: the good-metric checklist of a spec (exit 1 when a check fails)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.check import check_spec
from proxymetric.check._render import print_scorecard, to_markdown
from proxymetric.cli._common import OutputFileOption, OutputFormat, emit, user_errors

__all__ = ["register"]


@user_errors
def check(
    spec: Annotated[Path, typer.Argument(help="The spec file (proxymetric.yaml).")],
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
    registry: Annotated[
        str | None,
        typer.Option(
            "--registry",
            "-r",
            help="Registry of past experiments (SQLite file or SQLAlchemy URL) to validate "
            "proxies against.",
        ),
    ] = None,
    output_file: OutputFileOption = None,
) -> None:
    """Hold every metric to the good-metric checklist; exit 1 when any check fails."""
    card = check_spec(spec, registry=registry)
    emit(card, output, to_markdown, print_scorecard, output_file=output_file)
    if not card.passed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to ``app``."""
    app.command("check")(check)

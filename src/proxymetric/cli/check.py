"""``proxymetric check SPEC``: the good-metric checklist of a spec (exit 1 when a check fails)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.check import check_spec
from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    emit,
    existing_registry,
    registry_option,
    user_errors,
)
from proxymetric.report.check import print_scorecard, to_markdown

__all__ = ["register"]


@user_errors
def check(
    spec: Annotated[Path, typer.Argument(help="The spec file (proxymetric.yaml).")],
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    registry: Annotated[
        str | None,
        registry_option(
            "Registry of past experiments to validate proxies against (read when it exists)."
        ),
    ] = None,
) -> None:
    """Hold every metric to the good-metric checklist; exit 1 when any check fails."""
    card = check_spec(spec, registry=existing_registry(registry))
    emit(card, fmt, to_markdown, print_scorecard, output)
    if not card.passed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to ``app``."""
    app.command("check")(check)

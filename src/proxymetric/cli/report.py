"""``proxymetric report SPEC -o report.html``: the whole chain of one spec on one page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.cli._common import (
    OutputFormat,
    OutputOption,
    emit_text,
    existing_registry,
    format_option,
    registry_option,
    seed_option,
    user_errors,
)

__all__ = ["register"]


@user_errors
def report(
    spec: Annotated[Path, typer.Argument(help="The spec file (proxymetric.yaml).")],
    fmt: Annotated[
        OutputFormat, format_option("Output format: html (a page), json or markdown.")
    ] = OutputFormat.html,
    output: OutputOption = None,
    registry: Annotated[
        str | None,
        registry_option("Registry of past experiments, for what it says about the proxies."),
    ] = None,
    draws: Annotated[
        int | None, typer.Option("--draws", help="Monte Carlo draws of the value model.")
    ] = None,
    seed: Annotated[int | None, seed_option("Seed of the value model.")] = None,
) -> None:
    """Everything the spec says, computed, in the order a decision is argued.

    The request and the goal, the metric tree, the good-metric scorecard, the plan and the
    results of each experiment, the value model and what the registry says about the proxies.
    A step whose inputs the spec lacks is left out with one line saying what would fill it.
    """
    from proxymetric.chain import build_dossier
    from proxymetric.report import to_json, to_markdown
    from proxymetric.spec import load_spec

    if fmt is OutputFormat.table:
        fmt = OutputFormat.markdown  # a report is a document: markdown in a terminal
    loaded = load_spec(spec)
    if fmt is OutputFormat.html:
        from proxymetric.report.html import require_html

        require_html()  # before the analyses run, not after
    dossier = build_dossier(loaded, registry=existing_registry(registry), draws=draws, seed=seed)
    if fmt is OutputFormat.json:
        text = to_json(dossier)
    elif fmt is OutputFormat.markdown:
        text = to_markdown(dossier)
    else:
        from proxymetric.report.html import to_html

        text = to_html(dossier, spec=loaded)
    emit_text(text.rstrip("\n"), output)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""
    app.command("report")(report)

"""``proxymetric report SPEC -o report.html``: the whole chain of one spec on one page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.cli._common import OutputFileOption, OutputFormat, user_errors, write_output

__all__ = ["register"]


@user_errors
def report(
    spec: Annotated[Path, typer.Argument(help="The spec file (proxymetric.yaml).")],
    output_file: OutputFileOption = None,
    output: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="Output format: html (a page), json or markdown."),
    ] = OutputFormat.html,
    registry: Annotated[
        str | None,
        typer.Option(
            "--registry", help="Registry of past experiments [default: proxymetric.db beside SPEC]."
        ),
    ] = None,
    draws: Annotated[
        int | None, typer.Option("--draws", help="Monte Carlo draws of the value model.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the value model.")] = None,
) -> None:
    """Everything the spec says, computed, in the order a decision is argued.

    The request and the goal, the metric tree, the good-metric scorecard, the plan and the
    results of each experiment, the value model and what the registry says about the proxies.
    A step whose inputs the spec lacks is left out with one line saying what would fill it.
    """
    from proxymetric.chain import build_dossier
    from proxymetric.report import to_json, to_markdown
    from proxymetric.spec import load_spec

    if output is OutputFormat.table:
        output = OutputFormat.markdown  # a report is a document: markdown in the terminal
    loaded = load_spec(spec)
    if output is OutputFormat.html:
        from proxymetric.report.html import require_html

        require_html()  # before the analyses run, not after
    dossier = build_dossier(loaded, registry=registry, draws=draws, seed=seed)
    if output is OutputFormat.json:
        text = to_json(dossier)
    elif output is OutputFormat.markdown:
        text = to_markdown(dossier)
    else:
        from proxymetric.report.html import to_html

        text = to_html(dossier, spec=loaded)
    write_output(text, output_file)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""
    app.command("report")(report)

"""``proxymetric analyze``: analyse an A/B/n experiment from a spec."""

from __future__ import annotations

from pathlib import Path

import typer

from proxymetric.analysis import analyze as run_analysis
from proxymetric.cli._common import OutputFormat, console, echo, user_errors
from proxymetric.report.experiment import experiment_markdown, print_experiment
from proxymetric.report.json import to_json

__all__ = ["register"]


@user_errors
def analyze(
    spec: Path = typer.Argument(..., help="The spec file (proxymetric.yaml)."),
    experiment: str | None = typer.Option(
        None, "--experiment", "-e", help="Experiment to analyse (needed if the spec has several)."
    ),
    output: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", help="Output format: table, json or markdown."
    ),
) -> None:
    """Analyse an experiment: effects with intervals, guardrails, SRM check and a decision."""
    result = run_analysis(spec, experiment)
    if output is OutputFormat.json:
        echo(to_json(result))
    elif output is OutputFormat.markdown:
        echo(experiment_markdown(result))
    else:
        print_experiment(result, console)


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command to ``app``."""
    app.command("analyze")(analyze)

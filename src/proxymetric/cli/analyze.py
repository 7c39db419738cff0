"""``proxymetric analyze``: analyse an A/B/n experiment from a spec."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer

from proxymetric.analysis import analyze as run_analysis
from proxymetric.cli._common import OutputFileOption, OutputFormat, emit, user_errors
from proxymetric.report.experiment import experiment_markdown, print_experiment
from proxymetric.spec import Spec, load_spec

__all__ = ["register"]


@user_errors
def analyze(
    spec: Path = typer.Argument(..., help="The spec file (proxymetric.yaml)."),
    experiment: str | None = typer.Option(
        None, "--experiment", "-e", help="Experiment to analyse (needed if the spec has several)."
    ),
    output: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", help="Output format: table, json, markdown or html."
    ),
    record: bool = typer.Option(False, "--record", help="Record the analysis in the registry."),
    registry: str | None = typer.Option(
        None, "--registry", help="Registry file or URL [default: proxymetric.db beside SPEC]."
    ),
    sequential: bool = typer.Option(
        False,
        "--sequential",
        help="Every look (day or snapshot): always-valid p-values, confidence sequences, "
        "group-sequential boundaries, and whether the test could stop.",
    ),
    output_file: OutputFileOption = None,
) -> None:
    """Analyse an experiment: effects with intervals, guardrails, SRM check and a decision."""
    loaded = load_spec(spec)
    if sequential:
        _sequential(loaded, experiment, output, output_file)
        return
    # A recorded analysis keeps what proxy validation needs: the noise covariance between
    # metrics and the effects in two random halves of the units (for the cross-fold estimator).
    result = run_analysis(loaded, experiment, effect_covariance=record, folds=record)
    location = registry if registry is not None else spec.parent / "proxymetric.db"
    if record or registry is not None or Path(location).exists():
        from proxymetric.registry import Registry, plan_deviations

        reg = Registry(location, create=record)
        plan = reg.latest(result.experiment, "plan")
        if plan is not None:
            deviations = plan_deviations(plan, result)
            result = dataclasses.replace(result, warnings=[*result.warnings, *deviations])
        if record:
            reg.record_analysis(result, loaded)
    emit(
        result,
        output,
        experiment_markdown,
        print_experiment,
        output_file=output_file,
        html=lambda r: _html(r, loaded),
    )


def _html(result: object, loaded: Spec) -> str:
    from proxymetric.report.html import to_html

    return to_html(result, spec=loaded)


def _sequential(
    loaded: Spec, experiment: str | None, output: OutputFormat, output_file: Path | None
) -> None:
    from proxymetric.analysis.sequential import analyze_sequential
    from proxymetric.report.plan import print_sequential, sequential_markdown

    result = analyze_sequential(loaded, experiment)
    emit(result, output, sequential_markdown, print_sequential, output_file=output_file)


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command to ``app``."""
    app.command("analyze")(analyze)

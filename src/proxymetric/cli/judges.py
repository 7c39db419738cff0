"""``proxymetric judges``: an automatic judge validated against people and corrected by them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    confidence_level_option,
    show_sections,
    user_errors,
)
from proxymetric.errors import ProxymetricError

__all__ = ["register"]


def _families(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        name, sep, family = v.partition("=")
        if not sep or not name.strip() or not family.strip():
            raise ProxymetricError(
                f"`--family` must be NAME=FAMILY (a judge or a system); got {v!r}"
            )
        out[name.strip()] = family.strip()
    return out


@user_errors
def judges(
    table: Annotated[
        Path,
        typer.Argument(
            help="CSV or Parquet judged by the automatic judge and by people, with a column "
            "judge: labels (item, judge, label, optional system) or pairwise judgments (item, "
            "system_a, system_b, winner, judge, optional position)."
        ),
    ],
    judge: Annotated[
        str, typer.Option("--judge", help="Name of the automatic judge; other names are people.")
    ],
    positive: Annotated[
        str | None,
        typer.Option(help="Label value that counts as 1 (labels must be numbers otherwise)."),
    ] = None,
    family: Annotated[
        list[str] | None,
        typer.Option(help="NAME=FAMILY of a judge or system, repeated; measures self-preference."),
    ] = None,
    baseline: Annotated[
        str | None, typer.Option(help="System the paired differences subtract (labels).")
    ] = None,
    reference: Annotated[
        str | None, typer.Option(help="System whose score is fixed at 1000 (pairwise).")
    ] = None,
    target_width: Annotated[
        float | None,
        typer.Option(help="Interval width (upper - lower) to plan the human labels for (labels)."),
    ] = None,
    cost_human: Annotated[
        float | None, typer.Option(help="Cost of one human label (with --target-width).")
    ] = None,
    cost_judge: Annotated[
        float | None, typer.Option(help="Cost of one judge label (with --target-width).")
    ] = None,
    no_power_tuning: Annotated[
        bool, typer.Option("--no-power-tuning", help="Plain PPI (lam = 1) instead of PPI++.")
    ] = False,
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """An automatic judge against people: agreement, biases, and estimates corrected by people.

    Prediction-powered inference (PPI++): the judge's labels on every unit, corrected by a
    random subset labelled by people, with the people-only and judge-only numbers beside.
    """
    from proxymetric._table import read_columns
    from proxymetric.judges import evaluate_labels, evaluate_pairwise
    from proxymetric.report.judges import judge_sections

    families = _families(family or [])
    cols = read_columns(table)
    tuning = not no_power_tuning
    result: object
    if "winner" in cols:
        result = evaluate_pairwise(
            cols,
            judge=judge,
            families=families,
            reference=reference,
            confidence_level=confidence_level,
            power_tuning=tuning,
        )
    else:
        result = evaluate_labels(
            cols,
            judge=judge,
            positive=positive,
            families=families,
            baseline=baseline,
            target_width=target_width,
            cost_per_human_label=cost_human,
            cost_per_judge_label=cost_judge,
            confidence_level=confidence_level,
            power_tuning=tuning,
        )
    show_sections(result, judge_sections(result), fmt, output)


def register(app: typer.Typer) -> None:
    """Add the ``judges`` command to ``app``."""
    app.command("judges")(judges)

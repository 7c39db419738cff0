"""``proxymetric interleave``: team-draft lists, click-log analysis and planning."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

import typer

from proxymetric.cli._common import (
    DataFormat,
    FormatOption,
    LaunchOption,
    OutputFormat,
    OutputOption,
    RegistryOption,
    alpha_option,
    bootstrap_option,
    confidence_level_option,
    emit_text,
    format_option,
    output_option,
    record_launch,
    seed_option,
    show_sections,
    user_errors,
)
from proxymetric.interleaving import analyze_clicks, interleave_table, units_needed
from proxymetric.report import to_json
from proxymetric.report.pairwise import (
    interleaving_sections,
)
from proxymetric.report.sections import Section

__all__ = ["register"]

interleave_app = typer.Typer(
    name="interleave",
    help="Interleaving: team-draft lists from two rankings, and their click-log analysis.",
    no_args_is_help=True,
)


@interleave_app.command("lists")
@user_errors
def lists(
    rankings: Annotated[
        Path,
        typer.Argument(help="CSV or Parquet with unit, ranker (a/b), item, rank (1 = top)."),
    ],
    seed: Annotated[int, seed_option("Seed (each unit adds its id).")] = 0,
    length: Annotated[
        int | None, typer.Option(help="Items per list (default: all items of both).")
    ] = None,
    fmt: Annotated[DataFormat, format_option("Output format: csv or json records.")] = (
        DataFormat.csv
    ),
    output: Annotated[
        Path | None, output_option("Write the lists to FILE instead of stdout.")
    ] = None,
) -> None:
    """Interleave two rankings per unit (team draft); print unit, position, item and team."""
    cols = interleave_table(rankings, seed=seed, length=length)
    names = ("unit", "position", "item", "team")
    records = [
        {"unit": u, "position": int(p), "item": i, "team": t}
        for u, p, i, t in zip(*(cols[n].tolist() for n in names), strict=True)
    ]
    if fmt is DataFormat.json:
        text = to_json(records)
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        text = buffer.getvalue().rstrip("\n")
    emit_text(text, output)


@interleave_app.command("analyze")
@user_errors
def analyze(
    clicks: Annotated[
        Path,
        typer.Argument(help="CSV or Parquet with unit, list, item, team (a/b), clicked (0/1)."),
    ],
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    alpha: Annotated[float, alpha_option("Significance level of the sign test.")] = 0.05,
    bootstrap: Annotated[int, bootstrap_option("Bootstrap rounds over units.")] = 2000,
    seed: Annotated[int, seed_option("Bootstrap seed.")] = 0,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    launch: LaunchOption = None,
    baseline: Annotated[
        str, typer.Option("--baseline", help="With --launch: the ranker compared with (a or b).")
    ] = "a",
    registry: RegistryOption = None,
) -> None:
    """Which ranker do units prefer? Per-unit winners, preference share, sign test, bootstrap."""
    result = analyze_clicks(
        clicks, confidence_level=confidence_level, alpha=alpha, n_bootstrap=bootstrap, seed=seed
    )
    if launch is not None:
        from proxymetric.registry import interleaving_launch

        record_launch(interleaving_launch(result, launch, baseline), registry)
    show_sections(result, interleaving_sections(result), fmt, output)


@interleave_app.command("plan")
@user_errors
def plan(
    preference: Annotated[
        float, typer.Option(help="Share of units with a preference that prefer the better ranker.")
    ],
    tie_rate: Annotated[
        float, typer.Option("--tie-rate", help="Share of units without a preference.")
    ] = 0.0,
    alpha: Annotated[float, alpha_option("Two-sided significance level.")] = 0.05,
    power: Annotated[float, typer.Option(help="Power.")] = 0.8,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """How many units (users, queries) an interleaving test needs."""
    result = units_needed(preference, alpha=alpha, power=power, tie_rate=tie_rate)
    section = Section(
        "Units needed",
        f"two-sided sign test at alpha {alpha:g} with power {power:.0%}",
        ("preference", "no-preference share", "decided units", "units"),
        (
            (
                f"{preference:.1%}",
                f"{tie_rate:.1%}",
                f"{result.decided_units:,}",
                f"{result.units:,}",
            ),
        ),
    )
    show_sections(result, [section], fmt, output)


def register(app: typer.Typer) -> None:
    """Add the ``interleave`` command group to ``app``."""
    app.add_typer(interleave_app, name="interleave")

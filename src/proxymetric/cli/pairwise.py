"""``proxymetric pairwise``: analyse and plan blind side-by-side tests."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.cli._common import (
    FormatOption,
    LaunchOption,
    OutputFormat,
    OutputOption,
    RegistryOption,
    alpha_option,
    bootstrap_option,
    confidence_level_option,
    record_launch,
    seed_option,
    show_sections,
    user_errors,
)
from proxymetric.pairwise import Judgments, analyze_judgments, judgments_needed, next_pairs
from proxymetric.report.pairwise import (
    blind_test_sections,
)
from proxymetric.report.sections import Section

__all__ = ["register"]

pairwise_app = typer.Typer(
    name="pairwise",
    help="Blind pairwise tests: Bradley-Terry scores, rater agreement, judgment planning.",
    no_args_is_help=True,
)


@pairwise_app.command("analyze")
@user_errors
def analyze(
    judgments: Annotated[
        Path,
        typer.Argument(
            help="CSV or Parquet with item, system_a, system_b, winner (a/b/tie) and optional "
            "rater, position, note, tags, judge."
        ),
    ],
    judge: Annotated[
        str | None,
        typer.Option(help="Keep only the judgments of this judge (column `judge`)."),
    ] = None,
    bootstrap: Annotated[int, bootstrap_option("Bootstrap rounds over items.")] = 1000,
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    seed: Annotated[int, seed_option("Bootstrap seed.")] = 0,
    ridge: Annotated[
        float, typer.Option(help="Precision of a Gaussian prior on strengths (0: none).")
    ] = 0.0,
    alpha: Annotated[float, alpha_option("Level at which raters are flagged.")] = 0.05,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    launch: LaunchOption = None,
    baseline: Annotated[
        str | None, typer.Option("--baseline", help="With --launch: the system compared with.")
    ] = None,
    registry: RegistryOption = None,
) -> None:
    """Rank systems from blind judgments: scores, intervals, rank ranges and trust checks."""
    result = analyze_judgments(
        Judgments.from_table(judgments, judge=judge),
        n_bootstrap=bootstrap,
        confidence_level=confidence_level,
        seed=seed,
        ridge=ridge,
        alpha=alpha,
    )
    if launch is not None:
        from proxymetric.registry import blind_test_launch

        record_launch(blind_test_launch(result, launch, baseline), registry)
    show_sections(result, blind_test_sections(result), fmt, output)


@pairwise_app.command("plan")
@user_errors
def plan(
    win_rate: Annotated[
        float, typer.Option("--win-rate", help="Win rate to detect (ties excluded).")
    ],
    baseline: Annotated[float, typer.Option(help="Win rate under no difference.")] = 0.5,
    alpha: Annotated[float, alpha_option("Two-sided significance level.")] = 0.05,
    power: Annotated[float, typer.Option(help="Power.")] = 0.8,
    tie_rate: Annotated[float, typer.Option("--tie-rate", help="Expected share of ties.")] = 0.0,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """How many judgments are needed to detect a win rate against the baseline."""
    result = judgments_needed(
        win_rate, baseline=baseline, alpha=alpha, power=power, tie_rate=tie_rate
    )
    section = Section(
        "Judgments needed",
        f"two-sided test at alpha {alpha:g} with power {power:.0%}",
        ("win rate", "baseline", "tie rate", "decided judgments", "judgments"),
        (
            (
                f"{win_rate:.1%}",
                f"{baseline:.1%}",
                f"{tie_rate:.1%}",
                f"{result.non_tie_judgments:,}",
                f"{result.judgments:,}",
            ),
        ),
    )
    show_sections(result, [section], fmt, output)


@pairwise_app.command("next")
@user_errors
def next_(
    judgments: Annotated[Path, typer.Argument(help="The judgments collected so far.")],
    n_pairs: Annotated[int, typer.Option("--pairs", help="Pairs to suggest.")] = 5,
    batch: Annotated[int, typer.Option(help="Judgments planned per suggested pair.")] = 100,
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    ridge: Annotated[float, typer.Option(help="Precision of a prior on strengths.")] = 0.0,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Which pairs to judge next to shrink the widest score intervals fastest."""
    result = next_pairs(
        Judgments.from_table(judgments),
        n_pairs=n_pairs,
        batch=batch,
        confidence_level=confidence_level,
        ridge=ridge,
    )
    section = Section(
        "Pairs to judge next",
        "model-based widths of the widest score interval before and after each batch",
        ("system a", "system b", "judgments", "widest CI before", "after", "widest system"),
        tuple(
            (
                p.system_a,
                p.system_b,
                str(p.judgments),
                f"{p.widest_ci_before:.0f}",
                f"{p.widest_ci_after:.0f}",
                p.widest_system,
            )
            for p in result
        ),
    )
    show_sections(list(result), [section], fmt, output)


def register(app: typer.Typer) -> None:
    """Add the ``pairwise`` command group to ``app``."""
    app.add_typer(pairwise_app, name="pairwise")

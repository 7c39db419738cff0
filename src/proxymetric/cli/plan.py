"""``proxymetric plan`` (MDE, duration, feasibility and cost from the experiment's own data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    emit,
    rel_mde_option,
    user_errors,
)
from proxymetric.design.plan import plan
from proxymetric.errors import ProxymetricError
from proxymetric.report.plan import plan_markdown, print_plan

__all__ = ["parse_weeks", "register"]


def parse_weeks(text: str) -> tuple[int, ...]:
    """Return the days of a comma-separated list of whole weeks.

    >>> parse_weeks("1,2, 4")
    (7, 14, 28)
    """
    out = []
    for raw in text.split(","):
        part = raw.strip()
        if not part.isdigit() or int(part) == 0:
            raise ProxymetricError(
                f"`--weeks` must be positive whole numbers of weeks separated by commas, such "
                f"as 1,2,3,4; got {text!r}"
            )
        out.append(7 * int(part))
    return tuple(out)


@user_errors
def plan_command(
    spec: Annotated[str, typer.Argument(help="The spec file (proxymetric.yaml).")],
    experiment: Annotated[
        str | None,
        typer.Option("--experiment", "-e", help="Experiment to plan (needed if several)."),
    ] = None,
    weeks: Annotated[
        str, typer.Option("--weeks", help="Durations in weeks, comma-separated.")
    ] = "1,2,3,4",
    rel_mde: Annotated[
        float | None,
        rel_mde_option(
            "Relative effect to detect (0.02 for +2%) \\[default: each metric's declared "
            "expected_effect, else 2%]."
        ),
    ] = None,
    units_per_day: Annotated[
        float | None,
        typer.Option("--units-per-day", help="New units per day (data without timestamps)."),
    ] = None,
    population: Annotated[
        int | None, typer.Option("--population", help="A fixed user base (e.g. 300 employees).")
    ] = None,
    target_power: Annotated[float, typer.Option("--power", help="Planned power.")] = 0.8,
    planned_days: Annotated[
        int | None,
        typer.Option(
            "--planned-days",
            help="Intended duration, for the verdict \\[default: the spec's duration.days, 14].",
        ),
    ] = None,
    max_days: Annotated[
        int | None,
        typer.Option(
            "--max-days",
            help="Longest acceptable duration \\[default: the spec's duration.max_days, 56].",
        ),
    ] = None,
    traffic_share: Annotated[
        float, typer.Option("--traffic-share", help="Share of all traffic in the test.")
    ] = 1.0,
    horizon_days: Annotated[
        float,
        typer.Option("--horizon-days", help="Days of traffic the decision applies to afterwards."),
    ] = 0.0,
    prior_effect: Annotated[
        float | None,
        typer.Option("--prior-effect", help="Prior relative effect (the target by default)."),
    ] = None,
    prior_effect_sd: Annotated[
        float, typer.Option("--prior-effect-sd", help="Uncertainty of the prior guess (relative).")
    ] = 0.0,
    from_events: Annotated[
        bool,
        typer.Option(
            "--from-events", help="No assignment yet: units from their first event in the log."
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Plan a test from its own data: MDE by duration, days for a target, verdict and cost."""
    result = plan(
        spec,
        experiment,
        days=parse_weeks(weeks),
        target_rel_mde=rel_mde,
        units_per_day=units_per_day,
        population=population,
        power=target_power,
        planned_days=planned_days,
        max_days=max_days,
        traffic_share=traffic_share,
        horizon_days=horizon_days,
        prior_rel_effect=prior_effect,
        prior_rel_effect_sd=prior_effect_sd,
        from_events=from_events,
    )
    emit(result, fmt, plan_markdown, print_plan, output, html=_page(spec))


def _page(spec: str) -> Callable[[object], str]:
    """The HTML page of the plan: the metrics' definitions come from the spec."""

    def page(result: object) -> str:
        from proxymetric.report.html import to_html
        from proxymetric.spec import load_spec

        return to_html(result, spec=load_spec(spec))

    return page


def register(app: typer.Typer) -> None:
    """Add the ``plan`` command to ``app``."""
    app.command("plan")(plan_command)

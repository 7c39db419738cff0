"""``proxymetric proxies``: which metric to decide on, learned from past experiments.

With ``--chain``, the whole chain across past launches instead: how well each level (offline,
blind, interleaving, A/B proxy, north star, long term) predicted the next, and where to decide
for a budget.
"""

from __future__ import annotations

import math
from typing import Annotated

import typer

from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    RegistryOption,
    alpha_option,
    bootstrap_option,
    confidence_level_option,
    registry_location,
    seed_option,
    show_sections,
    user_errors,
)
from proxymetric.errors import ProxymetricError
from proxymetric.registry import Registry

__all__ = ["register"]


def _pairs(option: str, values: list[str] | None) -> dict[str, float]:
    """Parse repeated ``STEP=NUMBER`` values (a step ``level:metric`` or a level)."""
    out: dict[str, float] = {}
    for text in values or []:
        key, sep, number = text.rpartition("=")
        try:
            value = float(number)
        except ValueError:
            value = float("nan")
        if not sep or not key.strip() or math.isnan(value):
            raise ProxymetricError(
                f"`{option}` must be LEVEL=NUMBER or LEVEL:METRIC=NUMBER (such as offline=50); "
                f"got {text!r}"
            )
        out[key.strip()] = value
    return out


@user_errors
def proxies(
    north_star: Annotated[
        str | None,
        typer.Option("--north-star", "-n", help="The metric the business cares about."),
    ] = None,
    registry: RegistryOption = None,
    proxy: Annotated[
        list[str] | None,
        typer.Option("--proxy", "-p", help="A candidate proxy (repeat; default: all others)."),
    ] = None,
    units: Annotated[
        float | None,
        typer.Option(help="Units of the tests to choose for \\[default: median in the registry]."),
    ] = None,
    noise_correlation: Annotated[
        float,
        typer.Option(
            "--noise-correlation",
            help="Correlation assumed between metrics' noise where it was not measured.",
        ),
    ] = 0.0,
    alpha: Annotated[float, alpha_option("Level at which a metric 'moves'.")] = 0.05,
    chain: Annotated[
        bool,
        typer.Option(
            "--chain",
            help="Validate the chain across launches (results recorded with --launch) instead.",
        ),
    ] = False,
    target: Annotated[
        str | None,
        typer.Option(
            "--target", help="With --chain: the step decided for \\[default: the top level]."
        ),
    ] = None,
    cost: Annotated[
        list[str] | None,
        typer.Option(
            "--cost", help="With --chain: cost of one decision at a level, LEVEL=NUMBER (repeat)."
        ),
    ] = None,
    duration: Annotated[
        list[str] | None,
        typer.Option(
            "--duration", help="With --chain: days one decision at a level takes, LEVEL=DAYS."
        ),
    ] = None,
    budget: Annotated[
        float | None, typer.Option("--budget", help="With --chain: the cost one decision may take.")
    ] = None,
    max_days: Annotated[
        float | None,
        typer.Option("--max-days", help="With --chain: the days one decision may take."),
    ] = None,
    bootstrap: Annotated[
        int, bootstrap_option("With --chain: bootstrap rounds over launches.")
    ] = 1000,
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    seed: Annotated[int, seed_option("Bootstrap seed.")] = 0,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Rank proxies of a north-star metric over the experiments of a registry."""
    reg = Registry(registry_location(registry), create=False)
    if chain:
        from proxymetric.proxies.chain import launch_table_from_registry, validate_chain
        from proxymetric.report.proxies import chain_sections

        table = launch_table_from_registry(reg, assumed_noise_correlation=noise_correlation)
        rep = validate_chain(
            table,
            target=target or north_star,
            costs=_pairs("--cost", cost),
            durations=_pairs("--duration", duration),
            budget=budget,
            max_days=max_days,
            n_bootstrap=bootstrap,
            confidence_level=confidence_level,
            seed=seed,
        )
        show_sections(rep, chain_sections(rep), fmt, output)
        return
    if north_star is None:
        raise ProxymetricError(
            "missing option `--north-star`: the metric the proxies are validated for (or "
            "`--chain` to validate the chain across launches)"
        )
    from proxymetric.proxies import table_from_registry, validate_proxies
    from proxymetric.report.proxies import proxy_sections

    effects = table_from_registry(reg, assumed_noise_correlation=noise_correlation)
    report = validate_proxies(effects, north_star, proxy or None, units=units, alpha=alpha)
    show_sections(report, proxy_sections(report), fmt, output, table=effects)


def register(app: typer.Typer) -> None:
    """Add the ``proxies`` command to ``app``."""
    app.command("proxies")(proxies)

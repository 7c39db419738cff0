"""``proxymetric proxies``: which metric to decide on, learned from past experiments."""

from __future__ import annotations

from typing import Annotated

import typer

from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    RegistryOption,
    alpha_option,
    registry_location,
    show_sections,
    user_errors,
)
from proxymetric.proxies import table_from_registry, validate_proxies
from proxymetric.registry import Registry
from proxymetric.report.proxies import proxy_sections

__all__ = ["register"]


@user_errors
def proxies(
    north_star: Annotated[
        str, typer.Option("--north-star", "-n", help="The metric the business cares about.")
    ],
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
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Rank proxies of a north-star metric over the experiments of a registry."""
    table = table_from_registry(
        Registry(registry_location(registry), create=False),
        assumed_noise_correlation=noise_correlation,
    )
    report = validate_proxies(table, north_star, proxy or None, units=units, alpha=alpha)
    show_sections(report, proxy_sections(report), fmt, output, table=table)


def register(app: typer.Typer) -> None:
    """Add the ``proxies`` command to ``app``."""
    app.command("proxies")(proxies)

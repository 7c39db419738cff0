"""The ``proxymetric`` command line: one thin module per command group."""

from __future__ import annotations

import importlib

import typer

from proxymetric import __version__
from proxymetric.cli._common import CommandGroup

__all__ = ["app", "main"]

app = typer.Typer(
    name="proxymetric",
    help="From model objective to money: define metric trees, analyse experiments, decide.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=CommandGroup,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"proxymetric {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """proxymetric: is the model worth its cost?"""


# Each module in this list defines ``register(app)``, which adds its commands to the app.
_COMMAND_MODULES = (
    "analyze",
    "value",
    "offline",
    "power",
    "pairwise",
    "interleave",
    "registry",
    "proxies",
    "plan",
    "check",
    "init",
    "report",
)


def _register_commands() -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(f"proxymetric.cli.{name}").register(app)


_register_commands()


def main() -> None:
    """Entry point of the console script."""
    app()

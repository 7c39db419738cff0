"""The ``proxymetric`` command line: one thin module per command group.

A command's module is imported only when that command runs or shows its own help, so
``proxymetric --help`` and each command start without the libraries the other commands use.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from proxymetric import __version__

__all__ = ["app", "main"]

# Each module ``proxymetric.cli.NAME`` defines ``register(app)``, which adds the commands and
# command groups named here to the app. The one-line summaries shown by ``proxymetric --help``
# are kept here, so that listing the commands imports none of them; they are the first
# paragraph of each command's own help (``tests/cli/test_lazy_commands.py`` checks it). Commands
# come first, then command groups, each in the order of ``proxymetric --help``.
_COMMAND_MODULES: dict[str, dict[str, str]] = {
    "analyze": {
        "analyze": "Analyse an experiment: effects with intervals, guardrails, SRM check and a "
        "decision.",
    },
    "value": {
        "value": "What is it worth? Expected value, risk, drivers, break-even and headroom per "
        "alternative.",
    },
    "offline": {
        "offline": "Offline evaluation: rating and ranking metrics with intervals, paired "
        "comparisons.",
    },
    "power": {
        "power": "Power calculator: give the units or the MDE to solve the other, or both to "
        "solve power.",
    },
    "proxies": {
        "proxies": "Rank proxies of a north-star metric over the experiments of a registry.",
    },
    "plan": {
        "plan": "Plan a test from its own data: MDE by duration, days for a target, verdict and "
        "cost.",
    },
    "check": {
        "check": "Hold every metric to the good-metric checklist; exit 1 when any check fails.",
    },
    "init": {
        "init": "Start a project: a commented proxymetric.yaml from the request, the goal and a "
        "template.",
    },
    "pairwise": {
        "pairwise": "Blind pairwise tests: Bradley-Terry scores, rater agreement, judgment "
        "planning.",
    },
    "interleave": {
        "interleave": "Interleaving: team-draft lists from two rankings, and their click-log "
        "analysis.",
    },
    "registry": {
        "registry": "The registry of past experiments: register plans, list, show and import "
        "records; program impact.",
    },
}


class _Unloaded(TyperCommand):
    """The name and summary of a command whose module is not imported yet."""

    def __init__(self, name: str, module: str, summary: str) -> None:
        super().__init__(name=name, help=summary, short_help=summary)
        self.module = module


class _LazyGroup(TyperGroup):
    """The root group: imports a command's module the first time the command is resolved.

    While the group renders its own help, unloaded commands show their summary from
    ``_COMMAND_MODULES`` instead of being imported.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False
        for module, commands in _COMMAND_MODULES.items():
            for name, summary in commands.items():
                self.commands.setdefault(name, _Unloaded(name, module, summary))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:  # noqa: ARG002 (click's signature)
        command = self.commands.get(cmd_name)
        if isinstance(command, _Unloaded) and not self._listing:
            self.load(command.module)
            command = self.commands.get(cmd_name)
        return command

    def load(self, module: str) -> None:
        """Import ``proxymetric.cli.MODULE`` and put its commands in place of their summaries."""
        holder = typer.Typer()
        importlib.import_module(f"proxymetric.cli.{module}").register(holder)
        group = typer.main.get_group(holder)
        for name in _COMMAND_MODULES[module]:
            self.commands[name] = group.commands[name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="proxymetric",
    cls=_LazyGroup,
    help="From model objective to money: define metric trees, analyse experiments, decide.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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


def main() -> None:
    """Entry point of the console script."""
    app()

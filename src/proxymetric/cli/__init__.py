"""The ``proxymetric`` command line: one thin module per command group.

A command's module is imported only when that command runs or shows its own help, so
``proxymetric --help`` and each command start without the libraries the other commands use.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import typer
from typer.core import TyperCommand

from proxymetric import __version__
from proxymetric.cli._common import CommandGroup

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
    "report": {
        "report": "Everything the spec says, computed, in the order a decision is argued.",
    },
    "judges": {
        "judges": "An automatic judge against people: agreement, biases, and estimates "
        "corrected by people.",
    },
    "assign": {
        "assign": "Assign unit ids to an experiment's variants by salted hashing, and check "
        "the split.",
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
    "classify": {
        "classify": "A classifier's scores: metrics with intervals, production prevalence, "
        "comparisons; thresholds and a review band in money.",
    },
}


class _Unloaded(TyperCommand):
    """The name and summary of a command whose module is not imported yet."""

    def __init__(self, name: str, module: str, summary: str) -> None:
        super().__init__(name=name, help=summary, short_help=summary)
        self.module = module


class _Commands(MutableMapping[str, Any]):
    """The root group's commands by name: reading one imports its module the first time.

    Iterating gives the names without importing anything; ``summary`` gives what ``--help``
    lists (the command, or its summary while its module is not imported).
    """

    def __init__(self, commands: Mapping[str, Any]) -> None:
        self._commands: dict[str, Any] = dict(commands)
        for module, names in _COMMAND_MODULES.items():
            for name, summary in names.items():
                self._commands.setdefault(name, _Unloaded(name, module, summary))

    def summary(self, name: str) -> Any:
        return self._commands.get(name)

    def __getitem__(self, name: str) -> Any:
        command = self._commands[name]
        if isinstance(command, _Unloaded):
            holder = typer.Typer()
            importlib.import_module(f"proxymetric.cli.{command.module}").register(holder)
            group = typer.main.get_group(holder)
            for loaded in _COMMAND_MODULES[command.module]:
                self._commands[loaded] = group.commands[loaded]
            command = self._commands[name]
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        self._commands[name] = command

    def __delitem__(self, name: str) -> None:
        del self._commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)


class _LazyGroup(CommandGroup):
    """The root group: a command's module is imported when the command is first looked up.

    While the group renders its own help, the commands not imported yet show their summary from
    ``_COMMAND_MODULES`` instead.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = self._lazy = _Commands(self.commands)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:  # noqa: ARG002 (click's signature)
        return list(self._lazy)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:  # noqa: ARG002 (click's signature)
        if self._listing:
            return self._lazy.summary(cmd_name)
        return self._lazy.get(cmd_name)

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

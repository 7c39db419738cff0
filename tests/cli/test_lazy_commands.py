"""The root command lists its commands from data; the data must say what the modules register."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import typer
import typer.main
from typer.testing import CliRunner

from proxymetric.cli import _COMMAND_MODULES, app

runner = CliRunner()
CLI = Path(__file__).resolve().parents[2] / "src" / "proxymetric" / "cli"


def _first_paragraph(help_text: str) -> str:
    # What `--help` of a group shows of a command: the first paragraph, on one line (typer).
    return inspect.cleandoc(help_text).split("\n\n")[0].replace("\n", " ").strip()


def test_every_command_module_is_listed() -> None:
    modules = {p.stem for p in CLI.glob("*.py") if not p.stem.startswith("_")}
    assert set(_COMMAND_MODULES) == modules


def test_each_module_registers_the_commands_listed_with_their_summaries() -> None:
    for module, listed in _COMMAND_MODULES.items():
        holder = typer.Typer()
        importlib.import_module(f"proxymetric.cli.{module}").register(holder)
        commands = getattr(typer.main.get_group(holder), "commands", {})
        assert list(commands) == list(listed), module
        for name, summary in listed.items():
            command = commands[name]
            assert _first_paragraph(command.short_help or command.help or "") == summary, name


def test_help_is_the_same_before_and_after_the_commands_are_imported() -> None:
    lazy = runner.invoke(app, ["--help"], terminal_width=100).output
    root = typer.main.get_command(app)
    loaded = list(getattr(root, "commands", {}).values())  # reading a command imports it
    assert all(type(c).__name__ != "_Unloaded" for c in loaded)
    eager = typer.Typer(
        name="proxymetric",
        help=app.info.help,
        no_args_is_help=True,
        add_completion=False,
    )
    assert app.registered_callback is not None
    assert app.registered_callback.callback is not None
    eager.callback()(app.registered_callback.callback)
    for module in _COMMAND_MODULES:
        importlib.import_module(f"proxymetric.cli.{module}").register(eager)
    assert runner.invoke(eager, ["--help"], terminal_width=100).output == lazy


def test_an_unknown_command_suggests_the_listed_names() -> None:
    result = runner.invoke(app, ["analyse"])
    assert result.exit_code == 2
    assert "Did you mean 'analyze'?" in result.output

"""One vocabulary for the command line, checked over every command of the app (all groups).

The rules: the retired names are gone; every command that prints a result takes ``--format/-f``
and ``--output/-o``; a short flag stands for one long option across the whole CLI, and a long
option has the same short flag (or none) wherever it appears; the shared options have one type
and the registry one default.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.cli._common import DataFormat, OutputFormat

RETIRED = {"--json", "--n-bootstrap", "--confidence", "--target-mde", "--out"}

# Commands that do a thing and say so in one line instead of printing a result: `init` writes a
# spec file (its --output), `registry register` appends a plan to the registry.
ACTIONS = {"init", "registry register"}

# The shared options and the type each has everywhere (`interleave lists` prints rows for other
# tools: csv or json).
SHARED_TYPES: dict[str, tuple[type, ...]] = {
    "--format": (OutputFormat, DataFormat),
    "--output": (Path,),
    "--registry": (str,),
    "--seed": (int,),
    "--bootstrap": (int,),
    "--confidence-level": (float,),
    "--alpha": (float,),
    "--mde": (float,),
    "--rel-mde": (float,),
    "--launch": (str,),
}


def _commands() -> Iterator[tuple[str, Any]]:
    """Yield (name, command) for every leaf command, walking the groups."""

    def walk(cmd: Any, path: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
        subcommands = getattr(cmd, "commands", None)
        if subcommands is None:
            yield " ".join(path), cmd
            return
        for name, sub in subcommands.items():
            yield from walk(sub, (*path, name))

    yield from walk(typer.main.get_command(app), ())


COMMANDS = dict(_commands())


def _options(cmd: Any) -> list[Any]:
    return [p for p in cmd.params if p.param_type_name == "option"]


def _names(option: Any) -> tuple[list[str], list[str]]:
    """Return the long and the short names of an option (``--no-x`` switches included)."""
    names = [*option.opts, *option.secondary_opts]
    return [n for n in names if n.startswith("--")], [n for n in names if not n.startswith("--")]


def test_the_walk_sees_every_group() -> None:
    groups = {name.split()[0] for name in COMMANDS if " " in name}
    assert groups == {"pairwise", "interleave", "registry", "classify"}
    assert len(COMMANDS) >= 19


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_no_retired_option(name: str) -> None:
    used = {n for option in _options(COMMANDS[name]) for n in _names(option)[0]}
    assert not used & RETIRED, f"{name}: {sorted(used & RETIRED)}"


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - ACTIONS))
def test_every_result_has_format_and_output(name: str) -> None:
    flags = {tuple(sorted(o.opts)) for o in _options(COMMANDS[name])}
    assert ("--format", "-f") in flags, name
    assert ("--output", "-o") in flags, name


def test_a_short_flag_means_one_option_and_an_option_has_one_short_flag() -> None:
    longs_of: dict[str, set[str]] = defaultdict(set)
    shorts_of: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for name, cmd in COMMANDS.items():
        for option in _options(cmd):
            longs, shorts = _names(option)
            for short in shorts:
                longs_of[short].update(f"{long} ({name})" for long in longs[:1])
            for long in longs:
                shorts_of[long].add(tuple(shorts))
    clashes = {
        short: sorted(owners)
        for short, owners in longs_of.items()
        if len({o.split(" (")[0] for o in owners}) > 1
    }
    assert not clashes
    uneven = {long: sorted(s) for long, s in shorts_of.items() if len(s) > 1}
    assert not uneven
    # The letters the issue named, each now one option.
    meaning = {short: {o.split(" (")[0] for o in owners} for short, owners in longs_of.items()}
    assert meaning["-n"] == {"--north-star"}
    assert meaning["-s"] == {"--seed"}
    assert meaning["-o"] == {"--output"}


def test_shared_options_have_one_type_and_the_registry_one_default() -> None:
    for name, cmd in COMMANDS.items():
        for option in _options(cmd):
            long = _names(option)[0][0]
            if long in SHARED_TYPES:
                annotation = option.type_descriptor.annotation
                assert annotation in SHARED_TYPES[long], (name, long, annotation)
            if long == "--registry":
                # None resolves to the one default location (cli._common.DEFAULT_REGISTRY).
                assert option.default is None, name
                assert "proxymetric.db in the current folder" in option.help, name


def test_register_is_part_of_the_registry_group() -> None:
    assert "registry register" in COMMANDS
    assert "register" not in COMMANDS
    result = CliRunner().invoke(app, ["register", "spec.yaml", "-e", "x"])
    assert result.exit_code == 2
    assert "no such command 'register'" in result.output.lower()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_texts_keep_their_brackets(name: str) -> None:
    # Help is rendered as rich markup, which swallows an unescaped "[default: ...]" whole.
    import re

    cmd = COMMANDS[name]
    texts = [cmd.help or "", *(getattr(p, "help", None) or "" for p in cmd.params)]
    for text in texts:
        assert not re.search(r"(?<!\\)\[", text), (name, text)

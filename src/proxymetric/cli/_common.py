"""What every command shares: output formats and turning user errors into exit status 2."""

from __future__ import annotations

import enum
import functools
import sys
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from proxymetric.errors import ProxymetricError
from proxymetric.report.json import to_json
from proxymetric.report.sections import Section, print_sections, sections_markdown

__all__ = ["OutputFormat", "console", "echo", "emit", "show_sections", "user_errors"]

P = ParamSpec("P")
R = TypeVar("R")

# Piped output (CI logs, files) is not squeezed into 80 columns; a terminal keeps its width.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
error_console = Console(stderr=True, highlight=False)


class OutputFormat(enum.StrEnum):
    """Output formats a command can print."""

    table = "table"
    json = "json"
    markdown = "markdown"


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so that a user error prints one line and exits with status 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ProxymetricError as exc:
            error_console.print("[bold red]error:[/]", escape(str(exc)), soft_wrap=True)
            sys.exit(2)
        except FileNotFoundError as exc:
            error_console.print(
                f"[bold red]error:[/] file not found: {exc.filename}", soft_wrap=True
            )
            sys.exit(2)

    return wrapper


def echo(text: str) -> None:
    """Print plain text (JSON, markdown) to stdout without rich markup."""
    typer.echo(text)


def emit(
    result: R,
    output: OutputFormat,
    markdown: Callable[[R], str],
    table: Callable[[R, Console], None],
) -> None:
    """Print ``result`` as JSON (the contract), as ``markdown(result)`` or as ``table``."""
    if output is OutputFormat.json:
        echo(to_json(result))
    elif output is OutputFormat.markdown:
        echo(markdown(result))
    else:
        table(result, console)


def show_sections(result: object, sections: Sequence[Section], output: OutputFormat) -> None:
    """Print a result as JSON, or its sections as markdown or terminal tables."""
    emit(
        result,
        output,
        lambda _: sections_markdown(sections),
        lambda _, con: print_sections(sections, con),
    )

"""What every command shares: output formats and turning user errors into exit status 2."""

from __future__ import annotations

import enum
import functools
import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from proxymetric.errors import ProxymetricError
from proxymetric.report.json import to_json
from proxymetric.report.sections import Section, print_sections, sections_markdown

__all__ = [
    "OutputFileOption",
    "OutputFormat",
    "console",
    "echo",
    "emit",
    "show_sections",
    "user_errors",
    "write_output",
]

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
    html = "html"


OutputFileOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the output to this file instead of the terminal (an HTML page with "
        "`--format html`).",
        dir_okay=False,
    ),
]


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


def write_output(text: str, output_file: Path | None) -> None:
    """Print ``text``, or write it to ``output_file`` and say where (on stderr)."""
    if output_file is None:
        echo(text)
        return
    try:
        output_file.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise ProxymetricError(
            f"`--output` {str(output_file)!r} cannot be written: {exc.strerror}"
        ) from None
    size = output_file.stat().st_size
    error_console.print(f"wrote {output_file} ({size / 1000:,.0f} kB)", soft_wrap=True)


def emit(
    result: R,
    output: OutputFormat,
    markdown: Callable[[R], str],
    table: Callable[[R, Console], None],
    *,
    output_file: Path | None = None,
    html: Callable[[R], str] | None = None,
) -> None:
    """Print ``result`` as JSON (the contract), markdown, an HTML page or terminal tables.

    ``html`` renders the page (default :func:`proxymetric.report.html.to_html`); with
    ``output_file`` the output goes to that file (terminal tables as plain text).
    """
    if output is OutputFormat.json:
        write_output(to_json(result), output_file)
    elif output is OutputFormat.markdown:
        write_output(markdown(result), output_file)
    elif output is OutputFormat.html:
        from proxymetric.report.html import to_html

        write_output(html(result) if html is not None else to_html(result), output_file)
    elif output_file is not None:
        buffer = io.StringIO()
        table(result, Console(file=buffer, width=160, highlight=False, no_color=True))
        write_output(buffer.getvalue(), output_file)
    else:
        table(result, console)


def show_sections(
    result: object,
    sections: Sequence[Section],
    output: OutputFormat,
    *,
    output_file: Path | None = None,
    **html_options: Any,
) -> None:
    """Print a result as JSON, or its sections as markdown, an HTML page or terminal tables."""
    from proxymetric.report.html import to_html

    emit(
        result,
        output,
        lambda _: sections_markdown(sections),
        lambda _, con: print_sections(sections, con),
        output_file=output_file,
        html=lambda r: to_html(r, sections=sections, **html_options),
    )

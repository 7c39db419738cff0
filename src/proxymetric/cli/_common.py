"""What every command shares: the option vocabulary, output formats and files, and user errors.

Options that several commands take are defined here once, so each name means one thing across
the command line: ``--format/-f``, ``--output/-o FILE``, ``--registry/-r``, ``--seed/-s``,
``--bootstrap/-b``, ``--confidence-level`` (of intervals), ``--alpha`` (of tests), ``--mde``
(absolute), ``--rel-mde`` (relative) and ``--launch NAME`` (record the result in the registry
as a result of that launch, at the level of the chain the command measures). A command writes
its help text into the factory (``seed_option("Bootstrap seed.")``); the names and short flags
stay the same.

Every string a command prints is shown literally: the consoles are
:class:`~proxymetric.report._text.SafeConsole` (no markup, no emoji codes, control characters
visible), plain output goes through :func:`echo`, and every error is one line, also the usage
errors of the command line parser when stderr is not a terminal (scripts and CI parse it).
"""

from __future__ import annotations

import contextlib
import enum
import errno
import functools
import io
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from proxymetric.errors import ProxymetricError
from proxymetric.report import SafeConsole, literal, visible
from proxymetric.report.sections import Section, print_sections, sections_markdown

__all__ = [
    "DEFAULT_REGISTRY",
    "CommandGroup",
    "DataFormat",
    "FormatOption",
    "LaunchOption",
    "OutputFormat",
    "OutputOption",
    "ProgressBars",
    "RegistryOption",
    "alpha_option",
    "bootstrap_option",
    "confidence_level_option",
    "console",
    "echo",
    "emit",
    "emit_text",
    "existing_registry",
    "format_option",
    "launch_option",
    "mde_option",
    "note",
    "output_option",
    "print_error",
    "progress_reporter",
    "record_launch",
    "registry_location",
    "registry_option",
    "rel_mde_option",
    "render",
    "seed_option",
    "show_sections",
    "table_text",
    "user_errors",
    "write_output",
]

P = ParamSpec("P")
R = TypeVar("R")

PIPE_WIDTH = 160

# Piped output (CI logs, files) is not squeezed into 80 columns; a terminal keeps its width.
console = SafeConsole(width=None if sys.stdout.isatty() else PIPE_WIDTH)
error_console = SafeConsole(stderr=True)


class OutputFormat(enum.StrEnum):
    """Output formats a command can print (a new format: a member here, a branch in `render`)."""

    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


class DataFormat(enum.StrEnum):
    """Formats of a command whose result is a data table for other tools (rows, not a report)."""

    csv = "csv"
    json = "json"


# -- the option vocabulary ------------------------------------------------------------------

#: The registry every command uses when `--registry` is not given: this file in the folder the
#: command runs in. Commands that write (``analyze --record``, ``registry register``,
#: ``registry import``) create it; commands that read it fail when it does not exist, except
#: ``analyze`` and ``check``, which consult it only when it exists.
DEFAULT_REGISTRY = "proxymetric.db"


def format_option(text: str = "Output format: table, json, markdown or html (a page).") -> Any:
    """Return the `--format/-f` option."""
    return typer.Option("--format", "-f", help=text)


def output_option(
    text: str = "Write the result to FILE (the text --format would print) instead of stdout.",
) -> Any:
    """Return the `--output/-o FILE` option: the file a command writes."""
    return typer.Option("--output", "-o", metavar="FILE", help=text)


def registry_option(
    text: str = "Registry of past experiments: a SQLite file or a SQLAlchemy URL.",
) -> Any:
    """Return the `--registry/-r` option; its default is :data:`DEFAULT_REGISTRY`."""
    return typer.Option(
        "--registry",
        "-r",
        metavar="FILE|URL",
        help=f"{text} \\[default: {DEFAULT_REGISTRY} in the current folder]",
    )


def seed_option(text: str = "Random seed.") -> Any:
    """Return the `--seed/-s` option."""
    return typer.Option("--seed", "-s", help=text)


def bootstrap_option(text: str = "Bootstrap rounds.") -> Any:
    """Return the `--bootstrap/-b` option: the number of bootstrap rounds."""
    return typer.Option("--bootstrap", "-b", help=text)


def confidence_level_option(text: str = "Confidence level of the intervals.") -> Any:
    """Return the `--confidence-level` option: the level of intervals (0.95)."""
    return typer.Option("--confidence-level", help=text)


def alpha_option(text: str = "Significance level of the tests.") -> Any:
    """Return the `--alpha` option: the level of tests (0.05)."""
    return typer.Option("--alpha", help=text)


def mde_option(text: str = "Absolute minimum detectable effect: treatment minus control.") -> Any:
    """Return the `--mde` option: an absolute effect, in the metric's unit."""
    return typer.Option("--mde", help=text)


def rel_mde_option(text: str = "Relative minimum detectable effect (0.02 for +2%).") -> Any:
    """Return the `--rel-mde` option: an effect relative to the control mean."""
    return typer.Option("--rel-mde", help=text)


def launch_option(
    text: str = "Record the result in the registry (--registry) as a result of launch NAME.",
) -> Any:
    """Return the `--launch NAME` option: record a result under a launch (docs/launches.md)."""
    return typer.Option("--launch", metavar="NAME", help=text)


FormatOption = Annotated[OutputFormat, format_option()]
LaunchOption = Annotated[str | None, launch_option()]
OutputOption = Annotated[Path | None, output_option()]
RegistryOption = Annotated[str | None, registry_option()]


def registry_location(registry: str | None) -> str:
    """Return the registry a command uses: the one given, else :data:`DEFAULT_REGISTRY`."""
    return DEFAULT_REGISTRY if registry is None else registry


def existing_registry(registry: str | None) -> str | None:
    """Return the registry a command reads if there is one: the one given, else the default
    registry when its file exists, else None."""
    if registry is not None:
        return registry
    return DEFAULT_REGISTRY if Path(DEFAULT_REGISTRY).exists() else None


def record_launch(rows: Sequence[dict[str, Any]], registry: str | None) -> None:
    """Record launch ``rows`` in the registry (the default one without ``registry``), in one
    transaction, and say so on stderr."""
    from proxymetric.registry import Registry

    reg = Registry(registry_location(registry))
    ids = reg.record_launches(rows)
    launch = rows[0]["launch"] if rows else ""
    levels = sorted({str(r["level"]) for r in rows})
    note(
        f"recorded {len(ids)} result(s) of launch {launch} at level {', '.join(levels)} "
        f"in {reg.url}"
    )


# -- user errors ----------------------------------------------------------------------------


def print_error(message: object) -> None:
    """Print ``error: message`` as one line on stderr (control characters made visible)."""
    line = Text.assemble(("error:", "bold red"), " ", visible(message))
    try:
        error_console.print(line, soft_wrap=True)
    except OSError:  # stderr itself cannot be written: the exit status is all that is left
        _silence(sys.stderr)


def _silence(stream: Any) -> None:
    """Point a stream that cannot be written at the null device, so exit does not fail again."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test runner's buffer)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


def _os_error(exc: OSError) -> NoReturn:
    """Exit after an operating-system error: one line naming the file, or the output."""
    if exc.errno == errno.EPIPE:  # the reader went away (`| head`): nothing to say
        _silence(sys.stdout)
        sys.exit(1)
    reason = (exc.strerror or str(exc)).lower()
    if exc.filename is not None:
        if isinstance(exc, FileNotFoundError):
            print_error(f"file not found: {os.fsdecode(exc.filename)}")
        else:
            print_error(f"cannot use the file {os.fsdecode(exc.filename)!r}: {reason}")
        sys.exit(2)
    # No file named: the output itself (a full device, a closed terminal) could not be written.
    # Later writes go to the null device, so that exit does not fail on it again.
    _silence(sys.stdout)
    print_error(f"cannot write the output: {reason}")
    sys.exit(2)


class ProgressBars:
    """A :class:`proxymetric._progress.Reporter` drawing rich progress bars on stderr.

    The bars are transient (erased when the loop ends), so only the result stays on screen.
    One rich :class:`~rich.progress.Progress` display runs while at least one loop is open.
    """

    def __init__(self, stream: Console | None = None) -> None:
        self._console = stream or error_console
        self._display: Any = None
        self._open = 0

    def start(self, description: str, total: int) -> Any:
        """Show a bar for a loop of ``total`` steps; return its handle."""
        from rich.progress import (  # imported only when a bar is shown
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        if self._display is None:
            self._display = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self._console,
                transient=True,
            )
            self._display.start()
        self._open += 1
        return _Bar(self._display, self._display.add_task(description, total=total))

    def stop(self, handle: Any) -> None:
        """Remove the bar of ``handle``; close the display when no loop is left."""
        self._display.remove_task(handle.task_id)
        self._open -= 1
        if self._open == 0:
            self._display.stop()
            self._display = None


class _Bar:
    __slots__ = ("display", "task_id")

    def __init__(self, display: Any, task_id: Any) -> None:
        self.display, self.task_id = display, task_id

    def advance(self, amount: int = 1) -> None:
        self.display.advance(self.task_id, amount)


def progress_reporter(fmt: object) -> ProgressBars | None:
    """Return the reporter of a command's long loops: bars on a terminal, else None.

    Bars are drawn only when stderr is a terminal and the format is not JSON (a script reads
    JSON; a pipe or a log file gets nothing).
    """
    if fmt == OutputFormat.json or not _is_terminal(sys.stderr):
        return None
    return ProgressBars()


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # a closed or replaced stream
        return False


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so that a user error prints one line and exits with status 2.

    The command's long loops report progress through :func:`progress_reporter` (its ``fmt``).
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from proxymetric._progress import reporting

        try:
            with reporting(progress_reporter(kwargs.get("fmt"))):
                return fn(*args, **kwargs)
        except ProxymetricError as exc:
            print_error(exc)
            sys.exit(2)
        except OSError as exc:  # a file that cannot be read or written, a full output device
            _os_error(exc)

    return wrapper


# -- printing and writing results -----------------------------------------------------------


def echo(text: str, *, nl: bool = True) -> None:
    """Print plain text (JSON, markdown, CSV) to stdout, control characters made visible."""
    typer.echo(visible(text, multiline=True), nl=nl)


def note(text: str) -> None:
    """Print one line about what a command did (a file written, a record added) to stderr,
    so that stdout carries only the result."""
    error_console.print(literal(text), soft_wrap=True)


def write_output(path: Path, text: str, *, announce: bool = True) -> None:
    """Write ``text`` to ``path`` atomically and (with ``announce``) say where it went.

    The text goes to a temporary file in the same folder, which then replaces ``path``: a
    reader never sees half a file and a failed write leaves an existing file as it was.
    """
    target = Path(path)
    folder = target.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise ProxymetricError(
            f"`--output` {str(path)!r} cannot be written: {exc.strerror or exc}"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        Path(tmp).chmod(_file_mode(target))
        Path(tmp).replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise ProxymetricError(
            f"`--output` {str(path)!r} cannot be written: {exc.strerror or exc}"
        ) from None
    if announce:
        note(f"wrote {path}")


def _file_mode(target: Path) -> int:
    """Return the permissions of a new file: the existing file's, else those the umask allows."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def emit_text(text: str, output: Path | None = None) -> None:
    """Print ``text`` as a line to stdout, or write exactly that to ``output``."""
    if output is None:
        echo(text)
    else:
        write_output(output, text + "\n")


def table_text(draw: Callable[[Console], None]) -> str:
    """Return what ``draw`` prints on a console, as piped stdout shows it (no colour)."""
    buffer = io.StringIO()
    draw(SafeConsole(file=buffer, width=PIPE_WIDTH, color_system=None))
    return buffer.getvalue()


def render(
    result: R,
    fmt: OutputFormat,
    markdown: Callable[[R], str],
    table: Callable[[R, Console], None],
    html: Callable[[R], str] | None = None,
) -> str:
    """Return ``result`` in format ``fmt`` as it would be printed (JSON is the contract).

    ``html`` renders the page; by default :func:`proxymetric.report.html.to_html`.
    """
    if fmt is OutputFormat.json:
        from proxymetric.report.json import to_json  # numpy: imported by the first JSON output

        return to_json(result) + "\n"
    if fmt is OutputFormat.markdown:
        return markdown(result) + "\n"
    if fmt is OutputFormat.html:
        from proxymetric.report.html import to_html

        return html(result) if html is not None else to_html(result)
    return table_text(lambda con: table(result, con))


def emit(
    result: R,
    fmt: OutputFormat,
    markdown: Callable[[R], str],
    table: Callable[[R, Console], None],
    output: Path | None = None,
    *,
    html: Callable[[R], str] | None = None,
) -> None:
    """Print ``result`` as JSON (the contract), as ``markdown(result)``, as an HTML page
    (``html(result)``, by default the HTML renderer's) or as ``table``; with ``output``, write
    the same text to that file instead."""
    if output is not None:
        write_output(output, render(result, fmt, markdown, table, html))
    elif fmt is OutputFormat.table:
        table(result, console)  # a terminal keeps its width and colours
    else:
        echo(render(result, fmt, markdown, table, html), nl=False)


def show_sections(
    result: object,
    sections: Sequence[Section],
    fmt: OutputFormat,
    output: Path | None = None,
    **html_options: Any,
) -> None:
    """Print a result as JSON, or its sections as markdown, an HTML page or terminal tables
    (or write them to ``output``); ``html_options`` go to the HTML renderer."""

    def html(r: object) -> str:
        from proxymetric.report.html import to_html

        return to_html(r, sections=sections, **html_options)

    emit(
        result,
        fmt,
        lambda _: sections_markdown(sections),
        lambda _, con: print_sections(sections, con),
        output,
        html=html,
    )


# -- the command group: errors of the parser and of the output -----------------------------


def _tolerant(stream: Any) -> None:
    """Let a stream whose encoding cannot show a character write an escape instead of failing."""
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        stream.reconfigure(errors="backslashreplace")


def _raw_value(args: Sequence[str], opts: Sequence[str]) -> str | None:
    """Return the value given on the command line to an option named in ``opts``, if any."""
    for i, arg in enumerate(args):
        if arg in opts and i + 1 < len(args):
            return args[i + 1]
        for opt in opts:
            if opt.startswith("--") and arg.startswith(opt + "="):
                return arg[len(opt) + 1 :]
    return None


def _usage_message(exc: typer.TyperException, args: Sequence[str]) -> str:
    """One lowercase line for a usage error of the parser (a bad option value, a missing one)."""
    message = exc.format_message().strip().rstrip(".")
    param = getattr(exc, "param", None)
    bad_value = isinstance(exc, typer.BadParameter) and type(exc).__name__ != "MissingParameter"
    if bad_value and param is not None:
        opts = [o for o in getattr(param, "opts", ()) if o.startswith("--")]
        name = opts[0] if opts else str(getattr(param, "name", "") or "")
        message = re.sub(r"^Invalid value for .*?: (Value error, )?", "", message, count=1)
        message = f"`{name}`: {message[:1].lower()}{message[1:]}"
        value = _raw_value(args, getattr(param, "opts", ()))
        if value is not None and value not in message:
            message += f"; got {value!r}"
        return message
    if type(exc).__name__ == "MissingParameter" and param is not None:
        opts = [o for o in getattr(param, "opts", ()) if o.startswith("--")]
        kind = getattr(param, "param_type_name", "parameter")
        return f"missing {kind} `{opts[0] if opts else getattr(param, 'name', '')}`"
    return message[:1].lower() + message[1:]


class CommandGroup(TyperGroup):
    """The command group of the ``proxymetric`` app: every failure of the parser is one line.

    On a terminal, a bad option value gets typer's usage panel; when stderr is not a terminal it
    gets the same one-line ``error: ...`` (exit status 2) as every other user error. A full or
    failing output device is one line, never a traceback, and an output encoding that cannot
    show a character (``PYTHONIOENCODING=ascii``) gets an escape such as ``\\xb7`` instead.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; with ``standalone_mode``, exit with its status."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        _tolerant(sys.stdout)
        _tolerant(sys.stderr)
        try:
            status = super().main(
                args, prog_name, complete_var, False, windows_expand_args, **extra
            )
        except typer.TyperException as exc:  # the parser's errors (click's ClickException)
            _parser_error(exc, list(sys.argv[1:] if args is None else args))
        except typer.Abort:  # Ctrl-C or the end of input at a question
            if sys.stderr.isatty():
                typer.echo("Aborted!", err=True)
            else:
                print_error("aborted: no answer to a question (end of input or Ctrl-C)")
            sys.exit(1)
        except OSError as exc:
            _os_error(exc)
        sys.exit(status if isinstance(status, int) else 0)


def _parser_error(exc: typer.TyperException, argv: Sequence[str]) -> NoReturn:
    code = int(getattr(exc, "exit_code", 2))
    if type(exc).__name__ == "NoArgsIsHelpError":  # the help is already printed
        sys.exit(code)
    exc.message = visible(exc.message)
    if sys.stderr.isatty():
        try:
            from typer import rich_utils

            rich_utils.rich_format_error(exc)  # type: ignore[arg-type]
        except ImportError:  # pragma: no cover (typer without rich)
            print_error(_usage_message(exc, argv))
    else:
        ctx = getattr(exc, "ctx", None)
        path = getattr(ctx, "command_path", None)
        hint = f" (see `{path} --help`)" if path and code == 2 else ""
        print_error(_usage_message(exc, argv) + hint)
    sys.exit(code)

"""Text from users and data sets, shown literally on a terminal and in markdown.

Names of metrics, variants and experiments, titles, currencies, file names and data values
reach the output inside the project's own text. They are shown, never interpreted:

- :func:`visible` makes control characters visible (an escape sequence ``ESC [ 2 J`` becomes
  the four characters ``\\x1b`` and ``[2J``), so no data value can clear the screen, set the
  window title or rewrite a line; it is the one function every renderer uses for terminal text;
- :func:`literal` wraps it in a rich :class:`~rich.text.Text`, which rich never parses for
  markup (``[bold]``, ``[link=...]``) or emoji codes (``:x:``), whatever the console;
- :class:`SafeConsole` is the console of the command line: markup and emoji codes off, and every
  string and segment it renders passed through :func:`visible`;
- :func:`markdown_text` and :func:`markdown_code` escape text for markdown (pipes cannot split a
  table cell, a newline cannot end a row, raw HTML and links are shown as text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, HighlighterType, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

__all__ = ["SafeConsole", "literal", "markdown_code", "markdown_text", "visible"]

# C0 and C1 control characters (with DEL), lone surrogates (undecodable bytes), the line and
# paragraph separators, and the bidirectional embedding, override and isolate controls (which
# reorder what a terminal shows, "Trojan Source").
_OTHER_UNSAFE = "\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f{_OTHER_UNSAFE}]")
_UNSAFE_KEEP_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHER_UNSAFE}]")  # keeps tab, newline
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, *, multiline: bool = False) -> str:
    r"""Return ``str(text)`` with every control character shown as an escape.

    Escape and other C0/C1 control characters, lone surrogates, U+2028/U+2029 and bidirectional
    controls become ``\x1b``, ``\u202e``...; a newline and a tab become ``\n`` and ``\t``
    unless ``multiline`` (the project's own line structure) keeps them. Everything else,
    including ``[brackets]``, ``:colons:`` and non-ASCII letters, is returned unchanged.

    >>> visible("\x1b]0;title\x07a:x:b")
    '\\x1b]0;title\\x07a:x:b'
    >>> visible("two\nlines"), visible("two\nlines", multiline=True)
    ('two\\nlines', 'two\nlines')
    """
    s = text if isinstance(text, str) else str(text)
    pattern = _UNSAFE_KEEP_LINES if multiline else _UNSAFE
    return pattern.sub(_escape_char, s) if pattern.search(s) else s


def literal(text: object, style: str | Style = "", *, multiline: bool = False) -> Text:
    """Return ``text`` as a rich :class:`~rich.text.Text` shown exactly as written.

    Rich parses markup and emoji codes only in plain strings; a :class:`~rich.text.Text` is
    printed as it is, on any console. Control characters are made :func:`visible`.

    >>> from rich.console import Console
    >>> console = Console(width=40, color_system=None)
    >>> with console.capture() as out:
    ...     console.print(literal("[bold red]TREAT[/] a:x:b [/]"))
    >>> out.get()
    '[bold red]TREAT[/] a:x:b [/]\\n'
    """
    return Text(visible(text, multiline=multiline), style=style)


# Characters markdown would interpret inside a line: backslash escapes, code spans, emphasis,
# strikethrough and table cell separators (a ``*`` between spaces, as in ``a * b``, is never
# emphasis and stays); ``]`` where it closes a link or image (``](``), a
# reference (``][``) or a reference definition (``]:``), so ``[a, b]`` stays readable and no link
# can form; ``<`` where it can open an HTML tag, comment or autolink; ``&`` where it starts an
# entity; ``_`` except inside a word (where GitHub-flavoured markdown never reads it as
# emphasis, so ``retention_7`` stays as it is).
_MARKDOWN = re.compile(
    r"[\\`|~]|\](?=[(\[:])|<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)"
    r"|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|(?<!\s)\*|\*(?!\s)"
)


def _escape_markdown(match: re.Match[str]) -> str:
    ch = match.group()
    return {"<": "&lt;", "&": "&amp;"}.get(ch, "\\" + ch)


def markdown_text(text: object, *, multiline: bool = False, code: bool = False) -> str:
    r"""Return ``text`` escaped for markdown: shown as written, in a table cell or a paragraph.

    A pipe cannot end a table cell, a newline cannot end a row (it is shown as ``\n`` unless
    ``multiline``), raw HTML, links and emphasis are shown as text, and control characters are
    made :func:`visible`. With ``code`` (text outside a table whose own words mark names in
    backticks, as the project's messages do), each pair of backticks becomes a code span whose
    content is shown literally; other backticks are escaped.

    >>> markdown_text("a|b\n<script>x</script> [x](http://evil.example) retention_7")
    'a\\|b\\\\n&lt;script>x&lt;/script> [x\\](http://evil.example) retention_7'
    >>> markdown_text("p = <0.0001, AT&T, [-1.2%, +0.5%]")
    'p = <0.0001, AT&T, [-1.2%, +0.5%]'
    >>> markdown_text("give `horizon_days` or `x", code=True)
    'give `horizon_days` or \\`x'
    """
    s = visible(text, multiline=multiline)
    if not code:
        return _MARKDOWN.sub(_escape_markdown, s)
    parts = re.split(r"(`[^`\n]+`)", s)
    return "".join(
        markdown_code(part[1:-1]) if i % 2 else _MARKDOWN.sub(_escape_markdown, part)
        for i, part in enumerate(parts)
    )


def markdown_code(text: object) -> str:
    """Return ``text`` as a markdown code span (outside a table), whatever backticks it holds.

    >>> markdown_code("gate-40"), markdown_code("a`b")
    ('`gate-40`', '``a`b``')
    """
    s = visible(text)
    if not s:
        return ""
    runs = [len(r) for r in re.findall("`+", s)]
    fence = "`" * (max(runs, default=0) + 1)
    # A span's content loses one space on each side when it starts or ends with a backtick
    # (the space is needed) or starts and ends with a space (it would lose its own).
    spaced = s.startswith(" ") and s.endswith(" ") and s.strip(" ")
    pad = " " if s.startswith("`") or s.endswith("`") or spaced else ""
    return f"{fence}{pad}{s}{pad}{fence}"


class SafeConsole(Console):
    """A rich console that shows every string literally.

    Markup and emoji codes are off (the project styles its own text with
    :class:`~rich.style.Style` objects, never markup strings), whatever a caller asks; every
    string it renders, and every segment of every renderable (a :class:`~rich.text.Text` built
    from data, a table, a panel title), has its control characters made :func:`visible`.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("highlight", False)
        super().__init__(**{**kwargs, "markup": False, "emoji": False})

    def render_str(
        self,
        text: str,
        *,
        style: str | Style = "",
        justify: Any = None,
        overflow: Any = None,
        emoji: bool | None = None,  # noqa: ARG002 (never: data would be rewritten)
        markup: bool | None = None,  # noqa: ARG002 (never: data would be interpreted)
        highlight: bool | None = None,
        highlighter: HighlighterType | None = None,
    ) -> Text:
        """Return ``text`` as a :class:`~rich.text.Text`: never parsed, controls visible."""
        return super().render_str(
            visible(text, multiline=True),
            style=style,
            justify=justify,
            overflow=overflow,
            emoji=False,
            markup=False,
            highlight=highlight,
            highlighter=highlighter,
        )

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        """Render ``renderable``; control characters in its text segments are made visible."""
        for segment in super().render(renderable, options):
            if segment.control or not _UNSAFE_KEEP_LINES.search(segment.text):
                yield segment
            else:
                yield Segment(visible(segment.text, multiline=True), segment.style)

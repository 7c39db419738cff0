"""Text from users and data, shown literally: on a rich console and in markdown.

The markdown escaping is checked against an independent parser, markdown-it-py (CommonMark
with GitHub's tables and strikethrough): the escaped text, rendered, must read back exactly as
the original, as plain text, in a paragraph and in one table cell.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.console import Console
from rich.table import Table
from rich.text import Text

from proxymetric.report._text import (
    SafeConsole,
    literal,
    markdown_code,
    markdown_text,
    visible,
)
from proxymetric.report.sections import Section, print_sections, sections_markdown

UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
HOSTILE = [
    "[bold red]TREAT[/]",
    "[link=http://evil.example]x[/link]",
    "[/]",
    "a:x:b",
    "\x1b[2J\x1b]0;pwn\x07",
    "\x9b31m",  # the one-byte CSI of C1
    "\u202eevil",  # right-to-left override
    "two\nlines\r",
]


def _render(console_kwargs: dict[str, object], *objects: object) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, **console_kwargs)  # type: ignore[arg-type]
    console.print(*objects)
    return buffer.getvalue()


# --- visible ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("\x9b31m", "\\x9b31m"),
        ("a\x7fb", "a\\x7fb"),
        ("\u202eabc", "\\u202eabc"),
        ("line\u2028sep", "line\\u2028sep"),
        ("bad\udcff", "bad\\udcff"),
        ("tab\tnew\nret\r", "tab\\tnew\\nret\\r"),
        ("[bold]a:x:b[/] é 😀 \u200d", "[bold]a:x:b[/] é 😀 \u200d"),  # left as they are
    ],
)
def test_visible_shows_control_characters(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_visible_multiline_keeps_newlines_and_tabs_only() -> None:
    assert visible("a\nb\tc\rd\x1b", multiline=True) == "a\nb\tc\\rd\\x1b"


@given(st.text())
def test_visible_leaves_no_control_character(text: str) -> None:
    shown = visible(text)
    assert UNSAFE.search(shown) is None
    assert visible(shown) == shown  # nothing left to escape
    if UNSAFE.search(text) is None:
        assert shown == text


# --- rich ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_is_shown_as_written_on_any_console(text: str) -> None:
    # A plain console, markup and emoji codes on, colours and hyperlinks on: a Text is never
    # parsed, so the text comes out as written (control characters visible).
    out = _render({"force_terminal": True, "color_system": "truecolor"}, literal(text))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)  # the console's own colour codes
    assert plain == visible(text) + "\n"
    assert "\x1b]" not in out  # no hyperlink, no window title
    assert "\u274c" not in out


def test_plain_rich_console_interprets_markup() -> None:
    """What literal() protects from: a plain string on a plain console."""
    assert _render({"color_system": None}, "[bold red]TREAT[/] a:x:b") == "TREAT a❌b\n"
    with pytest.raises(Exception, match="closing tag"):
        _render({"color_system": None}, "[/]")


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_console_shows_strings_and_texts_literally(text: str) -> None:
    buffer = io.StringIO()
    console = SafeConsole(file=buffer, width=200, force_terminal=True, color_system="truecolor")
    console.print(text, markup=True, emoji=True)  # a caller cannot turn markup back on
    console.print(Text(text))  # a Text built from data by someone else
    table = Table(title=text)
    table.add_column(text)
    table.add_row(text)
    table.add_row(Text(text))
    console.print(table)
    out = buffer.getvalue()
    assert "\x1b]" not in out
    assert "\x1b[2J" not in out
    assert "\x9b" not in out
    assert "\u202e" not in out
    assert "\u274c" not in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert UNSAFE.sub("", plain.replace("\n", "")) == plain.replace("\n", "")
    shown = visible(text, multiline=True).split("\n")[0]
    assert plain.count(shown) >= 3


def test_safe_console_table_cells_have_their_shown_width() -> None:
    """Control characters are made visible before the table measures its cells."""
    buffer = io.StringIO()
    console = SafeConsole(file=buffer, width=200, color_system=None)
    table = Table()
    table.add_column("name")
    table.add_row("\x1b[2J\x1b]0;pwn\x07")
    table.add_row("x")
    console.print(table)
    widths = {len(line) for line in buffer.getvalue().splitlines()}
    assert len(widths) == 1  # every line of the box as wide as the others


def test_sections_are_shown_literally_on_a_plain_console() -> None:
    section = Section(
        "[bold]head[/] \x1b[2J",
        "[/] a:x:b",
        ("[/]", "col"),
        (("[bold red]TREAT[/]", "\x1b]0;pwn\x07"),),
    )
    buffer = io.StringIO()
    print_sections([section], Console(file=buffer, width=200, color_system=None))
    out = buffer.getvalue()
    for text in ("[bold]head[/] \\x1b[2J", "[/] a:x:b", "[bold red]TREAT[/]", "\\x1b]0;pwn\\x07"):
        assert text in out
    assert "\x1b" not in out


# --- markdown, read back by an independent parser -----------------------------------------

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
MARKDOWN_CHARS = "ab1 _*`[]()<>&#;!|~\\:-=+.{}\"'/\n\t\x1bé"
# Every construct that would be read as markup, tried on every run besides the random texts.
CONSTRUCTS = [
    "&amp;", "&#65;", "&#x41;", "*a*", "**a**", "_a_", "__a__", "~~a~~", "~a~", "`a`",
    "[a](b)", "[a][b]", "[a]: b", "![a](b)", "<a>", "</b>", "<!-- c -->", "<http://x>",
    "a|b", "\\*a*", "a\\", "a\nb", "a * b", "a_b_c", "_a", "a_", " a ", "`a", "a``",
]  # fmt: skip


def _examples(test: Any) -> Any:
    for text in CONSTRUCTS:
        test = example(text)(test)
    return test


def _inline_text(tokens: list[Token], allowed: frozenset[str] = frozenset({"text"})) -> list[str]:
    """The text of every inline token; fails on anything markdown interpreted (a tag, a link)."""
    texts = []
    for token in tokens:
        if token.type != "inline":
            continue
        children = token.children or []
        kinds = {c.type for c in children}
        assert kinds <= allowed, [(c.type, c.content) for c in children]
        texts.append("".join(c.content for c in children))
    return texts


@_examples
@given(st.text(alphabet=MARKDOWN_CHARS, max_size=40))
def test_markdown_text_reads_back_in_a_paragraph(text: str) -> None:
    tokens = _MD.parse(f"x {markdown_text(text)} y")
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert _inline_text(tokens) == [f"x {visible(text)} y"]


@_examples
@given(st.text(alphabet=MARKDOWN_CHARS, max_size=40))
def test_markdown_text_reads_back_in_one_table_cell(text: str) -> None:
    tokens = _MD.parse(f"| a | b |\n|---|---|\n| x {markdown_text(text)} y | z |\n")
    assert sum(t.type == "td_open" for t in tokens) == 2
    assert _inline_text(tokens) == ["a", "b", f"x {visible(text)} y", "z"]


@_examples
@given(st.text(alphabet=MARKDOWN_CHARS, max_size=40))
def test_markdown_code_reads_back_as_one_code_span(text: str) -> None:
    tokens = _MD.parse(f"x {markdown_code(text)} y")
    inline = next(t for t in tokens if t.type == "inline")
    spans = [c.content for c in inline.children or [] if c.type == "code_inline"]
    assert spans == ([visible(text)] if text else [])


@given(st.lists(st.text(alphabet="ab`|<>*_[]()", min_size=1, max_size=8), max_size=4))
def test_code_spans_of_the_project_text_stay_code(names: list[str]) -> None:
    """In text with `name` spans, each span is code with its content as written."""
    plain = [n.replace("`", "") or "n" for n in names]
    text = " and ".join(f"`{n}`" for n in plain)
    tokens = _MD.parse(f"x {markdown_text(text, code=True)} y")
    inline = next(t for t in tokens if t.type == "inline")
    spans = [c.content for c in inline.children or [] if c.type == "code_inline"]
    assert spans == plain


def test_sections_markdown_keeps_every_row_in_its_table() -> None:
    section = Section(
        "Pairs <script>",
        "[x](http://evil.example) `code`",
        ("system | a", "b"),
        (("p|q\nnext <b>x</b>", "1"), ("[/] a:x:b", "2")),
    )
    tokens = _MD.parse(sections_markdown([section]))
    assert next(t.content for t in tokens if t.type == "inline") == "Pairs &lt;script>"
    assert sum(t.type == "tr_open" for t in tokens) == 3  # the header and two rows
    assert sum(t.type == "td_open" for t in tokens) == 4
    texts = _inline_text(tokens, frozenset({"text", "code_inline"}))  # `code` is a code span
    assert "p|q\\nnext <b>x</b>" in texts
    assert all(t.type not in {"html_inline", "html_block", "link_open"} for t in tokens)

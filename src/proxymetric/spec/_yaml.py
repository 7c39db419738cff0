"""YAML loading that remembers the line of every key, so errors can point at file:line.

The loader is bounded, so that no file can make it hang or exhaust memory: a file is at most
:data:`MAX_BYTES`, nests at most :data:`MAX_DEPTH` levels, uses at most :data:`MAX_ALIASES`
aliases and holds at most :data:`MAX_VALUES` values once its aliases are expanded (an alias
``*name`` repeats the value anchored as ``&name``, so a few hundred bytes of aliases of aliases
can stand for billions of values). The expanded size is counted while the file is composed,
before anything is built, so such a file fails at once. Recursive aliases, tags other than
YAML's standard ones (``!foo``, ``!!python/object``), text that is not UTF-8 and values that
cannot be read (``2024-02-30``) fail with one line that names the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from proxymetric.errors import SpecError

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "LineMap",
    "decode_yaml",
    "load_yaml",
    "read_yaml",
]

Path_ = tuple[str | int, ...]

MAX_BYTES = 1024 * 1024
"""Largest YAML text accepted, in bytes (characters for text given directly)."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted."""

MAX_ALIASES = 1000
"""Most aliases (``*name``) a file may use."""

MAX_VALUES = 20_000
"""Most values (mappings, lists, scalars) a file may hold once its aliases are expanded."""

_STANDARD = "tag:yaml.org,2002:"
_TAGS = frozenset(
    f"{_STANDARD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
_READ_AS = {"int": "an integer", "float": "a number", "bool": "true/false", "timestamp": "a date"}
# What YAML 1.1 allows in a stream (the set PyYAML's reader checks)
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


class LineMap:
    """Maps a key path such as ``("experiments", "gate-40", "primary")`` to its line."""

    def __init__(self, file: str | None, lines: dict[Path_, int]) -> None:
        self.file = file
        self._lines = lines

    def line(self, path: Path_) -> int | None:
        """Return the line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self._lines:
                return self._lines[p]
            p = p[:-1]
        return None

    def error(self, message: str, path: Path_ = ()) -> SpecError:
        """Return a :class:`SpecError` located at ``path``."""
        return SpecError(message, file=self.file, line=self.line(path))


def _show(text: str, limit: int = 40) -> str:
    """Return ``text`` quoted and shortened for a message."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix(_STANDARD) if tag.startswith(_STANDARD) else tag


class _Loader(Composer, SafeConstructor, Resolver):
    """PyYAML's safe loader, composing under the bounds of the module docstring.

    A subclass supplies the events: libyaml's parser in C where PyYAML has it, PyYAML's own
    in Python otherwise.
    """

    def __init__(self, file: str | None) -> None:
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.file = file
        self.depth = 0
        self.aliases = 0
        self.values = 0
        self.sizes: dict[str, int] = {}  # anchor -> values it expands to
        self.open: set[str] = set()  # anchors of the values being composed

    def fail(self, message: str, mark: Any) -> SpecError:
        """Return a :class:`SpecError` at the line of a YAML ``mark`` (``None``: no line)."""
        return SpecError(message, file=self.file, line=mark.line + 1 if mark else None)

    def count(self, values: int, mark: Any) -> None:
        self.values += values
        if self.values > MAX_VALUES:
            what = f"the YAML holds more than {MAX_VALUES:,} values"
            if self.aliases:
                what += (
                    " once its aliases are expanded (each `*name` repeats the value anchored "
                    "as `&name`)"
                )
            raise self.fail(f"{what}; a spec may hold at most {MAX_VALUES:,}", mark)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent) and event.anchor is not None:
            anchor = event.anchor
            if anchor in self.open:
                raise self.fail(
                    f"the alias *{anchor} is inside the value it refers to (&{anchor}); a "
                    "recursive structure cannot be a spec value",
                    event.start_mark,
                )
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise self.fail(
                    f"the YAML uses more than {MAX_ALIASES:,} aliases (`*name`); a spec may "
                    f"use at most {MAX_ALIASES:,}",
                    event.start_mark,
                )
            node = Composer.compose_node(self, parent, index)  # an undefined alias fails
            self.count(self.sizes[anchor], event.start_mark)
            return node
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in _TAGS:
            raise self.fail(
                f"unknown tag {_tag_name(tag)!r}: a spec holds plain YAML (mappings, lists, "
                "text, numbers, true/false, null, dates); remove the tag",
                event.start_mark,
            )
        level = int(isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent))
        self.depth += level
        if self.depth > MAX_DEPTH:
            raise self.fail(
                f"the YAML nests deeper than {MAX_DEPTH} levels of mappings and lists",
                event.start_mark,
            )
        self.count(1, event.start_mark)
        before = self.values
        anchor = event.anchor
        if anchor is not None:
            self.open.add(anchor)
        try:
            node = Composer.compose_node(self, parent, index)
        finally:
            self.depth -= level
            if anchor is not None:
                self.open.discard(anchor)
        if anchor is not None:
            self.sizes[anchor] = self.values - before + 1
        return node

    def scalar(self, node: yaml.Node) -> Any:
        try:
            return self.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            kind = str(node.tag).removeprefix(_STANDARD)
            as_what = _READ_AS.get(kind, f"a {_tag_name(str(node.tag))} value")
            reason = str(getattr(exc, "problem", None) or exc).splitlines()[0]
            reason = reason.split("; use sys.set_int_max_str_digits()")[0]
            raise self.fail(
                f"cannot read {_show(str(node.value))} as {as_what}: {reason}", node.start_mark
            ) from None


class _PythonLoader(Reader, Scanner, Parser, _Loader):
    """The bounded loader on PyYAML's parser in Python."""

    def __init__(self, text: str, file: str | None) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Loader.__init__(self, file)


_LOADER: Callable[[str, str | None], _Loader] = _PythonLoader
if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _CLoader(CParser, _Loader):
        """The bounded loader on libyaml's parser (about five times faster)."""

        def __init__(self, text: str, file: str | None) -> None:
            CParser.__init__(self, text)
            _Loader.__init__(self, file)

    _LOADER = _CLoader


def _construct(node: yaml.Node, path: Path_, lines: dict[Path_, int], loader: _Loader) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, (), {}, loader)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise loader.fail("keys must be plain names", key_node.start_mark)
            key = str(key)
            if key in out:
                raise loader.fail(f"duplicate key {key!r}", key_node.start_mark)
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, (*path, key), lines, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            items.append(_construct(item, (*path, i), lines, loader))
        return items
    return loader.scalar(node)


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def load_yaml(text: str, file: str | None = None) -> tuple[Any, LineMap]:
    """Parse YAML ``text``; return the data and a :class:`LineMap` of its keys.

    Raises a :class:`~proxymetric.errors.SpecError` with the line when the text is not valid
    YAML or exceeds a bound of the module docstring.
    """
    if len(text) > MAX_BYTES:
        raise SpecError(
            f"the YAML has {len(text):,} characters; a spec may have at most {MAX_BYTES:,}",
            file=file,
        )
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        raise SpecError(
            f"invalid YAML: the character U+{ord(bad.group()):04X} is not allowed; YAML text "
            "holds printable characters, tabs and line breaks",
            file=file,
            line=_line_at(text, bad.start()),
        )
    loader = _LOADER(text, file)
    try:
        node = Composer.get_single_node(loader)
        lines: dict[Path_, int] = {}
        if node is None:
            return None, LineMap(file, lines)
        return _construct(node, (), lines, loader), LineMap(file, lines)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(
            f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark else None
        ) from None
    finally:
        loader.dispose()  # type: ignore[attr-defined]


def decode_yaml(data: bytes, file: str | None = None) -> str:
    """Return the UTF-8 text of a YAML file's bytes (a UTF-8 byte-order mark is dropped).

    Raises a :class:`~proxymetric.errors.SpecError` naming the problem when the bytes are not
    UTF-8 text: UTF-16 or UTF-32 (with a byte-order mark), binary data, or another encoding.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise SpecError(
                f"the file is {encoding} text (it starts with a {encoding} byte-order mark); "
                "save it as UTF-8",
                file=file,
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SpecError(
            "the file holds NUL bytes: it is binary, or UTF-16/UTF-32 text; save it as UTF-8",
            file=file,
            line=data.count(b"\n", 0, nul) + 1,
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise SpecError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded; "
            "Latin-1 or Windows-1252 perhaps); save it as UTF-8",
            file=file,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None


def read_yaml(path: Path) -> tuple[Any, LineMap]:
    """Read and parse a YAML file of at most :data:`MAX_BYTES` bytes, in UTF-8."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise SpecError(f"spec file not found: {path}") from None
    except OSError as exc:
        raise SpecError(f"cannot read spec file {path}: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise SpecError(
            f"the file is larger than {MAX_BYTES // 2**20} MiB; a spec may have at most "
            f"{MAX_BYTES:,} bytes",
            file=str(path),
        )
    return load_yaml(decode_yaml(data, str(path)), str(path))

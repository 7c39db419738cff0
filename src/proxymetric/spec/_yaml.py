"""YAML loading that remembers the line of every key, so errors can point at file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from proxymetric.errors import SpecError

__all__ = ["LineMap", "load_yaml"]

Path_ = tuple[str | int, ...]


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


def _construct(node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str | None) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, (), {}, file)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise SpecError(
                    "keys must be plain names", file=file, line=key_node.start_mark.line + 1
                )
            key = str(key)
            if key in out:
                raise SpecError(
                    f"duplicate key {key!r}", file=file, line=key_node.start_mark.line + 1
                )
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, (*path, key), lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            items.append(_construct(item, (*path, i), lines, file))
        return items
    loader = yaml.SafeLoader("")
    return loader.construct_object(node, deep=True)


def load_yaml(text: str, file: str | None = None) -> tuple[Any, LineMap]:
    """Parse YAML ``text``; return the data and a :class:`LineMap` of its keys."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(
            f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark else None
        ) from None
    lines: dict[Path_, int] = {}
    if node is None:
        return None, LineMap(file, lines)
    return _construct(node, (), lines, file), LineMap(file, lines)


def read_yaml(path: Path) -> tuple[Any, LineMap]:
    """Read and parse a YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec file not found: {path}") from None
    except OSError as exc:
        raise SpecError(f"cannot read spec file {path}: {exc.strerror}") from None
    return load_yaml(text, str(path))

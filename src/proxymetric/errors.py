"""Exceptions raised for user errors.

Every error a user can cause (a bad spec, a missing file, an unknown column, an invalid
argument) is a :class:`ProxymetricError`. The CLI prints its message and exits with status 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["DataError", "ProxymetricError", "SpecError"]


class ProxymetricError(ValueError):
    """A user error: the message names the problem and what would be valid."""


class SpecError(ProxymetricError):
    """An error in a spec file, located by file, line and key where known."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.reason = message
        where = ""
        if file is not None:
            where = f"{file}:{line}: " if line is not None else f"{file}: "
        super().__init__(f"{where}{message}")


class DataError(ProxymetricError):
    """An error in the data: a missing source, an unknown column, a variant with no units."""

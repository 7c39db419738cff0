"""Turning engine exceptions into user errors at the boundary of the data layer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from proxymetric._redact import redact
from proxymetric.errors import DataError, ProxymetricError

__all__ = ["engine_errors", "first_line"]


def first_line(exc: BaseException) -> str:
    """Return the first line of an exception's message (its type name if it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextmanager
def engine_errors(what: str, *, url: str | None = None) -> Iterator[None]:
    """Re-raise any engine failure inside the block as ``DataError("{what}: {reason}")``.

    Engines (DuckDB, Postgres, Spark, ...) raise exceptions of their own types, so the
    boundary catches them all; errors that are already user errors pass through unchanged.
    ``url`` is the connection URL involved: its password is masked in the message, wherever
    the engine's own text quotes it.
    """
    try:
        yield
    except ProxymetricError:
        raise
    except Exception as exc:  # noqa: BLE001 - every engine has its own exception types
        raise DataError(redact(f"{what}: {first_line(exc)}", url)) from None

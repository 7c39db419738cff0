"""Progress of long loops (bootstrap rounds, Monte Carlo draws, simulations), silent by default.

A capability announces a loop with :func:`task` and advances it as work is done::

    with task("bootstrap", total=n_rounds) as bar:
        for chunk in chunks:
            ...
            bar.advance(len(chunk))

Nothing is shown unless a :class:`Reporter` is installed for the current context with
:func:`reporting` (the command line installs one that draws a bar on a terminal). Without one,
:func:`task` yields a shared object whose ``advance`` does nothing, so an instrumented loop costs
one method call per chunk. The reporter is held in a :class:`contextvars.ContextVar`, so threads
and asynchronous tasks each see their own. This module imports nothing beyond the standard
library: capabilities depend on it, never on a renderer.

>>> seen = []
>>> class Recorder:
...     def start(self, description, total):
...         seen.append((description, total))
...         return Counter()
...     def stop(self, handle):
...         seen.append(("done", handle.n))
>>> class Counter:
...     n = 0
...     def advance(self, amount=1):
...         self.n += amount
>>> with reporting(Recorder()):
...     with task("draws", total=3) as bar:
...         for _ in range(3):
...             bar.advance()
>>> seen
[('draws', 3), ('done', 3)]
>>> with task("draws", total=3) as bar:  # no reporter: nothing happens
...     bar.advance()
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Protocol

__all__ = ["Handle", "Reporter", "current", "reporting", "task"]


class Handle(Protocol):
    """One running loop, as a reporter tracks it."""

    def advance(self, amount: int = 1) -> None:
        """Record ``amount`` more steps done."""


class Reporter(Protocol):
    """Something that shows loops: ``start`` one, then ``stop`` it when it ends."""

    def start(self, description: str, total: int) -> Handle:
        """Begin showing a loop of ``total`` steps; return the handle it advances."""

    def stop(self, handle: Handle) -> None:
        """Stop showing the loop of ``handle`` (it ended, or was interrupted)."""


class _Silent:
    """The handle of every loop when no reporter is installed."""

    __slots__ = ()

    def advance(self, amount: int = 1) -> None:
        """Do nothing."""


_SILENT = _Silent()
_REPORTER: ContextVar[Reporter | None] = ContextVar("proxymetric_progress", default=None)


def current() -> Reporter | None:
    """Return the reporter installed for this context, or None."""
    return _REPORTER.get()


@contextlib.contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    """Install ``reporter`` for the code run inside the block (None: silence)."""
    token = _REPORTER.set(reporter)
    try:
        yield
    finally:
        _REPORTER.reset(token)


@contextlib.contextmanager
def task(description: str, total: int) -> Iterator[Handle]:
    """Announce a loop of ``total`` steps; yield the handle to advance as steps are done."""
    reporter = _REPORTER.get()
    if reporter is None:
        yield _SILENT
        return
    handle = reporter.start(description, int(total))
    try:
        yield handle
    finally:
        reporter.stop(handle)

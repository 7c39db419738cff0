"""The one validation helper: uniform messages that name the parameter and the bad value."""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Iterable
from typing import TypeVar

from proxymetric.errors import ProxymetricError

__all__ = ["check_choice", "check_name", "check_number", "did_you_mean"]

T = TypeVar("T")


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` when a close match exists, else an empty string."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_choice(param: str, value: T, allowed: Collection[T]) -> T:
    """Return ``value`` if it is one of ``allowed``, else raise a :class:`ProxymetricError`.

    >>> check_choice("alternative", "bigger", ["two-sided", "greater", "less"])
    Traceback (most recent call last):
    ...
    proxymetric.errors.ProxymetricError: `alternative` must be one of ...; got 'bigger'
    """
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ProxymetricError(f"`{param}` must be one of {choices}; got {value!r}")
    return value


def check_name(param: str, name: str, known: Collection[str], what: str) -> str:
    """Return ``name`` if it is in ``known``; else raise, listing what exists.

    >>> check_name("metric", "retention_8", ["retention_1", "retention_7"], "metrics")
    Traceback (most recent call last):
    ...
    proxymetric.errors.ProxymetricError: `metric` 'retention_8' is not defined; ...
    """
    if name not in known:
        listed = ", ".join(sorted(known)) or "(none)"
        hint = did_you_mean(name, known)
        raise ProxymetricError(f"`{param}` {name!r} is not defined; defined {what}: {listed}{hint}")
    return name


def check_number(
    param: str,
    value: float,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = False,
    high_inclusive: bool = False,
) -> float:
    """Return ``value`` if it is a finite number within the bounds, else raise.

    >>> check_number("alpha", 1.5, low=0, high=1)
    Traceback (most recent call last):
    ...
    proxymetric.errors.ProxymetricError: `alpha` == 1.5, must be < 1
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ProxymetricError(f"`{param}` must be a finite number; got {value!r}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        op = ">=" if low_inclusive else ">"
        raise ProxymetricError(f"`{param}` == {value!r}, must be {op} {low!r}")
    if high is not None and (value > high or (value == high and not high_inclusive)):
        op = "<=" if high_inclusive else "<"
        raise ProxymetricError(f"`{param}` == {value!r}, must be {op} {high!r}")
    return value

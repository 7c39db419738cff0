"""Counts in words: ``1 record``, ``2 records``, ``12,000 units``."""

from __future__ import annotations

__all__ = ["counted"]


def counted(n: float, singular: str, plural: str | None = None) -> str:
    """Return ``n`` with thousands separators and the noun in the number it takes.

    >>> counted(1, "record"), counted(0, "record"), counted(12_000, "unit")
    ('1 record', '0 records', '12,000 units')
    >>> counted(2, "analysis", "analyses")
    '2 analyses'
    """
    shown = f"{n:,.0f}"
    word = singular if shown == "1" else (plural if plural is not None else singular + "s")
    return f"{shown} {word}"

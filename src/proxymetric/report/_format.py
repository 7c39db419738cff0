"""Number formatting shared by the text renderers, by field-name convention.

Fields named ``rel_*`` are relative and shown as percentages; ``*pvalue*`` fields as p-values;
``*_ci_lower``/``*_ci_upper`` pairs as intervals.
"""

from __future__ import annotations

import math

__all__ = ["format_interval", "format_number", "format_pvalue"]


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def format_number(value: float | None, *, percent: bool = False, digits: int = 4) -> str:
    """Format a number with ``digits`` significant digits; ``—`` when undefined.

    >>> format_number(0.012345, percent=True)
    '+1.23%'
    >>> format_number(1234567.0)
    '1,234,567'
    >>> format_number(None)
    '—'
    """
    if not _finite(value):
        return "—"
    assert value is not None
    if percent:
        return f"{value * 100:+.{max(digits - 2, 1)}f}%"
    if value != 0 and abs(value) >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def format_pvalue(value: float | None) -> str:
    """Format a p-value: four decimals, ``<0.0001`` below that.

    >>> format_pvalue(0.00002)
    '<0.0001'
    >>> format_pvalue(0.0342)
    '0.0342'
    """
    if not _finite(value):
        return "—"
    assert value is not None
    return "<0.0001" if value < 1e-4 else f"{value:.4f}"


def format_interval(
    low: float | None, high: float | None, *, percent: bool = False, digits: int = 3
) -> str:
    """Format an interval as ``[low, high]``.

    >>> format_interval(-0.0123, 0.0046, percent=True)
    '[-1.2%, +0.5%]'
    """
    if not (_finite(low) and _finite(high)):
        return "—"
    return (
        f"[{format_number(low, percent=percent, digits=digits)}, "
        f"{format_number(high, percent=percent, digits=digits)}]"
    )

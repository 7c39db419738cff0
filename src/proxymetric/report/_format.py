"""Number formatting shared by the text renderers, by field-name convention.

Fields named ``rel_*`` are relative and shown as percentages; ``*pvalue*`` fields as p-values;
``*_ci_lower``/``*_ci_upper`` pairs as intervals.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

__all__ = ["format_interval", "format_number", "format_p", "format_pvalue", "terminal_text"]


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


def format_p(value: float | None, name: str = "p") -> str:
    """Return ``p = 0.0342`` or, below 0.0001, ``p < 0.0001``: a p-value inside a sentence.

    ``name`` is what the p-value is called (``adjusted p``, ``Holm p``).

    >>> format_p(0.0342), format_p(0.00002), format_p(0.00002, "adjusted p")
    ('p = 0.0342', 'p < 0.0001', 'adjusted p < 0.0001')
    >>> format_p(float("nan"))
    'p = —'
    """
    text = format_pvalue(value)
    return f"{name} < {text[1:]}" if text.startswith("<") else f"{name} = {text}"


_CODE = re.compile(r"`([^`\n]+)`")


def terminal_text(
    text: str, *, style: str = "", code_style: str = "bold", multiline: bool = False
) -> Text:
    """Return a message as rich text for the terminal, without its markdown backticks.

    Messages name parameters and values in backticks (markdown code); on a terminal the
    backticks are dropped and the name is shown in ``code_style``. The rest of the text is
    literal: nothing in it is read as rich markup, and control characters are made visible
    (:func:`proxymetric.report._text.visible`; newlines kept with ``multiline``).

    >>> terminal_text("pass `--registry` [bold]x[/]").plain
    'pass --registry [bold]x[/]'
    >>> print(terminal_text("a" + chr(27) + "[2Jb").plain)
    a\\x1b[2Jb
    """
    from rich.text import Text

    from proxymetric.report._text import visible

    out = Text(style=style)
    end = 0
    for match in _CODE.finditer(text):
        out.append(visible(text[end : match.start()], multiline=multiline))
        out.append(visible(match.group(1), multiline=multiline), style=code_style)
        end = match.end()
    out.append(visible(text[end:], multiline=multiline))
    return out


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

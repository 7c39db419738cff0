"""Renderers: they read result objects and never compute statistics.

Text (:mod:`~proxymetric.report.experiment`, :mod:`~proxymetric.report.plan`, ...), JSON
(:func:`to_json`), markdown (:func:`to_markdown`) and HTML (:func:`to_html`, in
:mod:`proxymetric.report.html`, with the optional ``html`` extra).
"""

from typing import TYPE_CHECKING, Any

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.report._format import (
        format_interval,
        format_number,
        format_p,
        format_pvalue,
        terminal_text,
    )
    from proxymetric.report._text import (
        SafeConsole,
        literal,
        markdown_code,
        markdown_text,
        visible,
    )
    from proxymetric.report.json import to_json
    from proxymetric.report.markdown import to_markdown

__all__ = [
    "SafeConsole",
    "format_interval",
    "format_number",
    "format_p",
    "format_pvalue",
    "literal",
    "markdown_code",
    "markdown_text",
    "terminal_text",
    "to_html",
    "to_json",
    "to_markdown",
    "visible",
]


def to_html(result: Any, *, compact: bool = False, **options: Any) -> str:
    """Return ``result`` as a self-contained HTML page (see :mod:`proxymetric.report.html`)."""
    from proxymetric.report.html import to_html as render

    return render(result, compact=compact, **options)


# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "_format": (
                "format_interval",
                "format_number",
                "format_p",
                "format_pvalue",
                "terminal_text",
            ),
            "_text": ("SafeConsole", "literal", "markdown_code", "markdown_text", "visible"),
            "json": ("to_json",),
            "markdown": ("to_markdown",),
        },
    )

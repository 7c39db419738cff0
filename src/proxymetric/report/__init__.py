"""Renderers: they read result objects and never compute statistics."""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.report._format import (
        format_interval,
        format_number,
        format_p,
        format_pvalue,
        terminal_text,
    )
    from proxymetric.report.json import to_json

__all__ = [
    "format_interval",
    "format_number",
    "format_p",
    "format_pvalue",
    "terminal_text",
    "to_json",
]

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
            "json": ("to_json",),
        },
    )

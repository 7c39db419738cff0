"""Renderers: they read result objects and never compute statistics."""

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

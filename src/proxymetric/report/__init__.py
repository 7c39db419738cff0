"""Renderers: they read result objects and never compute statistics."""

from proxymetric.report._format import format_interval, format_number, format_pvalue
from proxymetric.report.json import to_json

__all__ = ["format_interval", "format_number", "format_pvalue", "to_json"]

"""HTML rendering of result objects: one self-contained page, charts inline, no script.

:func:`to_html` renders any result object as a page (``compact=True``: a fragment for a
notebook, which is what ``_repr_html_`` shows). The page reuses the text renderers' rows and
sentences, adds charts (:mod:`proxymetric.report.charts`), plain-language definitions and a
glossary, and marks every number with the JSON field it shows. Jinja2 and matplotlib are
optional (``pip install 'proxymetric[html]'``) and imported only here, on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from proxymetric.report.html._blocks import Part
from proxymetric.report.html._page import CSP, render_fragment, render_page, require_html

__all__ = ["CSP", "Part", "html_parts", "require_html", "to_html"]


def html_parts(result: Any, *, compact: bool = False, spec: Any = None, **extra: Any) -> list[Part]:
    """Return the parts of the page of ``result`` (any result object of proxymetric)."""
    from proxymetric.report.html import _dispatch

    return _dispatch.parts(result, compact=compact, spec=spec, **extra)


def to_html(
    result: Any,
    *,
    compact: bool = False,
    title: str | None = None,
    spec: Any = None,
    **extra: Any,
) -> str:
    """Return ``result`` as a self-contained HTML page (a fragment when ``compact``).

    ``spec`` (a loaded :class:`~proxymetric.spec.Spec`) adds the metrics' definitions to an
    analysis; ``extra`` passes what a renderer can use besides the result (``table``, the
    :class:`~proxymetric.proxies.EffectTable` behind a proxy report).
    """
    from proxymetric.report.html import _dispatch

    parts = html_parts(result, compact=compact, spec=spec, **extra)
    if compact:
        return render_fragment(parts)
    return render_page(
        parts,
        title=title or _dispatch.title(result, extra.get("sections", ())),
        source=_dispatch.source(result, spec),
    )


def page(parts: Sequence[Part], *, title: str, subtitle: str = "", source: str = "") -> str:
    """Return a page of ``parts`` (for renderers that assemble several results)."""
    return render_page(parts, title=title, subtitle=subtitle, source=source)

"""The Jinja2 environment and the page around the parts.

Autoescaping is on for every template and every string (``select_autoescape`` with defaults
true), and undefined names raise (``StrictUndefined``): a user's name is always text. The page
carries a Content-Security-Policy that forbids everything it does not use: no script, no
request of any kind (the styles are inline, the charts are inline SVG), no form, no base URL.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING

from proxymetric.errors import ProxymetricError
from proxymetric.report.html._blocks import Part

if TYPE_CHECKING:
    import jinja2

__all__ = ["CSP", "render_fragment", "render_page", "require_html"]

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; font-src 'none'; "
    "script-src 'none'; connect-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)
"""The page's Content-Security-Policy: inline styles only; no script, no request, no form."""


def require_html() -> None:
    """Raise a one-line error when the optional ``html`` dependencies are not installed."""
    missing = []
    for name in ("jinja2", "matplotlib"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise ProxymetricError(
            f"HTML output needs {' and '.join(missing)}: install them with "
            "`pip install 'proxymetric[html]'`"
        )


@functools.cache
def _environment() -> jinja2.Environment:
    require_html()
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("proxymetric.report.html", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.cache
def _css() -> str:
    return (
        resources.files("proxymetric.report.html")
        .joinpath("templates", "report.css")
        .read_text(encoding="utf-8")
    )


def render_page(parts: Sequence[Part], *, title: str, subtitle: str = "", source: str = "") -> str:
    """Return a whole, self-contained HTML page of ``parts``."""
    from markupsafe import Markup

    from proxymetric import __version__

    template = _environment().get_template("page.html.j2")
    return template.render(
        parts=parts,
        title=title,
        single=not subtitle and sum(p.anchor != "glossary" for p in parts) == 1,
        subtitle=subtitle,
        source=source,
        version=__version__,
        csp=CSP,
        css=Markup(_css()),  # noqa: S704 (our own stylesheet, not user input)
    )


def render_fragment(parts: Sequence[Part]) -> str:
    """Return ``parts`` as an HTML fragment with its own styles (a notebook cell's output)."""
    from markupsafe import Markup

    template = _environment().get_template("fragment.html.j2")
    return template.render(parts=parts, css=Markup(_css()))  # noqa: S704

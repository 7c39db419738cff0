"""What a proxymetric HTML page must satisfy, checked the same way in Python and in a browser.

:func:`number_errors` compares every annotated number of a page (``data-json`` pointer, text
shown, ``data-scale``) with the JSON of the same result: the value shown must be the JSON
value rounded to the digits shown (a ``%`` means times 100, ``k``/``M``/``B`` thousands,
millions, billions; ``<0.0001`` means below).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from proxymetric.report.html._blocks import NUMBER

HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</svg>",
    "{{7*7}}",
)
"""Names that would run a script, break out of an attribute or an SVG, or be a template."""

_SUFFIX = {"%": Decimal(100), "k": Decimal("1e-3"), "M": Decimal("1e-6"), "B": Decimal("1e-9")}


def resolve(doc: Any, pointer: str) -> Any:
    """The value at an RFC 6901 JSON pointer."""
    value = doc
    for raw in pointer.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def shown_error(text: str, scale: float, expected: Any) -> str | None:
    """Why ``text`` (a number as shown, printed after multiplying by ``scale``) is not
    ``expected`` rounded to the digits shown; ``None`` when it is."""
    m = NUMBER.fullmatch(text.strip())
    if m is None:
        return f"{text!r} is not a number"
    if expected is None or isinstance(expected, bool):
        return f"{text!r} shown for {expected!r}"
    digits = Decimal(m.group("num").replace(",", ""))
    factor = _SUFFIX.get(m.group("suf") or "", Decimal(1))
    shown = (-digits if m.group("sign") == "-" else digits) / factor
    quantum = Decimal(1).scaleb(digits.as_tuple().exponent) / factor  # type: ignore[arg-type]
    value = Decimal(repr(float(expected))) * Decimal(repr(scale))
    if m.group("cmp") == "<":
        return None if value < shown else f"{text!r} but the value is {expected!r}"
    tolerance = quantum / 2 + abs(value) * Decimal("1e-12") + Decimal("1e-300")
    if abs(shown - value) > tolerance:
        return f"{text!r} shows {shown} but the JSON says {expected!r} (x {scale})"
    return None


def number_errors(spans: list[tuple[str, str, float]], doc: Any) -> list[str]:
    """Every annotated number ``(pointer, text, scale)`` of a page that the JSON contradicts."""
    errors = []
    for pointer, text, scale in spans:
        try:
            expected = resolve(doc, pointer)
        except (KeyError, IndexError, TypeError):
            errors.append(f"{pointer}: no such field in the JSON")
            continue
        why = shown_error(text, scale, expected)
        if why is not None:
            errors.append(f"{pointer}: {why}")
    return errors


class _Spans(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.spans: list[tuple[str, str, float]] = []
        self._open: list[tuple[str, float] | None] = []
        self._text: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        self.attributes += [(k, v or "") for k, v in attrs]
        if tag == "span" and "data-json" in found:
            self._open.append((found["data-json"] or "", float(found.get("data-scale") or 1)))
            self._text = []
        elif tag == "span":
            self._open.append(None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._open:
            top = self._open.pop()
            if top is not None:
                self.spans.append((top[0], "".join(self._text), top[1]))

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def parse(html: str) -> _Spans:
    """The annotated numbers, the tags and the attributes of a page."""
    p = _Spans()
    p.feed(html)
    return p


def finite(x: Any) -> bool:
    """True for a finite number."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


URL = re.compile(r"\b(?:https?|ftp|wss?):|//[\w.-]+\.\w", re.IGNORECASE)

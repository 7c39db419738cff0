"""Credentials never reach a message: the one helper that masks the password of a URL.

Every message, warning or rendering that shows a connection URL (a data source's
``connection``, a registry URL) passes it through :func:`mask_url`; a message that may quote the
URL or its password back (an engine's or a driver's own error text) passes through
:func:`redact`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["MASK", "mask_url", "redact", "remember", "secrets_of"]

MASK = "***"

# The URLs this process has connected to: their secrets are masked in every redacted message,
# also in the errors of later queries that do not name the URL.
_KNOWN: set[str] = set()

# Query parameters that carry a secret (``?password=...``, ``&sslpassword=...``, ``token=...``).
_SECRET_PARAM = re.compile(
    r"(?P<key>[?&;](?:[\w.-]*(?:pass|pwd|secret|token|key|credential)[\w.-]*)=)(?P<value>[^&;#]*)",
    re.IGNORECASE,
)


def _split(url: str) -> tuple[str, str, str] | None:
    """Return ``(scheme://, userinfo, rest)`` of ``url`` if it has a userinfo part, else None.

    The userinfo ends at the LAST ``@``: a password with an unescaped ``@`` or ``/`` is still
    masked whole (a query value with an ``@`` masks more than needed, never less).
    """
    head, sep, tail = url.partition("://")
    if not sep or "@" not in tail:
        return None
    userinfo, _, rest = tail.rpartition("@")
    return head + sep, userinfo, rest


def mask_url(url: str) -> str:
    """Return ``url`` with its password (and secret query values) replaced by ``***``.

    >>> mask_url("postgres://user:s3cret@db.example.com:5432/warehouse")
    'postgres://user:***@db.example.com:5432/warehouse'
    >>> mask_url("postgresql://user:p@ss/w@host/db?sslmode=require&password=x")
    'postgresql://user:***@host/db?sslmode=require&password=***'
    >>> mask_url("duckdb:///data/warehouse.db")
    'duckdb:///data/warehouse.db'
    """
    text = str(url)
    parts = _split(text)
    if parts is not None:
        scheme, userinfo, rest = parts
        user, colon, _password = userinfo.partition(":")
        if colon and "/" not in user:
            text = f"{scheme}{user}:{MASK}@{rest}"
    return _SECRET_PARAM.sub(lambda m: m.group("key") + MASK, text)


def secrets_of(url: str) -> list[str]:
    """Return the secrets in ``url`` (its password, as written and percent-decoded)."""
    text = str(url)
    found: list[str] = []
    parts = _split(text)
    if parts is not None:
        user, colon, password = parts[1].partition(":")
        if colon and "/" not in user and password:
            found += [password, unquote(password)]
    found += [m.group("value") for m in _SECRET_PARAM.finditer(text) if m.group("value")]
    found += [unquote(s) for s in found]
    # The longest first, so that a secret containing another is replaced whole.
    return sorted({s for s in found if s}, key=len, reverse=True)


def remember(url: str) -> None:
    """Add ``url`` to the URLs whose secrets :func:`redact` masks in every message."""
    if secrets_of(url):
        _KNOWN.add(str(url))


def redact(text: str, *urls: str | None) -> str:
    """Return ``text`` with ``urls`` (and those remembered) masked, their secrets as ``***``.

    The secrets are replaced wherever they occur, since an engine's error message may quote a
    URL in a form of its own (decoded, without its scheme, as a file path). The URLs given to
    :func:`remember` are masked too.

    >>> redact("cannot connect to 'pg://u:hunter2@h/db': bad password hunter2", "pg://u:hunter2@h/db")
    "cannot connect to 'pg://u:***@h/db': bad password ***"
    """
    out = str(text)
    for url in sorted({*(u for u in urls if u), *_KNOWN}, key=len, reverse=True):
        if not url:
            continue
        out = out.replace(str(url), mask_url(url))
        for secret in secrets_of(url):
            out = out.replace(secret, MASK)
    return out

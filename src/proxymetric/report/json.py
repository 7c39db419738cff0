"""JSON rendering of result objects (the documented contract)."""

from __future__ import annotations

import json
from typing import Any

from proxymetric._result import plain

__all__ = ["to_json"]


def to_json(result: Any, *, indent: int = 2) -> str:
    """Return ``result`` (a result object, or plain data holding them) as JSON text.

    Undefined numbers (NaN) are written as ``null``, never as the invalid token ``NaN``.
    """
    return json.dumps(plain(result), indent=indent, allow_nan=False)

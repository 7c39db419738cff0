"""JSON rendering of result objects (the documented contract)."""

from __future__ import annotations

import json
from typing import Any

from proxymetric._result import Result, plain

__all__ = ["SCHEMA_VERSION", "to_json"]

# The version of the JSON contract (docs/architecture.md, "The JSON contract"): raised when a
# field is renamed or removed or changes meaning; new fields keep it.
SCHEMA_VERSION = 4


def to_json(result: Any, *, indent: int = 2) -> str:
    """Return ``result`` (a result object, or plain data holding them) as JSON text.

    A result object becomes an object whose first key is ``schema_version``
    (:data:`SCHEMA_VERSION`), then its fields. Undefined numbers (NaN) are written as ``null``,
    never as the invalid token ``NaN``.

    >>> from proxymetric.stats import srm_test
    >>> print(to_json(srm_test({"a": 500, "b": 500}), indent=None)[:39])
    {"schema_version": 4, "statistic": 0.0,
    """
    data = plain(result)
    if isinstance(result, Result):
        data = {"schema_version": SCHEMA_VERSION, **data}
    return json.dumps(data, indent=indent, allow_nan=False)

"""Base class of result objects: frozen dataclasses with flat, stable field names.

``to_dict()`` turns a result into plain JSON-ready Python: nested results become dicts, tuples
become lists, numpy scalars become floats and non-finite floats (an undefined number) become
``None``. Renderers in :mod:`proxymetric.report` read only these objects.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["Result", "plain"]


def plain(value: Any) -> Any:
    """Convert ``value`` to JSON-ready Python (NaN and infinities become ``None``)."""
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot convert {type(value).__name__} to JSON")


@dataclasses.dataclass(frozen=True)
class Result:
    """Mixin for result dataclasses; subclasses are frozen dataclasses too."""

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a dict of plain values (the documented JSON contract)."""
        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

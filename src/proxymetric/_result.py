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


_REPR_FIELDS = 8
_REPR_TEXT = 40
_REPR_COLLECTION = 60


def _short(value: Any) -> str:
    if isinstance(value, Result):
        first = dataclasses.fields(value)[0].name
        return f"{type(value).__name__}({first}={_short(getattr(value, first))}, ...)"
    if isinstance(value, list | tuple | Mapping):
        items = value.values() if isinstance(value, Mapping) else value
        text = repr(value)
        if len(text) <= _REPR_COLLECTION and not any(isinstance(v, Result) for v in items):
            return text  # a few plain values read best as they are
        if isinstance(value, Mapping):
            return f"{{{len(value)} keys}}"
        kinds = sorted({type(v).__name__ for v in value})
        return f"[{len(value)} {'/'.join(kinds)}]"
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    text = repr(value)
    return text if len(text) <= _REPR_TEXT else text[: _REPR_TEXT - 4] + "...'"


@dataclasses.dataclass(frozen=True)
class Result:
    """Mixin for result dataclasses; subclasses are frozen dataclasses too.

    Every result has a short ``repr`` (its first fields, nested results and lists summarised),
    ``_repr_html_`` for notebooks (the HTML renderer's compact page, when the ``html`` extra is
    installed) and ``to_pandas()``/``to_polars()`` (one row per item, see
    :mod:`proxymetric.report.tables`).
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The dataclass decorator runs after this and keeps a __repr__ the class already has:
        # every result gets the short one instead of a dump of every nested field.
        if "__repr__" not in cls.__dict__:  # a class's own repr stays
            cls.__repr__ = Result.__repr__  # type: ignore[method-assign]

    def __repr__(self) -> str:
        fields = dataclasses.fields(self)
        shown = [f"{f.name}={_short(getattr(self, f.name))}" for f in fields[:_REPR_FIELDS]]
        more = len(fields) - _REPR_FIELDS
        if more > 0:
            shown.append(f"... {more} more")
        return f"{type(self).__name__}({', '.join(shown)})"

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a dict of plain values (the documented JSON contract)."""
        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def _repr_html_(self) -> str | None:
        """The compact HTML page of the result (a notebook shows it; ``None`` without jinja2)."""
        try:
            import jinja2  # noqa: F401
            import matplotlib  # noqa: F401
        except ImportError:
            return None
        from proxymetric.report.html import to_html

        return to_html(self, compact=True)

    def to_pandas(self) -> Any:
        """Return the rows of the result as a pandas DataFrame (pandas is imported lazily)."""
        import pandas as pd

        from proxymetric.report.tables import table_rows

        return pd.DataFrame(table_rows(self))

    def to_polars(self) -> Any:
        """Return the rows of the result as a polars DataFrame (polars is imported lazily)."""
        import polars as pl

        from proxymetric.report.tables import table_rows

        return pl.DataFrame(table_rows(self), infer_schema_length=None)

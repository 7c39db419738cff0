"""Reading prediction and truth tables into plain numpy columns (the package's only reader)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from proxymetric.errors import DataError

__all__ = ["Columns", "as_columns", "read_table"]

Columns = dict[str, np.ndarray]

_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")


def read_table(path: str | os.PathLike[str], *, param: str = "path") -> Columns:
    """Return the columns of a CSV (optionally gzipped) or Parquet file as numpy arrays.

    Raises :class:`~proxymetric.errors.DataError` naming ``param`` when the file does not exist
    or its format is not one of ``.csv``, ``.csv.gz``, ``.parquet``, ``.pq``.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(f"`{param}` file not found: '{p}'")
    name = p.name.lower()
    if not name.endswith(_SUFFIXES):
        raise DataError(
            f"`{param}` '{p}' has an unknown format; expected one of {', '.join(_SUFFIXES)}"
        )
    import pandas as pd  # heavy: imported only to read files

    try:
        frame = pd.read_parquet(p) if name.endswith((".parquet", ".pq")) else pd.read_csv(p)
    except (ValueError, OSError) as exc:
        raise DataError(f"`{param}` '{p}' could not be read: {exc}") from exc
    return as_columns(frame, param=param)


def as_columns(obj: Any, *, param: str = "table") -> Columns:
    """Return ``obj`` as a dict of 1-D numpy arrays.

    ``obj`` may be a path, a mapping of column name to array-like, a pandas or polars data frame,
    a pyarrow table, anything with ``to_pyarrow()`` (an Ibis table expression) or with
    ``to_pandas()``.

    >>> sorted(as_columns({"unit": [1, 2], "item": ["a", "b"]}))
    ['item', 'unit']
    """
    if isinstance(obj, str | os.PathLike):
        return read_table(obj, param=param)
    if isinstance(obj, Mapping):
        cols = {str(k): np.asarray(v) for k, v in obj.items()}
    elif type(obj).__module__.startswith(("pandas", "polars")):
        cols = {str(c): np.asarray(obj[c]) for c in obj.columns}
    elif hasattr(obj, "to_pyarrow") or hasattr(obj, "column_names"):
        table = obj.to_pyarrow() if hasattr(obj, "to_pyarrow") else obj  # Ibis, or Arrow
        cols = {str(c): table.column(c).to_numpy() for c in table.column_names}
    elif hasattr(obj, "to_pandas"):
        frame = obj.to_pandas()
        cols = {str(c): np.asarray(frame[c]) for c in frame.columns}
    else:
        raise DataError(
            f"`{param}` must be a file path, a mapping of columns or a data frame; "
            f"got {type(obj).__name__}"
        )
    lengths = {len(v) for v in cols.values() if v.ndim == 1}
    if any(v.ndim != 1 for v in cols.values()) or len(lengths) > 1:
        raise DataError(f"`{param}` columns must be one-dimensional and of equal length")
    return cols

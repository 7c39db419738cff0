"""Reading a table (a file or an in-memory frame) into plain numpy columns.

This is the one place in the pairwise and interleaving packages that touches files; pandas is
imported lazily and only here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from proxymetric.errors import DataError

__all__ = ["Columns", "read_columns", "require_columns"]

Columns = dict[str, npt.NDArray[Any]]


def read_columns(source: Any) -> Columns:
    """Return the columns of ``source`` as a dict of 1-d numpy arrays.

    ``source`` is a path to a CSV (optionally gzip-compressed) or Parquet file, a pandas or polars
    data frame, or a mapping of column name to sequence.
    """
    if isinstance(source, str | Path):
        return _read_file(Path(source))
    if isinstance(source, Mapping):
        cols = {str(k): np.asarray(v) for k, v in source.items()}
    elif hasattr(source, "to_dict") and hasattr(source, "columns"):
        to_pandas = getattr(source, "to_pandas", None)
        frame = to_pandas() if callable(to_pandas) else source
        cols = {str(c): frame[c].to_numpy() for c in frame.columns}
    else:
        raise DataError(
            f"cannot read a table from {type(source).__name__}; pass a CSV or Parquet path, "
            "a data frame or a mapping of column name to values"
        )
    lengths = {len(v) for v in cols.values()}
    if len(lengths) > 1:
        raise DataError(f"columns have different lengths: {sorted(lengths)}")
    return cols


def _read_file(path: Path) -> Columns:
    import pandas as pd

    if not path.exists():
        raise DataError(f"file not found: {path}")
    suffixes = [s.lower() for s in path.suffixes]
    try:
        if ".parquet" in suffixes or ".pq" in suffixes:
            frame = pd.read_parquet(path)
        elif ".csv" in suffixes or ".tsv" in suffixes:
            sep = "\t" if ".tsv" in suffixes else ","
            frame = pd.read_csv(path, sep=sep, dtype_backend="numpy_nullable", keep_default_na=True)
        else:
            raise DataError(
                f"cannot read {path.name!r}: the file must end in .csv, .csv.gz, .tsv or .parquet"
            )
    except (ValueError, OSError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"cannot read {path}: {exc}") from exc
    out: Columns = {}
    for c in frame.columns:
        col = frame[c]
        if col.dtype.kind in "iuf" or str(col.dtype) in {"Int64", "Float64", "boolean"}:
            if col.isna().any():
                out[str(c)] = col.astype("float64").to_numpy(na_value=np.nan)
            elif str(col.dtype) == "boolean":
                out[str(c)] = col.to_numpy(dtype=bool)
            else:
                out[str(c)] = col.to_numpy(dtype="float64" if col.dtype.kind == "f" else "int64")
        else:
            out[str(c)] = col.astype(object).where(col.notna(), None).to_numpy(dtype=object)
    return out


def require_columns(cols: Columns, needed: Sequence[str], what: str) -> None:
    """Raise a :class:`DataError` naming the missing columns and listing those that exist."""
    missing = [c for c in needed if c not in cols]
    if missing:
        listed = ", ".join(cols) or "(none)"
        raise DataError(
            f"the {what} table has no column {', '.join(repr(m) for m in missing)}; "
            f"columns that exist: {listed}"
        )

"""Resolve the sources of a spec to Ibis tables (DuckDB in-process by default).

A source is a CSV or Parquet file (``path``, relative to the spec file), a ``table`` in a
DuckDB file or behind any Ibis connection URL (``connection``), or an in-memory pandas, polars
or pyarrow table passed by name in ``data``. Files and in-memory tables are read by one
in-process DuckDB connection; nothing needs to be installed or started.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from proxymetric._redact import mask_url, redact, remember
from proxymetric._validation import did_you_mean
from proxymetric.data._engine import engine_errors
from proxymetric.data.filters import translate_filter
from proxymetric.errors import DataError
from proxymetric.spec.model import SourceSpec

__all__ = ["SourceResolver"]


def _describe(name: str, source: SourceSpec) -> str:
    where = source.path or (
        f"table {source.table!r}"
        + (f" at {mask_url(source.connection)}" if source.connection else "")
    )
    return f"source {name!r} ({where})"


class SourceResolver:
    """Opens the sources of one spec, sharing connections, and checks their columns."""

    def __init__(self, base_dir: Path, data: Mapping[str, Any] | None = None) -> None:
        self.base_dir = base_dir
        self.data = dict(data or {})
        self._duckdb: Any = None
        self._connections: dict[str, Any] = {}

    @property
    def duckdb(self) -> Any:
        """The shared in-process DuckDB connection."""
        if self._duckdb is None:
            self._duckdb = ibis.duckdb.connect()
        return self._duckdb

    def _duckdb_file(self, url: str) -> Path | None:
        """The database file of a ``duckdb://`` URL, or None for an in-memory database.

        ``duckdb:///warehouse.db`` and ``duckdb://warehouse.db`` name a file relative to the spec
        file; ``duckdb:///abs/path.db`` is absolute when that file exists.
        """
        rest = url.removeprefix("duckdb://").split("?", 1)[0]
        if rest in ("", ":memory:", "/:memory:"):
            return None
        absolute = Path(rest)
        if absolute.is_absolute() and absolute.exists():
            return absolute
        return self.base_dir / rest.lstrip("/")

    def _connect(self, url: str) -> Any:
        remember(url)  # its password is masked in every later message, also of failed queries
        if url not in self._connections:
            if url.startswith("duckdb://"):
                db = self._duckdb_file(url)
                if db is not None and not db.exists():
                    raise DataError(
                        redact(f"DuckDB file not found: {db} (from connection {url!r})", url)
                    )
                with engine_errors(f"cannot open DuckDB database {url!r}", url=url):
                    self._connections[url] = ibis.duckdb.connect(
                        str(db) if db is not None else ":memory:", read_only=db is not None
                    )
            elif url == "pyspark" or url.startswith("pyspark://"):
                with engine_errors(f"cannot start Spark for {url!r}", url=url):
                    self._connections[url] = _spark(url)
            else:
                with engine_errors(f"cannot connect to {url!r}", url=url):
                    self._connections[url] = ibis.connect(url)
        return self._connections[url]

    def table(self, name: str, source: SourceSpec) -> ir.Table:
        """Return the Ibis table of source ``name``, with the source's ``filter`` applied."""
        table = self._open(name, source)
        if source.filter:
            table = table.filter(
                translate_filter(source.filter, table, where=f"filter of source {name!r}")
            )
        return table

    def _open(self, name: str, source: SourceSpec) -> ir.Table:
        if source.path is not None:
            return self._read_file(name, source)
        assert source.table is not None
        if source.connection is None:
            if source.table in self.data or name in self.data:
                obj = self.data.get(source.table, self.data.get(name))
                return self._memtable(name, obj)
            known = sorted(self.data)
            raise DataError(
                f"{_describe(name, source)} names an in-memory table, but `data` has no "
                f"{source.table!r}; tables passed: {', '.join(known) or '(none)'}"
                f"{did_you_mean(source.table, known)}"
            )
        url = source.connection
        con = self._connect(url)
        try:
            # Opened directly: listing the tables of a warehouse costs more than the analysis of
            # a small table, so they are listed only for the message when the table is missing.
            return con.table(source.table)
        except Exception:  # noqa: BLE001 - every engine has its own exception types
            with engine_errors(f"cannot list the tables at {url}", url=url):
                tables = sorted(con.list_tables())
            if source.table in tables:
                with engine_errors(f"cannot open table {source.table!r} at {url}", url=url):
                    return con.table(source.table)
        raise DataError(
            f"table {source.table!r} not found at {mask_url(url)}; tables: "
            f"{', '.join(tables) or '(none)'}{did_you_mean(source.table, tables)}"
        )

    def _memtable(self, name: str, obj: Any) -> ir.Table:
        if isinstance(obj, ir.Table):
            return obj
        if isinstance(obj, pa.Table):
            arrow = obj
        elif hasattr(obj, "__arrow_c_stream__"):  # pandas >= 2.2, polars, other Arrow producers
            with engine_errors(f"cannot read the in-memory table of source {name!r}"):
                arrow = pa.table(obj)
        else:
            raise DataError(
                f"in-memory data for source {name!r} must be a pandas, polars or pyarrow table; "
                f"got {type(obj).__name__}"
            )
        view = f"_pm_{name}"
        with engine_errors(f"cannot load the in-memory table of source {name!r}"):
            # Registered as a view of the Arrow table on the shared connection: no copy.
            self.duckdb.con.register(view, arrow)
            return self.duckdb.table(view)

    def _read_file(self, name: str, source: SourceSpec) -> ir.Table:
        assert source.path is not None
        path = Path(source.path)
        if not path.is_absolute():
            path = self.base_dir / path
        if not path.exists():
            raise DataError(f"data file of source {name!r} not found: {path}")
        fmt = source.format or ("parquet" if ".parquet" in path.suffixes else "csv")
        con = self._connect(source.connection) if source.connection else self.duckdb
        with engine_errors(
            f"cannot read the {fmt} file of source {name!r} ({path})", url=source.connection
        ):
            if fmt == "parquet":
                return con.read_parquet(str(path))
            return con.read_csv(str(path))


def _spark(url: str) -> Any:
    """Connect Ibis to a Spark session: ``pyspark://MASTER`` (``local[*]`` by default).

    An existing session in this process is reused (``getOrCreate``), so tables and views
    registered on it are visible. Timestamps are read in UTC, as DuckDB reads them.
    """
    from pyspark.sql import SparkSession

    master = url.removeprefix("pyspark").removeprefix("://") or "local[*]"
    session = (
        SparkSession.builder.master(master)
        .appName("proxymetric")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    return ibis.pyspark.connect(session)


def check_columns(name: str, source: SourceSpec, table: ir.Table, columns: list[str]) -> None:
    """Raise a :class:`DataError` naming the first column ``table`` does not have."""
    existing = list(table.columns)
    for column in columns:
        if column not in existing:
            raise DataError(
                f"column {column!r} not found in {_describe(name, source)}; columns: "
                f"{', '.join(existing)}{did_you_mean(column, existing)}"
            )

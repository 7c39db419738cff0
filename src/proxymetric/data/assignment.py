"""Hashed assignment in the engine: the SQL twin of :mod:`proxymetric.assignment.hashing`.

The scheme (documented in ``docs/assignment.md``) is the same digit for digit: for each variant
``v`` with weight ``w``, ``u = (int(md5(salt:v:id)[:8], 16) + 0.5) / 2**32`` and the score
``-ln(u) / w``; the unit goes to the variant with the lowest score (the first declared on a
tie). Only functions every engine spells alike are used: ``md5`` of text (a hex string in
DuckDB, Spark and PostgreSQL), a substring, the position of a character in
``'0123456789abcdef'`` (ibis translates it per engine) and ``ln``; the arithmetic is in double
precision, where the 32-bit integers of the hash are exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import sqlglot
from sqlglot import exp

from proxymetric._validation import check_choice, did_you_mean
from proxymetric.data._engine import engine_errors
from proxymetric.errors import DataError

__all__ = [
    "DIALECTS",
    "assignment_expression",
    "assignment_query",
    "assignment_sql",
    "assignment_table",
    "id_table",
    "variant_counts",
    "write_assignment",
]

HEX = "0123456789abcdef"
HEX_DIGITS = 8
SCALE = 2.0**32

#: The dialects the expression is printed for (and tested on): name -> (ibis, sqlglot) names.
DIALECTS: dict[str, tuple[str, str]] = {
    "duckdb": ("duckdb", "duckdb"),
    "postgres": ("postgres", "postgres"),
    "spark": ("pyspark", "spark"),
}


@ibis.udf.scalar.builtin(name="md5")  # type: ignore[untyped-decorator]
def _md5(value: str) -> str:  # type: ignore[empty-body]
    """The engine's ``md5``: the hex digest of the text."""


@ibis.udf.scalar.builtin(name="substr")  # type: ignore[untyped-decorator]
def _substr(value: str, start: int, length: int) -> str:  # type: ignore[empty-body]
    """The engine's ``substr`` (1-based), without ibis' handling of negative starts."""


def _uniform(digest: ir.StringValue) -> ir.FloatingValue:
    """``(int(digest[:8], 16) + 0.5) / 2**32``, accumulated in doubles (exact)."""
    digits = ibis.literal(HEX)
    number: Any = None
    for i in range(HEX_DIGITS):
        digit = digits.find(_substr(digest, i + 1, 1)).cast("float64")
        number = digit if number is None else number * 16.0 + digit
    return (number + 0.5) / SCALE


def _digest(unit: ir.Value, salt: str, variant: str) -> ir.StringValue:
    return _md5(ibis.literal(f"{salt}:{variant}:") + unit.cast("string"))


def _score(digest: ir.StringValue, weight: float) -> ir.FloatingValue:
    return -_uniform(digest).ln() / float(weight)


def _lowest(scores: list[Any], names: list[str]) -> ir.StringValue:
    """The name of the lowest score, the first on a tie (a CASE over the scores)."""
    if len(names) == 1:
        return ibis.literal(names[0])
    cases = []
    for i, name in enumerate(names[:-1]):
        condition = scores[i] <= scores[i + 1]
        for later in scores[i + 2 :]:
            condition = condition & (scores[i] <= later)
        cases.append((condition, name))
    return ibis.cases(*cases, else_=names[-1])


def assignment_expression(
    unit: ir.Value, weights: Mapping[str, float], salt: str
) -> ir.StringValue:
    """Return the variant of ``unit`` (a column of ids) as one Ibis expression.

    ``weights`` are checked shares (see :func:`proxymetric.assignment.check_weights`). The
    expression repeats each variant's hash where it is used; :func:`assignment_table` computes
    each once.
    """
    names = list(weights)
    scores = [_score(_digest(unit, salt, v), weights[v]) for v in names]
    return _lowest(scores, names)


def assignment_sql(
    column: str, weights: Mapping[str, float], salt: str, dialect: str = "duckdb"
) -> str:
    """Return the SQL expression of the variant of ``column`` in ``dialect``.

    The id column is cast to text, so integer ids hash as their decimal digits.
    """
    ibis_name, sqlglot_name = _dialect(dialect)
    # Declared an integer so that the expression casts it to text, which works on text ids too.
    table = ibis.table({column: "int64"}, name="units")
    query = table.select(variant=assignment_expression(table[column], weights, salt))
    tree = sqlglot.parse_one(str(ibis.to_sql(query, dialect=ibis_name)), read=sqlglot_name)
    value = tree.expressions[0].this

    def unqualified(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column):
            return exp.column(node.name, quoted=True)
        return node

    return str(value.transform(unqualified).sql(dialect=sqlglot_name))


def assignment_table(
    table: ir.Table, column: str, weights: Mapping[str, float], salt: str
) -> ir.Table:
    """Return the distinct ids of ``column`` with their ``variant``, computed in the engine.

    Three nested selects: one md5 per unit and variant, then the scores, then the lowest.
    """
    names = list(weights)
    ids = table.select(column).distinct()
    digests = ids.select(
        column, **{f"_pm_d{i}": _digest(ids[column], salt, v) for i, v in enumerate(names)}
    )
    scored = digests.select(
        column,
        **{f"_pm_s{i}": _score(digests[f"_pm_d{i}"], weights[v]) for i, v in enumerate(names)},
    )
    variant = _lowest([scored[f"_pm_s{i}"] for i in range(len(names))], names)
    return scored.select(column, variant=variant)


def assignment_query(
    table: str, column: str, weights: Mapping[str, float], salt: str, dialect: str = "duckdb"
) -> str:
    """Return a query of ``table`` in ``dialect`` that gives each distinct id of ``column``
    its ``variant``, hashing each id once per variant (see :func:`assignment_table`)."""
    ibis_name = _dialect(dialect)[0]
    # Declared an integer so that the query casts it to text, which works on text ids too; a
    # second column keeps the query's DISTINCT on the id column alone.
    other = "_pm_other" if column != "_pm_other" else "_pm_other2"
    unbound = ibis.table({column: "int64", other: "int64"}, name=table)
    return str(ibis.to_sql(assignment_table(unbound, column, weights, salt), dialect=ibis_name))


def _dialect(dialect: str) -> tuple[str, str]:
    check_choice("dialect", dialect, list(DIALECTS))
    ibis_name, sqlglot_name = DIALECTS[dialect]
    if ibis_name == "pyspark":
        _ = ibis.pyspark  # loads the backend, which registers its compiler's options
    return ibis_name, sqlglot_name


def variant_counts(assigned: ir.Table) -> dict[str, int]:
    """Return the number of units per variant of an assignment table (one query)."""
    with engine_errors("cannot count the assignment"):
        frame = assigned.group_by("variant").aggregate(units=assigned.count()).to_pyarrow()
    pairs = zip(frame["variant"].to_pylist(), frame["units"].to_pylist(), strict=True)
    return {str(v): int(n) for v, n in pairs}


def id_table(path: Path, column: str, con: Any = None) -> ir.Table:
    """Return the column ``column`` of a CSV or Parquet file, read by DuckDB.

    Raises a :class:`DataError` for a missing file, a missing column (listing the columns), ids
    that are neither text nor integers, or missing ids.
    """
    if not path.exists():
        raise DataError(f"file of ids not found: {path}")
    con = con if con is not None else ibis.duckdb.connect()
    with engine_errors(f"cannot read the file of ids {str(path)!r}"):
        if ".parquet" in path.suffixes:
            table = con.read_parquet(str(path))
        else:
            table = con.read_csv(str(path))
    return checked_ids(table, column, f"file {str(path)!r}")


def checked_ids(table: ir.Table, column: str, where: str) -> ir.Table:
    """Return ``table`` when ``column`` holds text or integer ids and none is missing."""
    existing = list(table.columns)
    if column not in existing:
        raise DataError(
            f"id column {column!r} not found in {where}; columns: {', '.join(existing)}"
            f"{did_you_mean(column, existing)}"
        )
    dtype = table[column].type()
    if not (dtype.is_string() or dtype.is_integer()):
        raise DataError(
            f"id column {column!r} of {where} must hold text or integers; got {dtype} (ids are "
            "hashed as text, and a float id such as 1.0 has no single spelling)"
        )
    with engine_errors(f"cannot read the id column {column!r} of {where}"):
        missing = int(table.filter(table[column].isnull()).count().to_pyarrow().as_py())
    if missing:
        raise DataError(
            f"id column {column!r} of {where} has {missing} missing ids; fill or drop them"
        )
    return table


def write_assignment(assigned: ir.Table, path: Path) -> int:
    """Write the assignment to ``path`` (Parquet for ``.parquet``, else CSV); return its rows."""
    import pyarrow.csv
    import pyarrow.parquet

    with engine_errors("cannot compute the assignment"):
        arrow = assigned.to_pyarrow()
    if ".parquet" in path.suffixes:
        pyarrow.parquet.write_table(arrow, str(path))
    else:
        pyarrow.csv.write_csv(arrow, str(path))
    return int(arrow.num_rows)

"""The SQL twin of the assignment equals the Python function, id for id, on DuckDB.

Spark and PostgreSQL run the same check in ``tests/data/test_spark.py`` and
``tests/data/test_postgres.py`` (their engines start once per module there). The printed
expression and the printed query are run as text, the way a warehouse would get them.
"""

from __future__ import annotations

import duckdb
import ibis
import pyarrow as pa
import pytest

from proxymetric.assignment import assign
from proxymetric.data.assignment import (
    assignment_expression,
    assignment_query,
    assignment_sql,
    assignment_table,
)
from proxymetric.errors import ProxymetricError

WEIGHTS = {"control": 0.5, "t1": 0.3, "t'2": 0.2}
SALT = "exp:42 it's"


def text_ids(n: int) -> list[str]:
    """Ids of many shapes: plain, unicode, quotes, spaces, empty."""
    special = ["", " ", "ü-名前", "it's", 'a"b', "🙂", "x" * 200, "0", "-1"]
    return special + [f"user-{i}" for i in range(n)]


INT_IDS = [0, 1, -1, 2**31, 2**31 - 1, -(2**63), 2**63 - 1, *range(10_000, 20_000)]


def test_the_printed_expression_equals_python_on_duckdb() -> None:
    ids = text_ids(20_000)
    con = duckdb.connect()
    con.register("units", pa.table({"user": ids}))
    sql = assignment_sql("user", WEIGHTS, SALT, "duckdb")
    rows = con.sql(f'SELECT "user", {sql} AS variant FROM units').fetchall()
    got = dict(rows)
    assert [got[u] for u in ids] == assign(ids, WEIGHTS, SALT)


def test_the_printed_query_equals_python_on_duckdb_for_integer_ids() -> None:
    con = duckdb.connect()
    con.register("accounts", pa.table({"id": pa.array(INT_IDS, pa.int64()), "x": INT_IDS}))
    query = assignment_query("accounts", "id", WEIGHTS, SALT, "duckdb")
    got = dict(con.sql(query).fetchall())
    assert len(got) == len(set(INT_IDS))
    assert [got[u] for u in INT_IDS] == assign(INT_IDS, WEIGHTS, SALT)


def test_the_ibis_table_and_expression_equal_python() -> None:
    ids = text_ids(5000)
    table = ibis.memtable(pa.table({"user": ids}))
    staged = assignment_table(table, "user", WEIGHTS, SALT).to_pyarrow().to_pylist()
    single = table.mutate(variant=assignment_expression(table.user, WEIGHTS, SALT))
    expected = dict(zip(ids, assign(ids, WEIGHTS, SALT), strict=True))
    assert {r["user"]: r["variant"] for r in staged} == expected
    assert {r["user"]: r["variant"] for r in single.to_pyarrow().to_pylist()} == expected


def test_one_variant_takes_every_unit() -> None:
    assert assignment_sql("u", {"only": 1.0}, "s") == "'only'"


def test_an_unknown_dialect_is_named() -> None:
    with pytest.raises(ProxymetricError, match="`dialect` must be one of 'duckdb', 'postgres'"):
        assignment_sql("u", WEIGHTS, SALT, "oracle")


def test_the_engine_s_uniform_numbers_are_python_s_to_the_last_bit() -> None:
    # The variants agree only up to ties of the scores; the numbers behind them must agree
    # exactly (a change of the scheme by less than one bucket would not move a variant).
    from proxymetric.assignment.hashing import uniforms
    from proxymetric.data.assignment import _digest, _uniform

    ids = text_ids(5000)
    table = ibis.memtable(pa.table({"user": ids}))
    query = table.mutate(u=_uniform(_digest(table.user, SALT, "t1")))
    got = {r["user"]: r["u"] for r in query.to_pyarrow().to_pylist()}
    expected = uniforms([i.encode() for i in ids], SALT, "t1")
    assert [got[i] for i in ids] == expected.tolist()


def test_an_exact_tie_goes_to_the_first_declared_variant() -> None:
    from proxymetric.data.assignment import _lowest

    one = ibis.literal(1.0)
    tied = _lowest([ibis.literal(2.0), one, one], ["a", "b", "c"])
    row = ibis.memtable(pa.table({"x": [1]})).select(v=tied).to_pyarrow()
    assert row["v"].to_pylist() == ["b"]

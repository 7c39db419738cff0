"""Filters written as SQL boolean expressions, parsed and checked, never pasted into a query.

Analysts think in SQL, so a metric's filter is written as one (``event = 'purchase' AND
amount > 0``). The text is parsed with sqlglot into a syntax tree, every node is checked
against a short whitelist (columns of the source, literals, comparisons, boolean logic,
``IN``, ``BETWEEN``, ``LIKE``, ``IS NULL``, arithmetic and a few scalar functions), and the tree
is translated into an Ibis expression node by node. No text of the filter ever reaches the
engine, so a spec cannot run arbitrary SQL: a second statement, a subquery, an unknown
function or an unknown column is rejected with a message that says which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir
import sqlglot
from sqlglot import exp

from proxymetric._validation import did_you_mean
from proxymetric.errors import DataError

__all__ = ["check_filter", "translate_filter"]

_COMPARISONS: dict[type[exp.Expr], Callable[[Any, Any], Any]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
    exp.Add: lambda a, b: a + b,
    exp.Sub: lambda a, b: a - b,
    exp.Mul: lambda a, b: a * b,
    exp.Div: lambda a, b: a / b,
    exp.Mod: lambda a, b: a % b,
    exp.And: lambda a, b: a & b,
    exp.Or: lambda a, b: a | b,
}
_FUNCTIONS: dict[type[exp.Expr], Callable[[Any], Any]] = {
    exp.Lower: lambda a: a.lower(),
    exp.Upper: lambda a: a.upper(),
    exp.Abs: lambda a: a.abs(),
    exp.Length: lambda a: a.length(),
}
ALLOWED = (
    "columns of the source, string/number/boolean/NULL literals, = <> != < <= > >=, AND, OR, "
    "NOT, IN (...), BETWEEN, LIKE, IS [NOT] NULL, + - * / %, lower, upper, abs, length, coalesce"
)


class _Translator:
    def __init__(self, table: ir.Table, where: str, text: str) -> None:
        self.table = table
        self.where = where
        self.text = text
        self.columns = list(table.columns)

    def error(self, what: str) -> DataError:
        return DataError(
            f"{self.where}: {what} in filter {self.text!r}; a filter may use only {ALLOWED}"
        )

    def __call__(self, node: exp.Expr) -> Any:
        if isinstance(node, exp.Paren):
            return self(node.this)
        if isinstance(node, exp.Column):
            if node.table:
                raise self.error(f"qualified column {node.sql()!r} is not allowed")
            name = node.name
            if name not in self.columns:
                raise DataError(
                    f"{self.where}: unknown column {name!r} in filter {self.text!r}; columns: "
                    f"{', '.join(self.columns)}{did_you_mean(name, self.columns)}"
                )
            return self.table[name]
        if isinstance(node, exp.Literal):
            if node.is_string:
                return ibis.literal(node.this)
            text = node.this
            return ibis.literal(float(text) if any(c in text for c in ".eE") else int(text))
        if isinstance(node, exp.Boolean):
            return ibis.literal(node.this)
        if isinstance(node, exp.Null):
            return ibis.null()
        if isinstance(node, exp.Neg):
            return -self(node.this)
        if isinstance(node, exp.Not):
            inner = node.this
            return ~self(inner)
        if isinstance(node, exp.Is):
            if not isinstance(node.expression, exp.Null):
                raise self.error("IS may only compare with NULL")
            return self(node.this).isnull()
        if isinstance(node, exp.In):
            if node.args.get("query") is not None or node.args.get("unnest") is not None:
                raise self.error("a subquery")
            values = [self(v) for v in node.expressions]
            if not all(isinstance(v, ir.Scalar) for v in values) or not values:
                raise self.error("IN needs a list of literals")
            return self(node.this).isin(values)
        if isinstance(node, exp.Between):
            return self(node.this).between(self(node.args["low"]), self(node.args["high"]))
        if isinstance(node, exp.Like):
            pattern = node.expression
            if not (isinstance(pattern, exp.Literal) and pattern.is_string):
                raise self.error("LIKE needs a string literal pattern")
            return self(node.this).like(pattern.this)
        if isinstance(node, exp.Coalesce):
            args = [self(node.this), *(self(e) for e in node.expressions)]
            return ibis.coalesce(*args)
        binary = _COMPARISONS.get(type(node))
        if binary is not None:
            return binary(self(node.this), self(node.expression))
        unary = _FUNCTIONS.get(type(node))
        if unary is not None:
            return unary(self(node.this))
        if isinstance(node, exp.Subquery | exp.Select | exp.Exists):
            raise self.error("a subquery")
        if isinstance(node, exp.Anonymous):
            raise self.error(f"the unknown function {node.name!r}")
        if isinstance(node, exp.Func):
            raise self.error(f"the function {node.sql_name().lower()!r}")
        raise self.error(f"{node.key.upper()!r} ({node.sql()!r})")


def _parse(text: str, where: str) -> exp.Expr:
    try:
        statements = sqlglot.parse(text, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        first = str(exc).splitlines()[0]
        raise DataError(f"{where}: cannot parse filter {text!r}: {first}") from None
    found = [s for s in statements if s is not None]
    if len(found) != 1:
        raise DataError(
            f"{where}: a filter must be exactly one SQL expression; {text!r} has "
            f"{len(found)} statements"
        )
    return found[0]


def translate_filter(text: str, table: ir.Table, *, where: str = "filter") -> ir.BooleanValue:
    """Return the Ibis boolean expression of the SQL filter ``text`` over ``table``.

    ``where`` names the filter's owner in error messages (for example ``metric 'revenue'``).

    >>> t = ibis.table({"event": "string", "amount": "float64"}, name="events")
    >>> translate_filter("event = 'purchase' AND amount > 0", t).type()
    Boolean(nullable=True)
    >>> translate_filter("1=1; DROP TABLE events", t)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    proxymetric.errors.DataError: filter: a filter must be exactly one SQL expression; ...statements
    """
    node = _parse(text, where)
    result = _Translator(table, where, text)(node)
    if not isinstance(result, ir.BooleanValue):
        raise DataError(f"{where}: filter {text!r} is not a boolean expression")
    return result


def check_filter(text: str, columns: dict[str, str], *, where: str = "filter") -> None:
    """Raise a :class:`DataError` unless ``text`` is a valid filter over ``columns``.

    ``columns`` maps column names to Ibis type names.
    """
    translate_filter(text, ibis.table(columns, name="_check"), where=where)

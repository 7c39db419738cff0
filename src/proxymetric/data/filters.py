"""Filters written as SQL boolean expressions, parsed and checked, never pasted into a query.

Analysts think in SQL, so a metric's filter is written as one (``event = 'purchase' AND
amount > 0``). The text is parsed with sqlglot into a syntax tree, every node is checked
against a short whitelist (columns of the source, literals, comparisons, boolean logic,
``IN``, ``BETWEEN``, ``LIKE``, ``IS NULL``, arithmetic and a few scalar functions), and the tree
is translated into an Ibis expression node by node. No text of the filter ever reaches the
engine, so a spec cannot run arbitrary SQL: a second statement, a subquery, an unknown
function or an unknown column is rejected with a message that says which.

Types are checked while translating, so ``lower()`` of a number, ``LIKE`` on a number or a
string compared with a number names the operand that does not fit, and integers that do not
fit 64 bits or numbers beyond a float are refused. A filter is bounded before it is parsed
(:data:`MAX_LENGTH` characters, :data:`MAX_PARENTHESES` nested parentheses) and after
(:data:`MAX_DEPTH` nested operations); a chain of ``AND`` or ``OR`` becomes a balanced tree,
so a long list of alternatives stays shallow for the engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir
import sqlglot
from sqlglot import exp
from sqlglot.tokenizer_core import TokenType

from proxymetric._validation import did_you_mean
from proxymetric.data._engine import engine_errors
from proxymetric.errors import DataError

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "MAX_PARENTHESES", "check_filter", "translate_filter"]

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


MAX_LENGTH = 10_000
"""Longest filter accepted, in characters."""

MAX_PARENTHESES = 20
"""Deepest nesting of parentheses accepted."""

MAX_DEPTH = 40
"""Deepest nesting of operations accepted (a chain of ANDs or ORs counts as one level)."""

_INT_LIMIT = 2**63 - 1  # integer literals are 64-bit in every engine
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_SYMBOLS: dict[type[exp.Expr], str] = {
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.Add: "+",
    exp.Sub: "-",
    exp.Mul: "*",
    exp.Div: "/",
    exp.Mod: "%",
    exp.And: "AND",
    exp.Or: "OR",
}
_STRING_FUNCTIONS = (exp.Lower, exp.Upper, exp.Length)


def _show(text: str, limit: int = 80) -> str:
    """Return ``text`` quoted, shortened for messages."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _kind(value: Any) -> str:
    """The family of an Ibis value's type: what a filter may compare with what."""
    t = value.type()
    if t.is_null():
        return "null"
    if t.is_boolean():
        return "boolean"
    if t.is_numeric():
        return "number"
    if t.is_string():
        return "string"
    if t.is_temporal():
        return "time"
    return str(t)


def _depth(root: exp.Expr) -> int:
    """Return the nesting depth of ``root``, iteratively (no recursion on hostile input).

    A chain of the same connective (``a OR b OR c``) is one level, as it is translated into a
    balanced tree; parentheses add no level of their own.
    """
    deepest = 0
    stack: list[tuple[exp.Expr, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.flatten() if isinstance(node, exp.And | exp.Or) else node.iter_expressions()
        step = 0 if isinstance(node, exp.Paren) else 1
        stack.extend(
            (child, depth + step) for child in children if not isinstance(child, exp.Identifier)
        )
    return deepest


class _Translator:
    def __init__(self, table: ir.Table, where: str, text: str) -> None:
        self.table = table
        self.where = where
        self.text = text
        self.columns = list(table.columns)

    def error(self, what: str) -> DataError:
        return DataError(
            f"{self.where}: {what} in filter {_show(self.text)}; a filter may use only {ALLOWED}"
        )

    def type_error(self, what: str, advice: str = "") -> DataError:
        return DataError(
            f"{self.where}: {what} in filter {_show(self.text)}" + (f"; {advice}" if advice else "")
        )

    def describe(self, node: exp.Expr, value: Any) -> str:
        """Name an operand in a message: ``column 'amount' (float64)`` or ``5 (a number)``."""
        node = node.unnest()
        if isinstance(node, exp.Column):
            return f"column {node.name!r} ({value.type()})"
        kind = _kind(value)
        article = "an" if kind[0] in "aeiou" else "a"
        what = f"{article} {kind}" if kind in {"number", "string", "boolean", "time"} else kind
        sql = node.sql()
        return f"{sql if len(sql) <= 40 else sql[:37] + '...'} ({what})"

    def comparable(self, op: str, left: tuple[exp.Expr, Any], right: tuple[exp.Expr, Any]) -> None:
        kinds = {_kind(left[1]), _kind(right[1])}
        if "null" in kinds or len(kinds) == 1 or kinds == {"boolean", "number"}:
            return  # SQL compares true/false with 1/0
        if kinds == {"time", "string"}:
            try:  # Ibis reads the text as a date or time, or refuses it
                left[1] == right[1]  # noqa: B015 - built only to be checked
            except Exception:  # noqa: BLE001 - Ibis has several exception types for this
                raise self.type_error(
                    f"{op} cannot compare {self.describe(*left)} with {self.describe(*right)}",
                    "write a date or time as ISO 8601 text, such as '2024-03-01' or "
                    "'2024-03-01 12:00:00'",
                ) from None
            return
        raise self.type_error(
            f"{op} cannot compare {self.describe(*left)} with {self.describe(*right)}",
            "compare a column with a value of its own type (text in quotes, numbers bare, "
            "true/false, NULL)",
        )

    def need(self, what: str, kinds: tuple[str, ...], node: exp.Expr, value: Any) -> Any:
        if _kind(value) not in (*kinds, "null"):
            raise self.type_error(
                f"{what} needs {' or '.join(kinds)}s; got {self.describe(node, value)}"
            )
        return value

    def __call__(self, node: exp.Expr) -> Any:
        if isinstance(node, exp.Paren):
            return self(node.this)
        if isinstance(node, exp.Column):
            if node.table:
                raise self.error(f"qualified column {node.sql()!r} is not allowed")
            name = node.name
            if name not in self.columns:
                raise DataError(
                    f"{self.where}: unknown column {name!r} in filter {_show(self.text)}; "
                    f"columns: {', '.join(self.columns)}{did_you_mean(name, self.columns)}"
                )
            return self.table[name]
        if isinstance(node, exp.Literal):
            return self.literal(node)
        if isinstance(node, exp.Boolean):
            return ibis.literal(node.this)
        if isinstance(node, exp.Null):
            return ibis.null()
        if isinstance(node, exp.Neg):
            return -self.need("unary '-'", ("number",), node.this, self(node.this))
        if isinstance(node, exp.Not):
            return ~self.need("NOT", ("boolean",), node.this, self(node.this))
        if isinstance(node, exp.And | exp.Or):
            return self.connective(node)
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
            left = self(node.this)
            for v_node, v in zip(node.expressions, values, strict=True):
                self.comparable("IN", (node.this, left), (v_node, v))
            return left.isin(values)
        if isinstance(node, exp.Between):
            left = self(node.this)
            low, high = node.args["low"], node.args["high"]
            bounds = self(low), self(high)
            self.comparable("BETWEEN", (node.this, left), (low, bounds[0]))
            self.comparable("BETWEEN", (node.this, left), (high, bounds[1]))
            return left.between(*bounds)
        if isinstance(node, exp.Like):
            pattern = node.expression
            if not (isinstance(pattern, exp.Literal) and pattern.is_string):
                raise self.error("LIKE needs a string literal pattern")
            return self.need("LIKE", ("string",), node.this, self(node.this)).like(pattern.this)
        if isinstance(node, exp.Coalesce):
            nodes = [node.this, *node.expressions]
            args = [self(n) for n in nodes]
            for n, a in zip(nodes[1:], args[1:], strict=True):
                self.comparable("coalesce()", (nodes[0], args[0]), (n, a))
            return ibis.coalesce(*args)
        binary = _COMPARISONS.get(type(node))
        if binary is not None:
            symbol = repr(_SYMBOLS[type(node)])
            left, right = self(node.this), self(node.expression)
            if isinstance(node, _ARITHMETIC):
                self.need(symbol, ("number",), node.this, left)
                self.need(symbol, ("number",), node.expression, right)
            else:
                self.comparable(symbol, (node.this, left), (node.expression, right))
            return binary(left, right)
        unary = _FUNCTIONS.get(type(node))
        if unary is not None:
            need = ("string",) if isinstance(node, _STRING_FUNCTIONS) else ("number",)
            fname = f"{node.key}()"
            return unary(self.need(fname, need, node.this, self(node.this)))
        if isinstance(node, exp.Subquery | exp.Select | exp.Exists):
            raise self.error("a subquery")
        if isinstance(node, exp.Anonymous):
            raise self.error(f"the unknown function {node.name!r}")
        if isinstance(node, exp.Func):
            raise self.error(f"the function {node.sql_name().lower()!r}")
        raise self.error(f"{node.key.upper()!r} ({_show(node.sql(), 40)})")

    def literal(self, node: exp.Literal) -> Any:
        if node.is_string:
            return ibis.literal(node.this)
        text = node.this
        if any(c in text for c in ".eE"):
            number = float(text)
            if not math.isfinite(number):
                raise self.type_error(
                    f"the number {_show(text, 40)} is out of range",
                    "numbers must be finite, below about 1.8e308 in size",
                )
            return ibis.literal(number)
        digits = text.lstrip("+-").lstrip("0")
        if len(digits) > len(str(_INT_LIMIT)) or abs(int(text)) > _INT_LIMIT:
            raise self.type_error(
                f"the integer {_show(text, 40)} is out of range",
                f"integers must lie within +-{_INT_LIMIT} (write a larger number with an "
                "exponent, such as 1e20)",
            )
        return ibis.literal(int(text))

    def connective(self, node: exp.And | exp.Or) -> Any:
        """Translate a chain ``a AND b AND ...`` into a balanced tree (shallow for engines)."""
        word = "AND" if isinstance(node, exp.And) else "OR"
        combine = _COMPARISONS[type(node)]
        parts = [self.need(word, ("boolean",), n, self(n)) for n in node.flatten()]
        while len(parts) > 1:
            pairs = [parts[i : i + 2] for i in range(0, len(parts), 2)]
            parts = [combine(*p) if len(p) == 2 else p[0] for p in pairs]
        return parts[0]


def _parse(text: str, where: str) -> exp.Expr:
    if len(text) > MAX_LENGTH:
        raise DataError(
            f"{where}: filter {_show(text)} is {len(text):,} characters long; a filter may have "
            f"at most {MAX_LENGTH:,}"
        )
    try:
        depth = deepest = 0
        for token in sqlglot.tokenize(text, read="duckdb"):
            if token.token_type == TokenType.L_PAREN:
                depth += 1
                deepest = max(deepest, depth)
            elif token.token_type == TokenType.R_PAREN:
                depth -= 1
        if deepest > MAX_PARENTHESES:
            raise DataError(
                f"{where}: filter {_show(text)} nests {deepest} levels of parentheses; a filter "
                f"may nest at most {MAX_PARENTHESES}"
            )
        statements = sqlglot.parse(text, read="duckdb")
    except sqlglot.errors.SqlglotError as exc:
        first = str(exc).splitlines()[0]
        raise DataError(f"{where}: cannot parse filter {_show(text)}: {first}") from None
    except RecursionError:
        raise DataError(
            f"{where}: filter {_show(text)} nests too deeply to parse; a filter may nest at most "
            f"{MAX_DEPTH} operations"
        ) from None
    found = [s for s in statements if s is not None]
    if len(found) != 1:
        raise DataError(
            f"{where}: a filter must be exactly one SQL expression; {_show(text)} has "
            f"{len(found)} statements"
        )
    if _depth(found[0]) > MAX_DEPTH:
        raise DataError(
            f"{where}: filter {_show(text)} nests deeper than {MAX_DEPTH} operations; split it "
            "or write a long list of alternatives as IN (...)"
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
    # Every type is checked while translating; the boundary turns whatever Ibis still refuses
    # (its own checks, in its own exception types) into the same one-line error.
    with engine_errors(f"{where}: cannot translate filter {_show(text)}"):
        result = _Translator(table, where, text)(node)
    if not isinstance(result, ir.BooleanValue):
        raise DataError(f"{where}: filter {_show(text)} is not a boolean expression")
    return result


def check_filter(text: str, columns: dict[str, str], *, where: str = "filter") -> None:
    """Raise a :class:`DataError` unless ``text`` is a valid filter over ``columns``.

    ``columns`` maps column names to Ibis type names.
    """
    translate_filter(text, ibis.table(columns, name="_check"), where=where)

"""A small, safe formula language for value-model outcomes, evaluated with numpy.

A formula is parsed with :func:`ast.parse` (parsing only, never executed) and every node is
checked against a short allow-list: numbers, names, ``+ - * / ** %``, unary minus,
comparisons (for ``where``), parentheses and calls of the functions in :data:`FUNCTIONS`.
Anything else (attribute access, subscripts, strings, lambdas, keyword arguments, calls of
anything but a listed function) is rejected with a message that says what is allowed. The
checked tree is compiled into closures over numpy ufuncs, so one evaluation handles every Monte
Carlo draw at once.

>>> f = parse_formula("users * max(lift, 0) * value_per_user - cost")
>>> sorted(f.names)
['cost', 'lift', 'users', 'value_per_user']
>>> f.evaluate({"users": np.array([10.0]), "lift": np.array([-0.1]),
...             "value_per_user": np.array([3.0]), "cost": np.array([5.0])}).tolist()
[-5.0]
"""

from __future__ import annotations

import ast
import dataclasses
import operator
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt

from proxymetric.errors import ProxymetricError

__all__ = ["FUNCTIONS", "MAX_DEPTH", "MAX_LENGTH", "Formula", "parse_formula"]

FloatArray = npt.NDArray[np.float64]
Evaluator = Callable[[Mapping[str, FloatArray]], FloatArray]

MAX_LENGTH = 2000
"""Longest formula accepted, in characters."""

MAX_DEPTH = 40
"""Deepest nesting of operations accepted."""


def _where(cond: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    return np.where(cond != 0, a, b)


def _reduce(ufunc: np.ufunc) -> Callable[..., FloatArray]:
    def apply(*args: FloatArray) -> FloatArray:
        out = args[0]
        for arg in args[1:]:
            out = ufunc(out, arg)
        return out

    return apply


# name -> (function, fewest arguments, most arguments or None for any number)
FUNCTIONS: dict[str, tuple[Callable[..., FloatArray], int, int | None]] = {
    "min": (_reduce(np.minimum), 2, None),
    "max": (_reduce(np.maximum), 2, None),
    "exp": (np.exp, 1, 1),
    "log": (np.log, 1, 1),
    "sqrt": (np.sqrt, 1, 1),
    "abs": (np.abs, 1, 1),
    "where": (_where, 3, 3),
}
"""Functions a formula may call: ``min``/``max`` of two or more values, ``exp``, ``log``
(natural), ``sqrt``, ``abs``, and ``where(condition, if_true, if_false)``."""

_BINARY: dict[type[ast.operator], Callable[[FloatArray, FloatArray], FloatArray]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: np.power,
    ast.Mod: np.mod,
}
_COMPARE: dict[type[ast.cmpop], Callable[[FloatArray, FloatArray], npt.NDArray[np.bool_]]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_ALLOWED = (
    "numbers, input and outcome names, + - * / ** %, comparisons < <= > >= == !=, "
    "parentheses and the functions " + ", ".join(FUNCTIONS)
)


@dataclasses.dataclass(frozen=True)
class Formula:
    """A checked formula: its text, the names it reads, and a vectorised evaluator."""

    text: str
    names: frozenset[str]
    _evaluate: Evaluator = dataclasses.field(repr=False, compare=False)

    def evaluate(self, env: Mapping[str, FloatArray]) -> FloatArray:
        """Return the formula evaluated element-wise over the arrays in ``env``."""
        return self._evaluate(env)


def _show(text: str) -> str:
    """Return ``text`` quoted, shortened to 60 characters for messages."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _fail(text: str, what: str) -> ProxymetricError:
    return ProxymetricError(f"formula {_show(text)}: {what}; a formula may use {_ALLOWED}")


def _depth(tree: ast.AST) -> int:
    """Return the nesting depth of ``tree``, iteratively (no recursion on hostile input)."""
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def parse_formula(text: str) -> Formula:
    """Return the checked, compiled :class:`Formula` for ``text``.

    Raises a :class:`~proxymetric.errors.ProxymetricError` naming the offending construct when
    the formula is not valid, uses anything outside the allow-list, is longer than
    :data:`MAX_LENGTH` characters or nests deeper than :data:`MAX_DEPTH`.

    >>> parse_formula("__import__('os').system('ls')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    proxymetric.errors.ProxymetricError: formula ...: attribute access ('.system') is not allowed...
    """
    if not isinstance(text, str):
        raise ProxymetricError(f"a formula must be text; got {text!r}")
    if len(text) > MAX_LENGTH:
        raise ProxymetricError(
            f"formula is {len(text)} characters long, must be at most {MAX_LENGTH}"
        )
    if not text.strip():
        raise ProxymetricError("formula is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
        reason = getattr(exc, "msg", None) or str(exc).split("\n")[0] or type(exc).__name__
        raise _fail(text, f"is not a valid expression ({reason})") from None
    if _depth(tree) > MAX_DEPTH:
        raise ProxymetricError(f"formula {_show(text)} nests deeper than {MAX_DEPTH} levels")
    names: set[str] = set()
    evaluate = _compile(tree.body, text, names)
    return Formula(text=text, names=frozenset(names), _evaluate=evaluate)


def _integer(value: int) -> np.float64:
    """Return ``value`` as a float, infinite when it is too large for one."""
    try:
        return np.float64(float(value))
    except OverflowError:
        return np.float64(np.inf if value > 0 else -np.inf)


def _compile(node: ast.expr, text: str, names: set[str]) -> Evaluator:
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(text, f"the constant {value!r} is not a number")
        number = np.float64(value) if isinstance(value, float) else _integer(value)
        if not np.isfinite(number):
            literal = ast.get_source_segment(text.strip(), node) or repr(value)
            raise ProxymetricError(
                f"formula {_show(text)}: the number {_show(literal)} is out of range; numbers "
                "must be finite, at most about 1.8e308 in size"
            )
        return lambda _env: number  # type: ignore[return-value]
    if isinstance(node, ast.Name):
        name = node.id
        if name in FUNCTIONS:
            raise _fail(text, f"{name!r} is a function and must be called")
        names.add(name)
        return lambda env: env[name]
    if isinstance(node, ast.BinOp):
        op = _BINARY.get(type(node.op))
        if op is None:
            raise _fail(text, f"the operator {type(node.op).__name__} is not allowed")
        left, right = _compile(node.left, text, names), _compile(node.right, text, names)
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _compile(node.operand, text, names)
        if isinstance(node.op, ast.USub):
            return lambda env: -operand(env)
        return operand
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise _fail(text, "chained comparisons (a < b < c) are not allowed")
        cmp = _COMPARE.get(type(node.ops[0]))
        if cmp is None:
            raise _fail(text, f"the comparison {type(node.ops[0]).__name__} is not allowed")
        left = _compile(node.left, text, names)
        right = _compile(node.comparators[0], text, names)
        return lambda env: cmp(left(env), right(env)).astype(np.float64)
    if isinstance(node, ast.Call):
        return _compile_call(node, text, names)
    if isinstance(node, ast.Attribute):
        raise _fail(text, f"attribute access ('.{node.attr}') is not allowed")
    if isinstance(node, ast.Subscript):
        raise _fail(text, "subscripts ([...]) are not allowed")
    raise _fail(text, f"{type(node).__name__} expressions are not allowed")


def _compile_call(node: ast.Call, text: str, names: set[str]) -> Evaluator:
    # Arguments are checked first, so that a hidden attribute access is reported as such.
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise _fail(text, "starred arguments are not allowed")
    if not isinstance(node.func, ast.Name):
        if isinstance(node.func, ast.Attribute):
            raise _fail(text, f"attribute access ('.{node.func.attr}') is not allowed")
        raise _fail(text, "only the listed functions may be called")
    name = node.func.id
    if name not in FUNCTIONS:
        raise _fail(text, f"unknown function {name!r}")
    if node.keywords:
        raise _fail(text, f"{name}() takes no keyword arguments")
    fn, fewest, most = FUNCTIONS[name]
    count = len(node.args)
    if count < fewest or (most is not None and count > most):
        expected = str(fewest) if most == fewest else f"at least {fewest}"
        raise _fail(text, f"{name}() takes {expected} arguments, got {count}")
    args = [_compile(arg, text, names) for arg in node.args]
    return lambda env: fn(*(arg(env) for arg in args))

"""The formula language: results against numpy, and hostile input rejected with clear messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxymetric.errors import ProxymetricError
from proxymetric.value import parse_formula
from proxymetric.value._formula import MAX_DEPTH, MAX_LENGTH

RNG = np.random.default_rng(5)
ENV = {
    "a": RNG.normal(size=50),
    "b": RNG.uniform(1, 2, size=50),
    "c": RNG.normal(size=50),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a + b * c - 2", ENV["a"] + ENV["b"] * ENV["c"] - 2),
        ("(a + b) / b ** 2", (ENV["a"] + ENV["b"]) / ENV["b"] ** 2),
        ("-a % 3", np.mod(-ENV["a"], 3)),
        ("min(a, c, 0)", np.minimum(np.minimum(ENV["a"], ENV["c"]), 0)),
        ("max(a, c)", np.maximum(ENV["a"], ENV["c"])),
        (
            "exp(a) + log(b) + sqrt(b) + abs(c)",
            np.exp(ENV["a"]) + np.log(ENV["b"]) + np.sqrt(ENV["b"]) + np.abs(ENV["c"]),
        ),
        ("where(a > c, a, c)", np.where(ENV["a"] > ENV["c"], ENV["a"], ENV["c"])),
        ("where(a <= 0, 1, 2) + (a == a) + (a != a)", np.where(ENV["a"] <= 0, 1, 2) + 1.0),
        ("+a >= 0", (ENV["a"] >= 0).astype(float)),
        ("1e3 * 2", np.full(50, 2000.0)),
    ],
)
def test_formulas_match_numpy(text: str, expected: np.ndarray) -> None:
    # Reference: the same expression written directly in numpy.
    value = np.broadcast_to(parse_formula(text).evaluate(ENV), (50,))
    np.testing.assert_allclose(value, expected, rtol=1e-12)


def test_names_are_collected() -> None:
    assert parse_formula("where(x > 0, log(y), z) + x").names == {"x", "y", "z"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "unknown function '__import__'"),
        ("__import__('os').system('ls')", "attribute access ('.system') is not allowed"),
        ("a.__class__", "attribute access ('.__class__') is not allowed"),
        ("().__class__.__bases__[0]", "are not allowed"),
        ("a[0]", "subscripts ([...]) are not allowed"),
        ("lambda: 1", "Lambda expressions are not allowed"),
        ("'text'", "the constant 'text' is not a number"),
        ("True + 1", "the constant True is not a number"),
        ("a if b else c", "IfExp expressions are not allowed"),
        ("[a, b]", "List expressions are not allowed"),
        ("a and b", "BoolOp expressions are not allowed"),
        ("a << 2", "the operator LShift is not allowed"),
        ("a < b < c", "chained comparisons"),
        ("a in b", "the comparison In is not allowed"),
        ("eval('1')", "unknown function 'eval'"),
        ("min(a)", "min() takes at least 2 arguments, got 1"),
        ("log(a, b)", "log() takes 1 arguments, got 2"),
        ("max(*a)", "starred arguments are not allowed"),
        ("exp(x=a)", "exp() takes no keyword arguments"),
        ("log", "'log' is a function and must be called"),
        ("(a + b)(c)", "only the listed functions may be called"),
        ("a +", "is not a valid expression"),
        ("a = 1", "is not a valid expression"),
        ("", "formula is empty"),
        ("f'{a}'", "JoinedStr expressions are not allowed"),
    ],
)
def test_hostile_and_invalid_formulas_are_rejected(text: str, message: str) -> None:
    with pytest.raises(ProxymetricError) as info:
        parse_formula(text)
    assert message in str(info.value)


def test_rejection_lists_what_is_allowed() -> None:
    with pytest.raises(ProxymetricError, match="a formula may use numbers, input and outcome"):
        parse_formula("a.b")


@pytest.mark.parametrize(
    "text",
    [
        "(" * 300 + "a" + ")" * 300,  # deeper than the Python parser allows
        "-" * (MAX_LENGTH - 1) + "a",
        "exp(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1),
        "+".join(["a"] * (MAX_DEPTH + 2)),  # a long left-leaning chain of additions
    ],
)
def test_very_deep_nesting_is_rejected_without_crashing(text: str) -> None:
    with pytest.raises(ProxymetricError, match=r"nests deeper|not a valid expression"):
        parse_formula(text)


def test_very_long_formula_is_rejected() -> None:
    with pytest.raises(ProxymetricError, match=f"must be at most {MAX_LENGTH}"):
        parse_formula("a" * (MAX_LENGTH + 1))


def test_non_text_formula_is_rejected() -> None:
    with pytest.raises(ProxymetricError, match="a formula must be text; got 3"):
        parse_formula(3)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    coefs=st.lists(st.floats(-100, 100), min_size=3, max_size=3),
    const=st.floats(-1e4, 1e4),
)
def test_linear_combinations_equal_numpy(coefs: list[float], const: float) -> None:
    # Invariant: any linear formula evaluates to the numpy linear combination.
    text = f"{coefs[0]!r} * a + {coefs[1]!r} * b - ({coefs[2]!r}) * c + ({const!r})"
    expected = coefs[0] * ENV["a"] + coefs[1] * ENV["b"] - coefs[2] * ENV["c"] + const
    np.testing.assert_allclose(parse_formula(text).evaluate(ENV), expected, rtol=1e-9, atol=1e-9)

"""Formula literals beyond a float, huge exponents and deep nesting give one clear line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.errors import ProxymetricError, SpecError
from proxymetric.value import load_value_model, parse_formula
from proxymetric.value._formula import MAX_DEPTH, MAX_LENGTH

SPEC = """\
value:
  draws: 1000
  inputs:
    x: {dist: uniform, low: 1, high: 2}
  outcomes:
    profit: FORMULA
"""


@pytest.mark.parametrize(
    "literal",
    ["9" * 400, "9" * (MAX_LENGTH - 10), "1e999", "1" + "0" * 309 + ".0", "0x" + "f" * 300],
)
def test_a_number_beyond_a_float_is_refused_when_parsed(literal: str) -> None:
    text = f"x * {literal}"
    with pytest.raises(ProxymetricError) as info:
        parse_formula(text)
    message = str(info.value)
    assert "is out of range; numbers must be finite, at most about 1.8e308 in size" in message
    assert message.startswith("formula 'x * ")
    assert "\n" not in message
    assert len(message) < 300


@pytest.mark.parametrize("literal", ["9" * 308, "1.7e308", "-1.7e308", "1e-400"])
def test_the_largest_numbers_of_a_float_are_accepted(literal: str) -> None:
    value = parse_formula(f"0 * x + {literal}").evaluate({"x": np.zeros(1)})
    assert value.tolist() == [float(literal)]


def test_a_literal_beyond_a_float_in_a_spec_is_located(tmp_path: Path) -> None:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(SPEC.replace("FORMULA", "x * " + "9" * 400))
    with pytest.raises(SpecError) as info:
        load_value_model(path)
    assert info.value.line == 6
    assert "outcome `profit`: formula 'x * 999" in str(info.value)
    result = CliRunner().invoke(app, ["value", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {path}:6: outcome `profit`: formula")


@pytest.mark.parametrize(
    "formula", ["x ** 10 ** 400", "10.0 ** 400 * x", "x ** 1e10", "exp(1000 * x)"]
)
def test_an_overflowing_exponent_is_one_line_naming_the_outcome(
    tmp_path: Path, formula: str
) -> None:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(SPEC.replace("FORMULA", formula))
    model, spec = load_value_model(path)
    with pytest.raises(
        ProxymetricError, match=r"outcome `profit` .* is not a finite number in 1000 of 1000"
    ):
        model.analyze(draws=spec.draws, seed=spec.seed)
    result = CliRunner().invoke(app, ["value", str(path)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "formula",
    [
        "(" * 150 + "x" + ")" * 150,  # parentheses add no level
        # the tree: the expression, MAX_DEPTH - 3 calls, the name and its context
        "exp(" * (MAX_DEPTH - 3) + "x" + ")" * (MAX_DEPTH - 3),
    ],
)
def test_nesting_within_the_bound_evaluates(formula: str) -> None:
    assert parse_formula(formula).names == {"x"}


@pytest.mark.parametrize(
    "formula",
    [
        "(" * 250 + "x" + ")" * 250,
        "exp(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH,
        "-" * 1500 + "x",
        "x" + " + 1" * 100,
    ],
)
def test_nesting_beyond_the_bound_in_a_spec_is_one_located_line(
    tmp_path: Path, formula: str
) -> None:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(SPEC.replace("FORMULA", formula))
    with pytest.raises(SpecError, match=r"nests deeper than|not a valid expression") as info:
        load_value_model(path)
    assert info.value.line == 6
    assert "\n" not in str(info.value)


def test_the_spec_template_loads_with_a_valid_formula(tmp_path: Path) -> None:
    # the cases above differ from this valid value section only in the formula
    path = tmp_path / "proxymetric.yaml"
    path.write_text(SPEC.replace("FORMULA", "x * 1e100"))
    model, spec = load_value_model(path)
    result = model.analyze(draws=spec.draws, seed=spec.seed)
    # x ~ Uniform(1, 2): mean 1.5, sd 0.289, so 1,000 draws give a relative se of 0.6%; 3% is 5 se
    assert result.summary("model", "profit").mean == pytest.approx(1.5e100, rel=0.03)

"""The value guide: its Python examples are doctested and its shell example runs."""

from __future__ import annotations

import doctest
import json
import shlex
from pathlib import Path

import yaml
from typer.testing import CliRunner

from proxymetric.cli import app

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "value.md"


def test_python_examples() -> None:
    # The numbers in the guide are closed forms of its small model (see the comments there).
    failures, tried = doctest.testfile(
        str(GUIDE), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert tried >= 8
    assert failures == 0


def test_shell_example_runs() -> None:
    block = GUIDE.read_text(encoding="utf-8").split("```shell")[1].split("```")[0]
    (command,) = [shlex.split(line) for line in block.strip().splitlines()]
    assert command[0] == "proxymetric"
    args = [str(ROOT / a) if a.startswith("examples/") else a for a in command[1:]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["draws"] == 20_000
    assert data["recommendation"]["best_expected"] == "ml_recommender"
    assert data["recommendation"]["best_within_risk_limit"] == "bestsellers"


def test_yaml_in_the_guide_is_the_example_without_comments() -> None:
    block = GUIDE.read_text(encoding="utf-8").split("```yaml")[1].split("```")[0]
    guide = yaml.safe_load(block)["value"]
    example = yaml.safe_load(
        (ROOT / "examples" / "recommender" / "proxymetric.yaml").read_text(encoding="utf-8")
    )["value"]

    def strip(node: object) -> object:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "about"}
        return node

    assert strip(guide) == strip(example)

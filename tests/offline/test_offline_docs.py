"""The offline guide: its Python examples are doctested and its shell example runs."""

from __future__ import annotations

import doctest
import json
import runpy
import shlex
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "offline.md"


def test_python_examples() -> None:
    failures, tried = doctest.testfile(
        str(GUIDE), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert tried > 5
    assert failures == 0


def _shell_commands() -> list[list[str]]:
    block = GUIDE.read_text().split("```shell")[1].split("```")[0]
    return [shlex.split(line) for line in block.strip().splitlines()]


@pytest.mark.slow
def test_shell_example(tmp_path: Path) -> None:
    script, cli = _shell_commands()
    assert script[:2] == ["python", "examples/movielens/run.py"]
    namespace: dict[str, Any] = runpy.run_path(str(ROOT / script[1]))
    namespace["run"](out=tmp_path, n_bootstrap=0)
    assert cli[0] == "proxymetric"
    args = [a.replace("/tmp/ml", str(tmp_path)) for a in cli[1:]]
    result = CliRunner().invoke(app, [*args, "--bootstrap", "100"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["models"]["bias"]["rmse"]["value"] == pytest.approx(0.902, abs=5e-4)
    assert data["n_units_without_relevant"] == 18
    ndcg = next(
        c for c in data["comparisons"] if c["model"] == "most_popular" and c["metric"] == "ndcg@10"
    )
    assert ndcg["difference"] == pytest.approx(0.0226, abs=5e-5)

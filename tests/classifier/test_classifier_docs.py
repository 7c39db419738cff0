"""The classifier guide: its shell examples run (its Python examples are doctested by pytest)."""

from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from proxymetric.cli import app

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "classifier.md"


def _commands() -> list[list[str]]:
    block = GUIDE.read_text().split("```shell")[1].split("```")[0]
    return [shlex.split(line)[1:] for line in block.strip().splitlines()]


def test_the_shell_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    y = rng.random(500) < 0.2
    s = 1 / (1 + np.exp(-rng.normal(1.5 * y - 1, 1)))
    lines = ["score,label", *(f"{a:.4f},{int(b)}" for a, b in zip(s, y, strict=True))]
    (tmp_path / "scored.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    commands = _commands()
    assert len(commands) == 2
    for args in commands:
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
    assert "ROC-AUC" in (tmp_path / "report.md").read_text()

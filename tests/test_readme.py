"""The README's demo output is what ``make demo`` prints (the README quotes the command's output,
not a memory of it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _demo_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"## What `make demo` shows\n\n```text\n(.*?)```", text, flags=re.DOTALL)
    assert match, "the README has no demo block"
    return match.group(1).rstrip("\n").splitlines()


def test_the_readme_shows_what_make_demo_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["analyze", "examples/cookie-cats/proxymetric.yaml"])
    assert result.exit_code == 0, result.output
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    quoted = [line.rstrip() for line in _demo_block()]
    assert quoted == printed[: len(quoted)]

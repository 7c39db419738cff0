"""The check guide: its Python example is doctested and its shell examples run."""

from __future__ import annotations

import doctest
import json
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from proxymetric.check import check_spec
from proxymetric.cli import app

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "check.md"


def _shell_blocks() -> list[list[str]]:
    text = GUIDE.read_text(encoding="utf-8")
    blocks = [b.split("```")[0].strip() for b in text.split("```shell")[1:]]
    return [shlex.split(b) for b in blocks]


def test_python_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    failures, tried = doctest.testfile(
        str(GUIDE), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert tried >= 6
    assert failures == 0


def test_shell_examples_run(tmp_path: Path) -> None:
    init, check = _shell_blocks()
    assert init[:2] == ["proxymetric", "init"]
    out = tmp_path / "proxymetric.yaml"
    args = [str(out) if a == "proxymetric.yaml" else a for a in init[1:]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    spec = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert spec["request"] == "I need a RAG system for our headquarters."
    assert check_spec(out).failures() == ("project.value_model", "project.ethics_review")

    assert check[:2] == ["proxymetric", "check"]
    args = [str(ROOT / a) if a.startswith("examples/") else a for a in check[1:]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["passed"] is False


def test_text_blocks_quote_the_scorecard() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    card = check_spec(ROOT / "examples" / "rag-headquarters" / "proxymetric.yaml")
    for metric in ("search_hours", "answer_preference"):
        c = card.row(metric).cell("sensitive")
        assert f"{metric}  sensitive  {c.status}  {c.reason}" in text


def test_spec_guide_checklist_keys_validate() -> None:
    from proxymetric.spec.model import (
        DurationSpec,
        EthicsReviewSpec,
        EvaluationSpec,
        ExperimentSpec,
        MetricSpec,
    )

    text = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
    section = text.split("## Checklist keys")[1]
    block = yaml.safe_load(section.split("```yaml")[1].split("```")[0])
    MetricSpec.model_validate(block["metrics"]["conversion"])
    EvaluationSpec.model_validate(block["evaluations"]["answer_preference"])
    ExperimentSpec.model_validate(block["experiments"]["pilot"])
    DurationSpec.model_validate(block["duration"])
    EthicsReviewSpec.model_validate(block["ethics_review"])

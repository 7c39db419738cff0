"""`proxymetric check SPEC`: exit 1 on a failing check, 0 otherwise, 2 on a user error."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from proxymetric.check import PROPERTIES
from proxymetric.cli import app

RUNNER = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_passing_example_exits_0_with_a_table() -> None:
    result = RUNNER.invoke(app, ["check", str(EXAMPLES / "recommender" / "proxymetric.yaml")])
    assert result.exit_code == 0, result.output
    assert "Good-metric checklist" in result.output
    assert "PASS:" in result.output
    for title in ("money", "oracle", "attributable", "cheap & fast", "sensitive", "balanced"):
        assert title in result.output


def test_failing_example_exits_1_and_json_is_the_contract() -> None:
    spec = EXAMPLES / "rag-headquarters" / "proxymetric.yaml"
    result = RUNNER.invoke(app, ["check", str(spec), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {
        "spec",
        "properties",
        "rows",
        "project",
        "n_pass",
        "n_warn",
        "n_fail",
        "passed",
    }
    assert data["properties"] == list(PROPERTIES)
    assert data["passed"] is False
    row = next(r for r in data["rows"] if r["metric"] == "search_hours")
    assert set(row) == {"metric", "role", "measured_by", "cells"}
    assert row["measured_by"] == "experiment:assistant-ab"
    sensitive = next(c for c in row["cells"] if c["property"] == "sensitive")
    assert set(sensitive) == {"property", "status", "reason", "value", "value_name", "advice"}
    assert sensitive["status"] == "fail"
    assert sensitive["value_name"] == "rel_mde"
    offline = next(r for r in data["rows"] if r["metric"] == "retrieval_recall_at_5")
    na = next(c for c in offline["cells"] if c["property"] == "sensitive")
    assert na["status"] == "n/a"
    assert na["value"] is None  # no number: null, not NaN


def test_markdown_output() -> None:
    spec = EXAMPLES / "ads-load" / "proxymetric.yaml"
    result = RUNNER.invoke(app, ["check", str(spec), "--format", "markdown"])
    assert result.exit_code == 1
    assert "| retention_7 | guardrail |" in result.stdout
    assert "| project check | status | reason |" in result.stdout
    assert "**FAIL: " in result.stdout


def test_user_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    missing = RUNNER.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2
    assert "nope.yaml" in missing.output
    assert "Traceback" not in missing.output

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump({"goal": "x", "evaluations": {"pref": {"kind": "blind", "role": "proxy"}}}),
        encoding="utf-8",
    )
    result = RUNNER.invoke(app, ["check", str(bad)])
    assert result.exit_code == 2
    assert "`evaluations.pref.kind`" in result.output
    assert "'blind'" in result.output
    assert len(result.output.strip().splitlines()) == 1

    spec = EXAMPLES / "recommender" / "proxymetric.yaml"
    result = RUNNER.invoke(app, ["check", str(spec), "--registry", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "`registry`" in result.output
    assert "does not exist" in result.output

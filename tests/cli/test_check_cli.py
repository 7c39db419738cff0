"""`proxymetric check SPEC`: exit 1 on a failing check, 0 otherwise, 2 on a user error."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
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
        "schema_version",
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


def test_registry_validates_a_proxy_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 30 past experiments where the proxy's effect is 0.8 x the north star's plus noise of
    # sd 0.1: a correlation near 0.99, far above the 0.5 threshold.
    rng = np.random.default_rng(11)
    ns = rng.normal(0.0, 1.0, 30)
    proxy = 0.8 * ns + rng.normal(0.0, 0.1, 30)
    lines = ["experiment,metric,effect,effect_se,control_units,treatment_units"]
    for k in range(30):
        lines.append(f"e{k},margin,{ns[k]},0.01,5000,5000")
        lines.append(f"e{k},conversion,{proxy[k]},0.01,5000,5000")
    csv = tmp_path / "past.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "registry.db"
    imported = RUNNER.invoke(app, ["registry", "import", str(csv), "--registry", str(db)])
    assert imported.exit_code == 0, imported.output

    spec = yaml.safe_load((EXAMPLES / "recommender" / "proxymetric.yaml").read_text("utf-8"))
    spec["north_star"] = "margin"  # the name the registry knows
    spec["metrics"]["margin"] = spec["metrics"].pop("gross_margin")
    spec["experiments"]["pilot"]["secondary"] = ["margin"]
    path = tmp_path / "proxymetric.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = RUNNER.invoke(app, ["check", str(path), "--registry", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    row = next(r for r in data["rows"] if r["metric"] == "conversion")
    cell = next(c for c in row["cells"] if c["property"] == "validated")
    assert cell["status"] == "pass"
    # Reference: numpy's sample correlation of the effects (their noise, se 0.01, is 1% of
    # their spread, so the noise correction moves it by about 1e-4).
    assert cell["value"] == pytest.approx(np.corrcoef(ns, proxy)[0, 1], abs=2e-3)

    # Without --registry, check reads the default registry (proxymetric.db in the current
    # folder) when it exists, as analyze does; without one the proxy stays unvalidated.
    monkeypatch.chdir(tmp_path)
    alone = RUNNER.invoke(app, ["check", str(path), "--format", "json"])
    row = next(r for r in json.loads(alone.stdout)["rows"] if r["metric"] == "conversion")
    assert next(c for c in row["cells"] if c["property"] == "validated")["status"] == "warn"
    db.rename(tmp_path / "proxymetric.db")
    default = RUNNER.invoke(app, ["check", str(path), "--format", "json"])
    assert default.exit_code == 0, default.output
    assert json.loads(default.stdout) == data

"""The analyze command through typer's CLI runner: formats, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app

runner = CliRunner()


def test_table_output(cookie_cats_spec: Path) -> None:
    result = runner.invoke(app, ["analyze", str(cookie_cats_spec)])
    assert result.exit_code == 0, result.output
    assert "retention_7" in result.output
    assert "ROLLBACK" in result.output
    assert "SRM check passed" in result.output


def test_json_output_is_the_contract(cookie_cats_spec: Path) -> None:
    result = runner.invoke(app, ["analyze", str(cookie_cats_spec), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["experiment"] == "gate-40"
    assert data["decision"]["verdict"] == "rollback"
    assert data["units"] == {"gate_30": 44700, "gate_40": 45489}
    assert [r["role"] for r in data["results"]] == ["primary", "guardrail", "secondary"]


def test_markdown_output(cookie_cats_spec: Path) -> None:
    result = runner.invoke(app, ["analyze", str(cookie_cats_spec), "-f", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("## Experiment `gate-40`")
    assert "**Decision: ROLLBACK**" in result.output


def _spec_with(tmp_path: Path, root: Path, old: str, new: str) -> Path:
    text = (root / "examples" / "cookie-cats" / "proxymetric.yaml").read_text()
    assert old in text
    (tmp_path / "cookie_cats.csv.gz").write_bytes(
        (root / "examples" / "cookie-cats" / "cookie_cats.csv.gz").read_bytes()
    )
    path = tmp_path / "proxymetric.yaml"
    path.write_text(text.replace(old, new))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "primary: retention_7",
            "primary: retention_8",
            "metric 'retention_8' in experiment 'gate-40' is not defined",
        ),
        (
            "path: cookie_cats.csv.gz",
            "path: missing.csv",
            "data file of source 'players' not found",
        ),
        (
            "column: sum_gamerounds",
            "column: rounds_played",
            "column 'rounds_played' not found in source 'players'",
        ),
        (
            "split: {gate_30: 0.5, gate_40: 0.5}",
            "variants: [gate_30, gate_40, gate_50]",
            "variant(s) 'gate_50' of experiment 'gate-40' have no units",
        ),
        ("    control: gate_30", "    control: [gate_30", "invalid YAML"),
    ],
)
def test_user_errors_exit_2_with_one_message(
    tmp_path: Path, root: Path, old: str, new: str, message: str
) -> None:
    spec = _spec_with(tmp_path, root, old, new)
    result = runner.invoke(app, ["analyze", str(spec)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_missing_spec_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "spec file not found" in result.output


def test_unknown_experiment(cookie_cats_spec: Path) -> None:
    result = runner.invoke(app, ["analyze", str(cookie_cats_spec), "--experiment", "gate-41"])
    assert result.exit_code == 2
    assert "`experiment` 'gate-41' is not defined; defined experiments: gate-40" in result.output


def test_every_command_has_help() -> None:
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    paths: list[list[str]] = [[c.name or ""] for c in app.registered_commands]
    for group in app.registered_groups:
        assert group.typer_instance is not None
        name = group.name or group.typer_instance.info.name
        assert isinstance(name, str)
        paths.append([name])
        paths += [[name, c.name or ""] for c in group.typer_instance.registered_commands]
    assert len(paths) > 15
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage" in result.output, path


def test_python_dash_m(cookie_cats_spec: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "proxymetric", "analyze", str(cookie_cats_spec), "-f", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["decision"]["verdict"] == "rollback"

"""``proxymetric proxies`` through typer's CLI runner, on the bundled ASOS data set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, root: Path) -> str:
    path = str(tmp_path_factory.mktemp("proxies") / "r.db")
    asos = str(root / "examples" / "data" / "asos" / "asos_digital_experiments.csv.gz")
    result = runner.invoke(app, ["registry", "import", asos, "--source", "asos", "-r", path])
    assert result.exit_code == 0, result.output
    return path


def test_json_is_the_report(db: str) -> None:
    result = runner.invoke(app, ["proxies", "-r", db, "-n", "metric_4", "-f", "json"])
    assert result.exit_code == 0, result.output
    rep = json.loads(result.output)
    assert rep["north_star"] == "metric_4"
    assert rep["n_experiments"] == 94  # 99 comparisons, 5 with a missing variance
    assert rep["noise_covariance"] == "assumed"
    assert {r["metric"] for r in rep["rows"]} == {
        "metric_1",
        "metric_2",
        "metric_3",
        "metric_4",
        "composite",
    }
    assert sum(rep["composite_weights"].values()) == pytest.approx(1.0)
    assert any("assumed for 94 of 94" in w for w in rep["warnings"])


def test_table_and_markdown(db: str) -> None:
    table = runner.invoke(app, ["proxies", "-r", db, "-n", "metric_4", "-p", "metric_1"])
    assert table.exit_code == 0, table.output
    assert "Proxies for metric_4" in table.output
    assert "Recommendation" in table.output
    md = runner.invoke(
        app, ["proxies", "-r", db, "-n", "metric_4", "-f", "markdown", "--noise-correlation", "0.5"]
    )
    assert md.output.startswith("## Proxies for metric_4")
    assert "| rank | decision metric |" in md.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "revenue"], "`north_star` 'revenue' is not defined; defined metrics: metric_1"),
        (["-n", "metric_4", "-p", "metric_5"], "`proxies` 'metric_5' is not defined"),
        (["-n", "metric_4", "--noise-correlation", "2"], "`assumed_noise_correlation` == 2.0"),
        (["-n", "metric_4", "--units", "0"], "`units` == 0.0, must be > 0"),
    ],
)
def test_errors(db: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["proxies", "-r", db, *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_empty_registry(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    (tmp_path / "r.db").touch()  # an empty database: a failed import no longer creates one
    result = runner.invoke(app, ["proxies", "-r", db, "-n", "x"])
    assert result.exit_code == 2
    assert "holds no experiment results" in result.output


def test_every_command_of_the_guide_runs(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shell examples of docs/proxies.md, from the root, with a temporary registry."""
    import shlex

    monkeypatch.chdir(root)
    db = str(tmp_path / "r.db")
    lines = (root / "docs" / "proxies.md").read_text(encoding="utf-8").splitlines()
    commands = [
        [db if a == "REGISTRY" else a for a in shlex.split(x[len("$ proxymetric ") :])]
        for x in lines
        if x.startswith("$ proxymetric ")
    ]
    assert len(commands) == 3
    outputs = []
    for command in commands:
        res = runner.invoke(app, command)
        assert res.exit_code == 0, (command, res.output)
        outputs.append(res.output)
    assert "use the composite 0.72 x metric_1 + 0.23 x metric_2" in outputs[1]
    assert json.loads(outputs[2])["assumed_noise_correlation"] == 0.5

"""The analyze command through typer's CLI runner: formats, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
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
    # The commands are registered on first use, so walk the built command tree.
    root = typer.main.get_command(app)
    paths: list[list[str]] = []
    for name, command in getattr(root, "commands", {}).items():
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command, "commands", {})]
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


# A small experiment with three success metrics whose raw p-values (about 5e-7, 0.31 and 0.16
# with this seed) make Holm and Benjamini-Hochberg differ, and a guardrail.
SPEC = """
sources:
  units: {path: units.csv, unit: unit, variant: variant}
metrics:
  m1: {type: mean, source: units, column: m1}
  m2: {type: mean, source: units, column: m2}
  m3: {type: mean, source: units, column: m3}
  g: {type: proportion, source: units, column: g}
experiments:
  exp:
    control: a
    primary: m1
    guardrails: [{metric: g, margin: 0.05}]
    secondary: [m2, m3]
"""


@pytest.fixture
def levels_spec(tmp_path: Path) -> Path:
    import numpy as np

    rng = np.random.default_rng(5)
    n = 600
    treated = np.arange(2 * n) >= n
    lines = ["unit,variant,m1,m2,m3,g"]
    m1 = rng.normal(0, 1, 2 * n) + 0.17 * treated
    m2 = rng.normal(0, 1, 2 * n) + 0.125 * treated
    m3 = rng.normal(0, 1, 2 * n) + 0.12 * treated
    g = rng.random(2 * n) < 0.5
    for i in range(2 * n):
        variant = "b" if treated[i] else "a"
        lines.append(f"u{i},{variant},{m1[i]:.6f},{m2[i]:.6f},{m3[i]:.6f},{int(g[i])}")
    (tmp_path / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "proxymetric.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _json(args: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize(("alpha", "correction"), [("0.1", "bh"), ("0.01", "none"), (None, "bh")])
def test_alpha_and_correction_equal_a_spec_with_them_written_in(
    levels_spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, alpha: str | None,
    correction: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path.parent)  # the spec's data is found beside the spec, not here
    flags = ["--correction", correction] + ([] if alpha is None else ["--alpha", alpha])
    overridden = _json(["analyze", str(levels_spec), *flags])
    written = tmp_path / "written" / "proxymetric.yaml"
    written.parent.mkdir()
    (written.parent / "units.csv").write_bytes((tmp_path / "units.csv").read_bytes())
    settings = f"    correction: {correction}\n" + (
        "" if alpha is None else f"    alpha: {alpha}\n"
    )
    written.write_text(SPEC + settings, encoding="utf-8")
    assert overridden == _json(["analyze", str(written)])
    default = _json(["analyze", str(levels_spec)])
    assert overridden["correction"] == correction != default["correction"]
    assert overridden["alpha"] == (0.05 if alpha is None else float(alpha))


def test_the_corrections_differ_on_this_data(levels_spec: Path) -> None:
    # The reference: statsmodels' multipletests on the raw p-values of the success metrics.
    from statsmodels.stats.multitest import multipletests

    results: dict[str, list[float]] = {}
    for correction in ("holm", "bh", "none"):
        data = _json(["analyze", str(levels_spec), "--correction", correction])
        rows = [r for r in data["results"] if r["role"] != "guardrail"]
        raw = [r["pvalue"] for r in rows]
        results[correction] = [r["pvalue_adjusted"] for r in rows]
    assert results["holm"] == pytest.approx(multipletests(raw, method="holm")[1], rel=1e-12)
    assert results["bh"] == pytest.approx(multipletests(raw, method="fdr_bh")[1], rel=1e-12)
    assert results["none"] == pytest.approx(raw, rel=1e-12)
    assert results["holm"] != pytest.approx(results["bh"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alpha", "0.7"], "`alpha` == 0.7, must be < 0.5"),
        (["--alpha", "0"], "`alpha` == 0.0, must be > 0"),
        (["--alpha", "0.1", "-e", "other"], "`experiment` 'other' is not defined"),
    ],
)
def test_bad_levels_are_one_error_line(levels_spec: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["analyze", str(levels_spec), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_command_of_the_guide_runs(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shell examples of docs/analyze.md, from the root (the report goes to tmp_path)."""
    import shlex

    monkeypatch.chdir(root)
    lines = (root / "docs" / "analyze.md").read_text(encoding="utf-8").splitlines()
    commands = [shlex.split(x[len("$ proxymetric ") :]) for x in lines if x.startswith("$ ")]
    assert len(commands) == 4
    report = tmp_path / "report.md"
    for command in commands:
        res = runner.invoke(app, [str(report) if a == "report.md" else a for a in command])
        assert res.exit_code == 0, (command, res.output)
    assert report.read_text(encoding="utf-8").startswith("## Experiment `gate-40`")
    assert "[99% CI]" in res.stdout  # the last example: --alpha 0.01 --correction bh
    assert "Benjamini-Hochberg correction" in res.stdout


def _quantile_project(tmp_path: Path) -> Path:
    import numpy as np

    rng = np.random.default_rng(4)
    lines = ["user,variant,latency,clicks"]
    for i in range(400):
        arm = "control" if i % 2 else "treatment"
        lines.append(f"{i},{arm},{rng.lognormal(0, 1):.6f},{rng.poisson(2)}")
    (tmp_path / "u.csv").write_text("\n".join(lines) + "\n")
    spec = tmp_path / "proxymetric.yaml"
    spec.write_text(
        "sources:\n  u: {path: u.csv, unit: user, variant: variant}\n"
        "metrics:\n  clicks: {type: mean, source: u, column: clicks}\n"
        "  p95: {type: quantile, q: 0.95, source: u, column: latency, direction: decrease}\n"
        "experiments:\n  e:\n    control: control\n    primary: clicks\n"
        "    guardrails: [{metric: p95, margin: 0.05}]\n"
    )
    return spec


def test_quantile_metric_in_analyze_and_refused_by_sequential_and_plan(tmp_path: Path) -> None:
    spec = str(_quantile_project(tmp_path))
    shown = runner.invoke(app, ["analyze", spec, "--format", "json"])
    assert shown.exit_code == 0, shown.output
    row = next(r for r in json.loads(shown.output)["results"] if r["metric"] == "p95")
    assert row["metric_type"] == "quantile"
    assert row["quantile"] == 0.95
    for args, message in (
        (["analyze", spec, "--sequential"], "error: sequential analysis tests means"),
        (["plan", spec], "error: `plan` sizes tests of means"),
    ):
        refused = runner.invoke(app, args)
        assert refused.exit_code == 2, refused.output
        lines = refused.output.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith(message)
    checked = runner.invoke(app, ["check", spec])
    assert checked.exception is None or isinstance(checked.exception, SystemExit)
    assert "Traceback" not in checked.output

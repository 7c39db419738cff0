"""``proxymetric plan`` and ``analyze --sequential`` end to end through the CLI runner.

Every ``$ proxymetric`` example of docs/plan.md and docs/sequential.md runs here (on the bundled Cookie Cats data and
on the generated checkout event log); the JSON output is checked against the library, whose
numbers are checked against pandas and statsmodels in tests/design/test_plan.py.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from proxymetric.analysis.sequential import analyze_sequential
from proxymetric.cli import app
from proxymetric.design import plan

ROOT = Path(__file__).resolve().parents[2]
GUIDES = (ROOT / "docs" / "plan.md", ROOT / "docs" / "sequential.md")
COOKIE = ROOT / "examples" / "cookie-cats" / "proxymetric.yaml"
CHECKOUT = ROOT / "examples" / "checkout-events" / "proxymetric.yaml"
ASOS = ROOT / "examples" / "data" / "asos" / "asos_digital_experiments.csv.gz"
runner = CliRunner()


def _examples() -> list[tuple[str, list[str], bool]]:
    """Return (command, expected lines, whether the block is the whole output) per example;
    docs/plan.md quotes whole outputs, docs/sequential.md excerpts."""
    out: list[tuple[str, list[str], bool]] = []
    for guide in GUIDES:
        for block in re.findall(r"```console\n(.*?)```", guide.read_text(), flags=re.DOTALL):
            for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
                command, *expected = chunk.rstrip("\n").split("\n")
                out.append((command, expected, guide.name == "plan.md"))
    return out


@pytest.mark.parametrize(("command", "expected", "whole"), _examples())
def test_documented_examples(
    command: str, expected: list[str], whole: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    args = shlex.split(command)
    assert args[0] == "proxymetric"
    result = runner.invoke(app, args[1:])
    if expected and expected[0].startswith("error:"):
        assert result.exit_code == 2
        assert result.stderr.strip() == expected[0]
        assert "Traceback" not in result.output
        return
    assert result.exit_code == 0, result.output
    if whole:
        assert result.stdout.rstrip("\n").split("\n") == expected
    for line in expected:
        assert line in result.stdout


def _assert_close(got: object, want: object) -> None:
    """Equal, floats to 1e-9 relative (the engine's parallel sums differ in the last bits)."""
    if isinstance(want, dict):
        assert isinstance(got, dict)
        assert got.keys() == want.keys()
        for key, value in want.items():
            _assert_close(got[key], value)
    elif isinstance(want, list):
        assert isinstance(got, list)
        assert len(got) == len(want)
        for a, b in zip(got, want, strict=True):
            _assert_close(a, b)
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-9)
    else:
        assert got == want


def test_json_matches_the_library() -> None:
    result = runner.invoke(
        app, ["plan", str(COOKIE), "--units-per-day", "3000", "--weeks", "1,3", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    ref = plan(COOKIE, units_per_day=3000, days=[7, 21])
    assert data.pop("schema_version") == 4
    _assert_close(data, json.loads(json.dumps(ref.to_dict())))
    assert [d["days"] for d in data["metrics"][0]["durations"]] == [7, 21]


def test_table_output_on_the_event_log() -> None:
    result = runner.invoke(app, ["plan", str(CHECKOUT)])
    assert result.exit_code == 0, result.output
    assert "Minimum detectable effect" in result.stdout
    assert "revenue (primary, superiority): not feasible at this traffic" in result.stdout
    assert "buyers (guardrail, non-inferiority)" in result.stdout
    assert "cost of testing: the test costs" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weeks", "1,x"], "`--weeks` must be positive whole numbers of weeks"),
        (["--units-per-day", "-5"], "`units_per_day` == -5.0"),
        (["-e", "nope", "--units-per-day", "5"], "`experiment` 'nope' is not defined"),
        (["--units-per-day", "5", "--population", "5"], "give one of `units_per_day`"),
    ],
)
def test_user_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["plan", str(COOKIE), *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_analyze_sequential_on_the_event_log() -> None:
    result = runner.invoke(app, ["analyze", str(CHECKOUT), "--sequential", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # The engine's parallel sums may differ in the last bits from run to run: compare values
    # to 1e-9 relative, and the rest exactly.
    ref = analyze_sequential(CHECKOUT)
    assert data["look_by"] == ref.look_by == "day"
    for got, want in zip(data["results"], ref.results, strict=True):
        assert (got["metric"], got["stop_look"]) == (want.metric, want.stop_look)
        assert got["look_labels"] == list(want.look_labels)
        assert [x["pvalue"] for x in got["looks"]] == pytest.approx(
            [x.pvalue for x in want.looks], rel=1e-9
        )
    table = runner.invoke(app, ["analyze", str(CHECKOUT), "--sequential"])
    assert table.exit_code == 0, table.output
    assert "always-valid p" in table.stdout
    assert (
        "revenue (primary), new_checkout vs old_checkout: at the last look (2024-06-16): keep "
        "running" in table.stdout
    )
    markdown = runner.invoke(app, ["analyze", str(CHECKOUT), "--sequential", "-f", "markdown"])
    assert "| 2024-06-16 |" in markdown.stdout


def _asos_spec(alpha: float | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "sources": {
            "asos": {
                "path": str(ASOS),
                "filter": "experiment_id = '058875'",
                "summary": {
                    "layout": "paired",
                    "metric": "metric_id",
                    "snapshot": "time_since_start",
                    "treatment_variant": "variant_id",
                    "control": {"count": "count_c", "mean": "mean_c", "variance": "variance_c"},
                    "treatment": {"count": "count_t", "mean": "mean_t", "variance": "variance_t"},
                },
            }
        },
        "metrics": {"spend": {"type": "mean", "source": "asos", "summary_metric": 4}},
        "experiments": {"e": {"control": "control", "primary": "spend"}},
    }
    if alpha is not None:
        spec["experiments"]["e"]["alpha"] = alpha
    return spec


def test_analyze_sequential_on_asos_snapshots(tmp_path: Path) -> None:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(yaml.safe_dump(_asos_spec()))
    result = runner.invoke(app, ["analyze", str(path), "--sequential", "-f", "markdown"])
    assert result.exit_code == 0, result.output
    assert "one look per snapshot" in result.stdout
    looks = re.findall(r"^\| \d", result.stdout, flags=re.MULTILINE)
    assert len(looks) == 21  # one row per snapshot of experiment 058875


def test_analyze_sequential_takes_the_alpha_of_the_run(tmp_path: Path) -> None:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(yaml.safe_dump(_asos_spec()))
    written = tmp_path / "written.yaml"
    written.write_text(yaml.safe_dump(_asos_spec(alpha=0.2)))
    args = ["--sequential", "-f", "json"]
    overridden = runner.invoke(app, ["analyze", str(path), "--alpha", "0.2", *args])
    assert overridden.exit_code == 0, overridden.output
    reference = runner.invoke(app, ["analyze", str(written), *args])
    default = runner.invoke(app, ["analyze", str(path), *args])
    assert json.loads(overridden.stdout) == json.loads(reference.stdout)
    assert json.loads(overridden.stdout) != json.loads(default.stdout)


def test_analyze_sequential_on_a_unit_table_exits_2() -> None:
    result = runner.invoke(app, ["analyze", str(COOKIE), "--sequential"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "reads a unit table with no timestamps, so it has no looks" in result.stderr

"""`proxymetric value SPEC`: output formats, overrides, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from proxymetric.cli import app

RUNNER = CliRunner()
SPEC = """\
value:
  title: Toy case
  currency: $
  draws: 2000
  seed: 1
  inputs:
    users: 1000
    lift: {dist: normal, mean: 0.02, sd: 0.01}
    recall: {dist: beta, mean: 0.8, sd: 0.05, ideal: 1.0}
  outcomes:
    profit: users * lift * 50 * recall - 600
  alternatives:
    model: {}
    nothing: {outcomes: {zero: 0}}
  break_even:
    - {input: lift, alternative: model}
"""


def _spec(tmp_path: Path, body: str = SPEC) -> Path:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_json_output_is_the_result_contract(tmp_path: Path) -> None:
    # Closed form of the break-even: E[profit | lift] = 1000 * lift * 50 * E[recall] - 600 = 0
    # at lift = 600 / (50000 * mean of recall over the draws); recall's mean is 0.8 with s.e.
    # 0.05 / sqrt(2000) = 0.0011, so the break-even is 0.015 within 4 s.e. (0.015 * 0.0056).
    result = RUNNER.invoke(app, ["value", str(_spec(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["draws"], data["seed"], data["title"]) == (2000, 1, "Toy case")
    assert data["alternatives"] == ["model", "nothing"]
    (be,) = data["break_even"]
    assert abs(be["value"] - 0.015) < 0.015 * 4 * 0.05 / 0.8 / 2000**0.5
    assert data["recommendation"]["best_expected"] == "model"


def test_draws_and_seed_override_the_spec(tmp_path: Path) -> None:
    path = str(_spec(tmp_path))
    args = ["value", path, "-f", "json", "--draws", "500", "--seed", "4"]
    first = json.loads(RUNNER.invoke(app, args).output)
    assert (first["draws"], first["seed"]) == (500, 4)
    assert json.loads(RUNNER.invoke(app, args).output) == first  # reproducible


def test_table_output_reads_like_a_business_case(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["value", str(_spec(tmp_path))])
    assert result.exit_code == 0, result.output
    for heading in (
        "Toy case",
        "Recommendation",
        "Alternatives: profit",
        "What drives profit",
        "Break-even",
        "Headroom",
    ):
        assert heading in result.output


def test_markdown_output(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["value", str(_spec(tmp_path)), "-f", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Toy case")
    assert "| alternative | expected | 90% interval | P(loss) |" in result.output


def test_spec_error_is_one_line_with_exit_status_2(tmp_path: Path) -> None:
    path = _spec(
        tmp_path,
        """\
        value:
          inputs: {a: 1}
          outcomes: {profit: a.__class__}
        """,
    )
    result = RUNNER.invoke(app, ["value", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert f"{path}:3: outcome `profit`: formula" in lines[0]
    assert "Traceback" not in result.output


def test_bad_draws_is_one_line_with_exit_status_2(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["value", str(_spec(tmp_path)), "--draws", "5"])
    assert result.exit_code == 2
    assert "`draws` == 5, must be >= 100" in result.output


def test_missing_file_is_one_line_with_exit_status_2(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["value", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "spec file not found" in result.output


def test_tradeoff_section_is_rendered() -> None:
    spec = Path(__file__).resolve().parents[2] / "examples" / "support-automation"
    result = RUNNER.invoke(app, ["value", str(spec / "proxymetric.yaml"), "-f", "markdown"])
    assert result.exit_code == 0, result.output
    assert (
        "## Trade-off (bot_first_line): satisfaction (maximize) vs cost_per_ticket" in result.output
    )
    assert "Pareto frontier: 0%, 20%, 35%, 50%, 65%, 80%." in result.output
    assert "with P(loss) ≤ 10%: `65%`" in result.output
    table = RUNNER.invoke(app, ["value", str(spec / "proxymetric.yaml")])
    assert table.exit_code == 0, table.output
    assert "Pareto frontier" in table.output

"""`proxymetric pairwise`: JSON contract, table and markdown output, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from proxymetric.cli import app

RUNNER = CliRunner()


def _judgments(tmp_path: Path, rows: list[str] | None = None) -> Path:
    """Three systems judged on 300 items by two raters, position and tags included."""
    if rows is None:
        rng = np.random.default_rng(0)
        strength = {"new": 0.6, "old": 0.0, "baseline": -0.4}
        names = list(strength)
        rows = ["item,system_a,system_b,winner,rater,position,tags"]
        for item in range(300):
            a, b = rng.choice(3, 2, replace=False)
            p = 1 / (1 + np.exp(-(strength[names[a]] - strength[names[b]])))
            truth = "a" if rng.random() < p else "b"
            for rater in ("ann", "bob"):
                vote = truth if rng.random() < 0.85 else str(rng.choice(["a", "b", "tie"]))
                first = "a" if rng.random() < 0.5 else "b"
                tag = "popular titles" if names[b] == "old" and vote == "b" else ""
                rows.append(f"q{item},{names[a]},{names[b]},{vote},{rater},{first},{tag}")
    path = tmp_path / "judgments.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_json_output_is_the_documented_contract(tmp_path: Path) -> None:
    path = _judgments(tmp_path)
    res = RUNNER.invoke(app, ["pairwise", "analyze", str(path), "-b", "200", "-f", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [s["system"] for s in doc["systems"]] == ["new", "old", "baseline"]
    for s in doc["systems"]:
        for key in ("strength", "score", "score_ci_lower", "score_ci_upper", "rank",
                    "rank_ci_lower", "rank_ci_upper", "win_rate", "judgments"):  # fmt: skip
            assert key in s
        assert s["score_ci_lower"] < s["score"] < s["score_ci_upper"]
    assert doc["judgments"] == 600
    assert doc["items"] == 300
    assert doc["agreement"]["raters"] == 2
    assert doc["agreement"]["cohen_kappa"] > 0.5
    assert 0 <= doc["position_bias"]["pvalue"] <= 1
    assert {r["rater"] for r in doc["raters"]} == {"ann", "bob"}
    assert doc["tags"][0]["tag"] == "popular titles"
    mean_score = np.mean([s["score"] for s in doc["systems"]])
    assert mean_score == pytest.approx(1000)


def test_table_and_markdown_output(tmp_path: Path) -> None:
    path = _judgments(tmp_path)
    table = RUNNER.invoke(app, ["pairwise", "analyze", str(path), "-b", "100"])
    assert table.exit_code == 0, table.output
    assert "Systems" in table.stdout
    assert "baseline" in table.stdout
    assert "Trust checks" in table.stdout
    md = RUNNER.invoke(app, ["pairwise", "analyze", str(path), "-b", "100", "-f", "markdown"])
    assert md.exit_code == 0
    assert "## Systems" in md.stdout
    assert "| rank | system | score |" in md.stdout


def test_plan_and_next(tmp_path: Path) -> None:
    res = RUNNER.invoke(app, ["pairwise", "plan", "--win-rate", "0.55", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["non_tie_judgments"] == 783
    res = RUNNER.invoke(app, ["pairwise", "plan", "--win-rate", "0.6"])
    assert "194" in res.stdout
    nxt = RUNNER.invoke(
        app, ["pairwise", "next", str(_judgments(tmp_path)), "--pairs", "2", "-f", "json"]
    )
    assert nxt.exit_code == 0, nxt.output
    picks = json.loads(nxt.stdout)
    assert len(picks) == 2
    assert picks[0]["widest_ci_after"] < picks[0]["widest_ci_before"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            ["item,system_a,system_b,winner", "1,x,x,a"],
            "compare a system with itself (first at row 0: system_a == system_b == 'x')",
        ),
        (["item,system_a,system_b,winner", "1,x,y,left"], "got 'left' in 1 rows"),
        (
            ["item,system_a,system_b,winner", "1,x,y,a", "2,y,x,a", "3,u,v,a", "4,v,u,a"],
            "the comparison graph is disconnected",
        ),
        (
            ["item,system_a,system_b,winner", "1,x,y,a", "2,x,y,a"],
            "strengths are not identifiable: x never lost",
        ),
        (["item,system_a,winner", "1,x,a"], "no column 'system_b'; columns that exist: item"),
    ],
)
def test_bad_input_is_one_line_with_status_2(tmp_path: Path, rows: list[str], message: str) -> None:
    path = _judgments(tmp_path, rows)
    res = RUNNER.invoke(app, ["pairwise", "analyze", str(path)])
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1 or "error:" in res.output.splitlines()[0]


def test_missing_file_and_bad_option(tmp_path: Path) -> None:
    res = RUNNER.invoke(app, ["pairwise", "analyze", str(tmp_path / "nope.csv")])
    assert res.exit_code == 2
    assert "nope.csv" in res.output
    res = RUNNER.invoke(app, ["pairwise", "plan", "--win-rate", "0.5"])
    assert res.exit_code == 2
    assert "`win_rate` == 0.5 equals `baseline`" in res.output


def _doc_commands(root: Path, name: str) -> list[list[str]]:
    import shlex

    lines = (root / "docs" / name).read_text(encoding="utf-8").splitlines()
    return [
        shlex.split(x[len("$ proxymetric ") :]) for x in lines if x.startswith("$ proxymetric ")
    ]


def test_every_command_of_the_guide_runs(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shell examples of docs/pairwise.md, run through the CLI runner from the root."""
    monkeypatch.chdir(root)
    commands = _doc_commands(root, "pairwise.md")
    assert len(commands) == 4
    for args in commands:
        res = RUNNER.invoke(app, args)
        assert res.exit_code == 0, (args, res.output)
        assert res.stdout.strip()

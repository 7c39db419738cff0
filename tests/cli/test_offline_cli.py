"""`proxymetric offline`: output formats, the JSON contract, and one-line errors (status 2)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.offline import evaluate

RUNNER = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    n_units, n_items = 40, 12
    u, i = np.meshgrid(np.arange(n_units), np.arange(n_items), indexing="ij")
    rating = rng.integers(1, 6, u.size).astype(float)
    truth = pd.DataFrame({"unit": u.ravel(), "item": i.ravel(), "rating": rating})
    frames = []
    for name, sd in (("old", 2.0), ("new", 1.0)):
        guess = rating + rng.normal(0, sd, u.size)
        frames.append(
            pd.DataFrame(
                {
                    "model": name,
                    "unit": u.ravel(),
                    "item": i.ravel(),
                    "score": guess,
                    "predicted_rating": guess,
                }
            )
        )
    predictions = tmp_path / "predictions.csv"
    pd.concat(frames).to_csv(predictions, index=False)
    truth_path = tmp_path / "truth.parquet"
    truth.to_parquet(truth_path)
    return predictions, truth_path


def test_json_output_is_the_contract(files: tuple[Path, Path]) -> None:
    predictions, truth = files
    args = ["offline", "--predictions", str(predictions), "--truth", str(truth)]
    result = RUNNER.invoke(app, [*args, "--k", "5", "--threshold", "4", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data["models"]) == ["old", "new"]
    for name in ("rmse", "mae", "precision@5", "recall@5", "ndcg@5", "map@5", "mrr@5"):
        assert set(data["models"]["new"][name]) >= {"value", "value_ci_lower", "value_ci_upper"}
    assert data["models"]["new"]["coverage@5"]["value_ci_lower"] is None
    comparison = next(c for c in data["comparisons"] if c["metric"] == "rmse")
    assert set(comparison) >= {
        "baseline", "model", "metric", "difference", "difference_ci_lower", "difference_ci_upper", "pvalue"
    }  # fmt: skip
    assert (comparison["baseline"], comparison["model"]) == ("old", "new")
    # the CLI reports exactly what the library computes from the same files
    lib = evaluate(str(predictions), str(truth), k=5, relevance_threshold=4)
    assert comparison["difference"] == pytest.approx(lib.comparison("new", "rmse").difference)
    assert comparison["difference"] < 0  # the less noisy model has the lower RMSE


def test_table_and_markdown(files: tuple[Path, Path]) -> None:
    predictions, truth = files
    args = ["offline", "--predictions", str(predictions), "--truth", str(truth)]
    table = RUNNER.invoke(app, [*args, "--bootstrap", "100"])
    assert table.exit_code == 0, table.output
    assert "ndcg@10" in table.output
    assert "Paired comparisons with baseline 'old'" in table.output
    md = RUNNER.invoke(app, [*args, "--format", "markdown", "--baseline", "new", "--k", "3"])
    assert md.exit_code == 0, md.output
    assert "| metric | old | new |" in md.output
    assert "| old | rmse |" in md.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--k", "0"], "`k` must be an integer >= 1; got 0"),
        (["--baseline", "nope"], "`baseline` 'nope' is not defined; defined models: new, old"),
        (["--gain", "cubic"], "`gain` must be one of 'linear', 'exponential'; got 'cubic'"),
        (["--confidence-level", "2"], "`confidence_level` == 2.0, must be < 1"),
    ],
)
def test_bad_options_exit_2_with_one_line(
    files: tuple[Path, Path], extra: list[str], message: str
) -> None:
    predictions, truth = files
    args = ["offline", "--predictions", str(predictions), "--truth", str(truth), *extra]
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bad_files_exit_2(files: tuple[Path, Path], tmp_path: Path) -> None:
    predictions, _ = files
    missing = RUNNER.invoke(
        app, ["offline", "--predictions", str(predictions), "--truth", str(tmp_path / "t.csv")]
    )
    assert missing.exit_code == 2
    assert "`truth` file not found" in missing.output
    wrong = tmp_path / "wrong.csv"
    pd.DataFrame({"user": [1], "movie": [2], "rating": [4.0]}).to_csv(wrong, index=False)
    result = RUNNER.invoke(
        app, ["offline", "--predictions", str(predictions), "--truth", str(wrong)]
    )
    assert result.exit_code == 2
    assert "`truth` has no column 'unit'; columns: movie, rating, user" in result.output


def test_comparisons_are_marked_better_or_worse_when_significant(files: tuple[Path, Path]) -> None:
    # `new` has half the noise of `old`: its RMSE is lower (better: RMSE decreases) with an
    # interval that excludes 0. The mark follows the library's `better`, which follows the
    # interval's side and the metric's direction; a non-significant comparison has no mark.
    predictions, truth = files
    args = ["offline", "--predictions", str(predictions), "--truth", str(truth), "--k", "5"]
    lib = evaluate(str(predictions), str(truth), k=5)
    rmse = lib.comparison("new", "rmse")
    assert rmse.difference_ci_upper < 0
    assert rmse.pvalue < 0.05
    assert (rmse.direction, rmse.better) == ("decrease", True)
    for c in lib.comparisons:
        significant = c.difference_ci_lower > 0 or c.difference_ci_upper < 0
        assert (c.better is not None) == significant, c.metric
        if significant:
            up = c.difference_ci_lower > 0
            assert c.better == (up == (c.direction == "increase")), c.metric
    table = RUNNER.invoke(app, [*args, "--format", "markdown"])
    assert table.exit_code == 0, table.output
    rows = {line.split(" | ")[1]: line for line in table.output.splitlines() if "| new |" in line}
    assert rows["rmse"].endswith("| ▲ better |")
    for c in lib.comparisons:
        mark = {True: "▲ better", False: "▼ worse", None: ""}[c.better]
        assert rows[c.metric].endswith(f"| {mark} |"), c.metric
    # Baseline swapped: the same comparison is worse.
    swapped = RUNNER.invoke(app, [*args, "--baseline", "new"])
    line = next(x for x in swapped.output.splitlines() if " rmse " in x and "old" in x)
    assert "▼ worse" in line
    assert "▲ better / ▼ worse than 'new' where p < 0.05" in swapped.output

"""`proxymetric classify evaluate`: JSON contract, every format, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from proxymetric.cli import app

RUNNER = CliRunner()


def _scored(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    rng = np.random.default_rng(4)
    n = 400
    y = rng.random(n) < 0.25
    a = np.round(1 / (1 + np.exp(-rng.normal(1.5 * y - 1, 1))), 3)
    b = np.round(1 / (1 + np.exp(-rng.normal(1.0 * y - 1, 1))), 3)
    group = rng.choice(["en", "fr"], n)
    lines = ["id,model,score,label,group"]
    for m, s in (("new", a), ("old", b)):
        lines += [f"{i},{m},{s[i]},{'spam' if y[i] else 'ham'},{group[i]}" for i in range(n)]
    path = tmp_path / "scored.csv"
    path.write_text("\n".join(lines) + "\n")
    return path, {"new": a, "old": b, "y": y}


def test_json_output_is_the_contract(tmp_path: Path) -> None:
    path, s = _scored(tmp_path)
    args = ["classify", "evaluate", str(path), "--positive", "spam", "--prevalence", "0.01"]
    res = RUNNER.invoke(app, [*args, "--target-recall", "0.8", "-b", "50", "-f", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert next(iter(out)) == "schema_version"
    auc = {m["model"]: m["value"] for m in out["metrics"] if m["metric"] == "roc_auc"}
    assert auc["new"] == pytest.approx(roc_auc_score(s["y"], s["new"]), abs=1e-9)
    assert auc["old"] == pytest.approx(roc_auc_score(s["y"], s["old"]), abs=1e-9)
    assert {p["key"] for p in out["operating_points"]} == {"t=0.5", "recall>=0.8"}
    assert {g["group"] for g in out["groups"]} == {"en", "fr"}
    assert "sample_precision_not_production" in {n["code"] for n in out["notes"]}
    assert out["production_prevalence"] == 0.01


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_every_format_renders(tmp_path: Path, fmt: str) -> None:
    path, _ = _scored(tmp_path)
    target = tmp_path / f"out.{fmt}"
    res = RUNNER.invoke(
        app,
        ["classify", "evaluate", str(path), "--positive", "spam", "--prevalence", "0.01",
         "-b", "20", "-f", fmt, "-o", str(target)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    text = target.read_text()
    assert "ROC-AUC" in text
    assert "production" in text
    assert "the sample's precision is not production's" in text.replace("&#39;", "'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--prevalence", "2"], "error: `prevalence` == 2.0, must be < 1"),
        ([], "error: `data` column 'label' must hold 0/1 or true/false; got 'ham'"),
        (["--positive", "spam", "--baseline", "x"], "error: `baseline` 'x' is not defined"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    path, _ = _scored(tmp_path)
    res = RUNNER.invoke(app, ["classify", "evaluate", str(path), "-b", "0", *args])
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1].startswith(message)
    assert "Traceback" not in res.output


def test_a_missing_column_lists_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("prob,y\n0.1,1\n")
    res = RUNNER.invoke(app, ["classify", "evaluate", str(path)])
    assert res.exit_code == 2
    assert "error: `data` has no column 'score'; columns: prob, y" in res.output

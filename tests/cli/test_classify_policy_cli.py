"""``proxymetric classify policy``: the bundled example end to end, and its user errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from proxymetric.classifier import PolicyCosts, find_policy
from proxymetric.cli import app
from proxymetric.value import Beta, LogNormal

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "nsfw-moderation"
runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["classify", "policy", *args])
    return result.exit_code, result.output


def test_the_example_gives_the_library_s_numbers() -> None:
    # Reference: find_policy called directly on the bundled file, with the file's declarations.
    code, out = _run(
        str(EXAMPLE / "sms_scores.csv.gz"), "--costs", str(EXAMPLE / "policy.yaml"),
        "--bootstrap", "40", "--format", "json",
    )  # fmt: skip
    assert code == 0, out
    got = json.loads(out)
    data = pd.read_csv(EXAMPLE / "sms_scores.csv.gz")
    costs = PolicyCosts(
        missed=LogNormal.from_median_p90(2.0, 8.0),
        false_block=LogNormal.from_median_p90(0.5, 2.0),
        review=0.10,
        reviewer_miss_rate=Beta.from_mean_sd(0.05, 0.02),
        reviewer_false_block_rate=Beta.from_mean_sd(0.01, 0.005),
    )
    ref = find_policy(
        data["score"].to_numpy(), data["label"].to_numpy(), costs,
        prevalence=Beta.from_mean_sd(0.02, 0.005), volume=1_000_000, review_capacity=20_000,
        n_bootstrap=40,
    )  # fmt: skip
    assert [p["policy"] for p in got["policies"]] == [p.policy for p in ref.policies]
    for p, q in zip(got["policies"], ref.policies, strict=True):
        assert p["apparent_profit"] == pytest.approx(q.apparent_profit, rel=1e-12)
        assert p["profit_ci_lower"] == pytest.approx(q.profit_ci_lower, rel=1e-12)
    assert got["prevalence"] == 0.02
    assert got["review_capacity"] == 20_000


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_the_text_says_the_sample_precision_is_not_production_s(fmt: str) -> None:
    code, out = _run(
        str(EXAMPLE / "sms_scores.csv.gz"), "--costs", str(EXAMPLE / "policy.yaml"),
        "--bootstrap", "0", "--format", fmt,
    )  # fmt: skip
    assert code == 0, out
    assert "the sample's precision is not production's" in " ".join(out.split())
    assert "model + review band" in " ".join(out.split())


def _costs_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "costs.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("volume: 10\ncosts: {missed: 1}\n", "`costs.false_block`: field required"),
        ("volume: -1\ncosts: {missed: 1, false_block: 1}\n", "`volume`"),
        ("volume: 10\nspeed: 3\ncosts: {missed: 1, false_block: 1}\n", "`speed`"),
        (
            "volume: 10\ncosts: {missed: {dist: lognormal, median: 2}, false_block: 1}\n",
            "`costs.missed`: a lognormal needs",
        ),
        ("volume: 10\nprevalence: 2\ncosts: {missed: 1, false_block: 1}\n", "`prevalence`"),
        ("volume: [\n", "not valid YAML"),
    ],
)
def test_a_bad_costs_file_is_one_error_line(tmp_path: Path, text: str, message: str) -> None:
    code, out = _run(str(EXAMPLE / "sms_scores.csv.gz"), "--costs", _costs_file(tmp_path, text))
    assert code == 2
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    assert lines[0].startswith("error: "), out
    assert message in lines[0]


def test_several_models_need_one_named(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    label = rng.integers(0, 2, 40)
    frame = pd.DataFrame(
        {
            "model": ["a"] * 40 + ["b"] * 40,
            "score": rng.random(80),
            "label": np.concatenate([label, label]),
        }
    )
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    costs = _costs_file(tmp_path, "volume: 100\ncosts: {missed: 2, false_block: 1}\n")
    code, out = _run(str(path), "--costs", costs, "--bootstrap", "0")
    assert code == 2
    assert "`--model` is needed" in out
    assert "'a', 'b'" in out
    code, out = _run(str(path), "--costs", costs, "--bootstrap", "0", "--model", "b", "-f", "json")
    assert code == 0, out
    assert json.loads(out)["n_examples"] == 40

"""`proxymetric judges` and the `judge` column of `proxymetric pairwise analyze`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.judges import evaluate_labels, evaluate_pairwise

RUNNER = CliRunner()


def _labels(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    rows = ["item,system,judge,label"]
    for i in range(400):
        for system in ("a", "b"):
            y = rng.random() < (0.6 if system == "a" else 0.5)
            f = y if rng.random() < 0.85 else not y
            rows.append(f"{i},{system},llm,{'good' if f else 'bad'}")
            if i % 4 == 0:
                rows.append(f"{i},{system},ann,{'good' if y else 'bad'}")
    path = tmp_path / "labels.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _pairs(tmp_path: Path) -> Path:
    rng = np.random.default_rng(1)
    rows = ["item,system_a,system_b,winner,judge,position"]
    names = ["x", "y", "z"]
    for i in range(600):
        a, b = rng.choice(names, 2, replace=False)
        human = "a" if rng.random() < (0.7 if a == "x" else 0.4) else "b"
        first = "a" if rng.random() < 0.5 else "b"
        judged = first if rng.random() < 0.2 else human
        rows.append(f"{i},{a},{b},{judged},gpt,{first}")
        if i % 3 == 0:
            rows.append(f"{i},{a},{b},{human},bob,{first}")
    path = tmp_path / "pairs.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_labels_json_is_the_python_result(tmp_path: Path) -> None:
    path = _labels(tmp_path)
    args = ["judges", str(path), "--judge", "llm", "--positive", "good", "--family", "llm=acme",
            "--family", "a=acme", "--target-width", "0.05", "--cost-human", "1",
            "--cost-judge", "0.01", "-f", "json"]  # fmt: skip
    res = RUNNER.invoke(app, args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    want = evaluate_labels(
        str(path), judge="llm", positive="good", families={"llm": "acme", "a": "acme"},
        target_width=0.05, cost_per_human_label=1.0, cost_per_judge_label=0.01,
    )  # fmt: skip
    assert data["estimates"][0]["estimate"] == pytest.approx(want.estimates[0].estimate)
    assert data["self_preference"]["own_systems"] == ["a"]
    assert data["mix"]["human_labels"] == want.mix.human_labels  # type: ignore[union-attr]
    assert next(iter(data)) == "schema_version"


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_labels_and_pairwise_text(tmp_path: Path, fmt: str) -> None:
    res = RUNNER.invoke(app, ["judges", str(_labels(tmp_path)), "--judge", "llm", "--positive",
                              "good", "--target-width", "0.05", "-f", fmt])  # fmt: skip
    assert res.exit_code == 0, res.output
    for heading in ("Corrected estimates", "Paired differences", "Agreement with people",
                    "Bias of the judge", "Human labels needed"):  # fmt: skip
        assert heading in res.output
    res = RUNNER.invoke(app, ["judges", str(_pairs(tmp_path)), "--judge", "gpt", "-f", fmt])
    assert res.exit_code == 0, res.output
    for heading in ("Corrected scores", "Position bias", "Bias by system"):
        assert heading in res.output


def test_pairwise_json_matches_python(tmp_path: Path) -> None:
    path = _pairs(tmp_path)
    res = RUNNER.invoke(
        app, ["judges", str(path), "--judge", "gpt", "--reference", "x", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    want = evaluate_pairwise(str(path), judge="gpt", reference="x")
    got = {s["system"]: s["score"] for s in json.loads(res.output)["scores"]["systems"]}
    assert got == pytest.approx({s.system: s.score for s in want.scores.systems})


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--judge", "nobody"], "`judge` 'nobody' is not defined"),
        (["--judge", "llm", "--family", "oops"], "`--family` must be NAME=FAMILY"),
        (["--judge", "llm"], "pass `positive`"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, extra: list[str], message: str) -> None:
    res = RUNNER.invoke(app, ["judges", str(_labels(tmp_path)), *extra])
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


def test_pairwise_analyze_keeps_one_judge(tmp_path: Path) -> None:
    """With --judge only that judge's rows are analysed: the same as a table of those rows."""
    path = _pairs(tmp_path)
    res = RUNNER.invoke(app, ["pairwise", "analyze", str(path), "--judge", "bob", "-b", "20",
                              "-f", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = path.read_text().splitlines()
    only = tmp_path / "bob.csv"
    only.write_text("\n".join([lines[0], *(x for x in lines[1:] if ",bob," in x)]) + "\n")
    ref = RUNNER.invoke(app, ["pairwise", "analyze", str(only), "-b", "20", "-f", "json"])
    assert json.loads(res.output)["judgments"] == json.loads(ref.output)["judgments"] == 200
    assert json.loads(res.output)["systems"] == json.loads(ref.output)["systems"]
    bad = RUNNER.invoke(app, ["pairwise", "analyze", str(path), "--judge", "carl"])
    assert bad.exit_code == 2
    assert "`judge` 'carl' judged no row" in bad.output

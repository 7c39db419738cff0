"""The SMS spam example: the bundled judge labels are the script's, the README's numbers the tool's."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "judges-sms"
README = (EXAMPLE / "README.md").read_text(encoding="utf-8")


def test_the_bundled_labels_are_the_script_s_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sklearn")
    out = tmp_path / "labels.csv.gz"
    runpy.run_path(str(EXAMPLE / "train_judge.py"))["main"](["--out", str(out)])
    assert out.read_bytes() == (EXAMPLE / "labels.csv.gz").read_bytes()
    printed = capsys.readouterr().out
    # the hidden truth the README quotes
    for number in re.findall(r"(?:rate|recall) (0\.\d{4})", printed):
        assert f"**{number}**" in README or f"says {number}" in README


def test_the_readme_numbers_are_the_command_s() -> None:
    res = CliRunner().invoke(
        app,
        ["judges", str(EXAMPLE / "labels.csv.gz"), "--judge", "naive-bayes", "--positive", "spam",
         "--target-width", "0.02", "--cost-human", "0.5", "--cost-judge", "0.001", "-f", "markdown"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    rows: dict[str, list[str]] = {}
    for line in res.output.splitlines():  # the first table row of each name
        rows.setdefault(line.split(" | ")[0].strip("| "), line.split(" | "))
    spam, recall = rows["all"], rows["recall"]
    for cell in (*spam[1:7], *recall[1:7]):
        assert cell.strip(" |") in README, cell
    assert f"{spam[9].strip(' |')} human labels" in README
    for needed in ("1,909", "4,345", "1,074", "43,027", "581", "2,172", "0.877", "97.3%"):
        assert needed in res.output
        assert needed in README

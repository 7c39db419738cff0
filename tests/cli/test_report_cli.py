"""``proxymetric report`` and ``--format html``/``--output`` on the commands with a result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.report.html import CSP

from ..report._pages import number_errors, parse

ROOT = Path(__file__).resolve().parents[2]
COOKIE_CATS = ROOT / "examples" / "cookie-cats" / "proxymetric.yaml"
JUDGMENTS = ROOT / "examples" / "interleaving-movielens" / "judgments.csv"
runner = CliRunner()


def test_report_writes_the_page_whose_numbers_are_the_json_of_the_same_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no registry in the current folder
    page = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(COOKIE_CATS), "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {page}\n"
    as_json = runner.invoke(app, ["report", str(COOKIE_CATS), "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.stdout)
    assert doc["analyses"][0]["result"]["decision"]["verdict"] == "rollback"
    html = page.read_text()
    spans = parse(html).spans
    assert len(spans) > 20
    assert number_errors(spans, doc) == []
    assert set(doc["missing"]) == {"value", "registry"}


def test_report_in_markdown_says_what_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no registry in the current folder
    result = runner.invoke(app, ["report", str(COOKIE_CATS), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "**Decision: ROLLBACK**" in result.stdout
    assert "Left out: no value model: add a `value:` section" in result.stdout
    assert "Left out: no registry of past experiments" in result.stdout


def test_an_output_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "page.html"
    result = runner.invoke(
        app,
        ["pairwise", "plan", "--win-rate", "0.6", "--format", "html", "--output", str(target)],
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: `--output` {str(target)!r} cannot be written: No such file or directory"
    ]


@pytest.mark.parametrize(
    ("args", "title"),
    [
        (["power", "--type", "proportion", "--baseline", "0.05", "--mde", "0.005"], "Power"),
        (["pairwise", "plan", "--win-rate", "0.6"], "Judgments needed"),
        (["interleave", "plan", "--preference", "0.55"], "Units needed"),
        (["pairwise", "analyze", str(JUDGMENTS), "--bootstrap", "50"], "Blind pairwise test"),
        (["check", str(COOKIE_CATS)], "Good-metric scorecard"),
        (["analyze", str(COOKIE_CATS)], "Experiment gate-40"),
    ],
)
def test_format_html_writes_a_page(tmp_path: Path, args: list[str], title: str) -> None:
    page = tmp_path / "page.html"
    result = runner.invoke(app, [*args, "--format", "html", "-o", str(page)])
    assert result.exit_code in (0, 1), result.output  # check exits 1 on a failing scorecard
    p = parse(page.read_text())
    assert ("content", CSP) in p.attributes
    assert f"<title>{title}" in page.read_text()
    as_json = runner.invoke(app, [*args, "--format", "json"])
    assert number_errors(p.spans, json.loads(as_json.stdout)) == []
    if args[0] == "analyze":  # the spec's definitions of the metrics are on the page
        assert "Share of players who came back 7 days after install." in page.read_text()


def test_output_writes_text_formats_too(tmp_path: Path) -> None:
    target = tmp_path / "power.md"
    args = ["power", "--type", "proportion", "--baseline", "0.05", "--mde", "0.005"]
    result = runner.invoke(app, [*args, "--format", "markdown", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert target.read_text().startswith("| quantity | value |")
    table = tmp_path / "power.txt"
    assert runner.invoke(app, [*args, "-o", str(table)]).exit_code == 0
    assert "units per variant" in table.read_text()
    assert "\x1b[" not in table.read_text()  # no terminal colours in a file

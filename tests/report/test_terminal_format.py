"""Text a careful reader sees: p-values in sentences, CUPED notes, no markdown on a terminal."""

from __future__ import annotations

import io
import math
import textwrap
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from proxymetric.analysis import ExperimentResult, analyze
from proxymetric.cli import app
from proxymetric.report import format_p, format_pvalue, terminal_text
from proxymetric.report.decision import reasons_text
from proxymetric.report.experiment import experiment_markdown, print_experiment

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
RUNNER = CliRunner()


@pytest.mark.parametrize(
    ("p", "name", "text"),
    [
        (0.0342, "p", "p = 0.0342"),
        (0.0001, "p", "p = 0.0001"),
        (0.00009999, "p", "p < 0.0001"),
        (1e-300, "adjusted p", "adjusted p < 0.0001"),
        (0.0, "Holm p", "Holm p < 0.0001"),
        (math.nan, "p", "p = —"),
    ],
)
def test_a_pvalue_in_a_sentence_has_one_relation(p: float, name: str, text: str) -> None:
    assert format_p(p, name) == text
    # the table cell and the sentence show the same number
    assert format_pvalue(p).removeprefix("<") in text


def _render(result: ExperimentResult) -> str:
    out = io.StringIO()
    print_experiment(result, Console(file=out, width=200, color_system=None))
    return out.getvalue()


def test_tiny_pvalues_read_p_below(tmp_path: Path) -> None:
    # Revenue per user is 9.9% higher with a fourth ad, p far below 0.0001 (t = 8.5): the
    # decision's sentence must say "adjusted p < 0.0001", never "p = <0.0001".
    data = EXAMPLES / "ads-load" / "ads_test.csv.gz"
    spec = tmp_path / "proxymetric.yaml"
    spec.write_text(
        textwrap.dedent(f"""\
        sources:
          users: {{path: {data}, unit: user_id, variant: variant}}
        metrics:
          revenue: {{type: mean, source: users, column: revenue}}
        experiments:
          test: {{control: ads_3, primary: revenue}}
        """),
        encoding="utf-8",
    )
    result = analyze(spec, "test")
    assert result.results[0].pvalue < 1e-4
    (reason,) = reasons_text(result)
    assert reason.endswith("adjusted p < 0.0001")
    for text in (_render(result), experiment_markdown(result)):
        assert "= <" not in text
        assert "p < 0.0001" in text


def test_cuped_notes_show_a_change_once_signed_and_only_when_visible() -> None:
    # checkout-events: CUPED removes 17% and 13% of the variance of revenue and buyers and
    # next to nothing for conversion. Reference: the results' own variance_reduction, shown
    # where it rounds to a whole percent other than 0.
    result = analyze(EXAMPLES / "checkout-events" / "proxymetric.yaml")
    text = _render(result)
    markdown = experiment_markdown(result)
    assert "--" not in text.replace("---", "")
    for r in result.results:
        reduction = math.nan if r.variance_reduction is None else r.variance_reduction
        shown = math.isfinite(reduction) and round(100 * reduction) != 0
        note = f"{r.metric} ({r.variant}): CUPED: variance {-reduction:+.0%}."
        assert (note in text) is shown, r.metric
        assert (note in markdown) is shown, r.metric
    assert any(
        r.variance_reduction is not None and abs(r.variance_reduction) < 0.005
        for r in result.results
    )
    assert "CUPED: variance -0%" not in text
    assert "CUPED: variance +0%" not in text


def test_terminal_text_drops_backticks_and_reads_no_markup() -> None:
    text = terminal_text("pass `--registry` and see [link=http://evil.example]x[/link]")
    assert text.plain == "pass --registry and see [link=http://evil.example]x[/link]"
    (span,) = text.spans
    assert text.plain[span.start : span.end] == "--registry"
    assert terminal_text("a ` b").plain == "a ` b"  # an unpaired backtick is kept


@pytest.mark.parametrize(
    ("args", "in_markdown"),
    [
        (
            ["value", str(EXAMPLES / "ads-load" / "proxymetric.yaml"), "--draws", "2000"],
            "`four_ads`",
        ),
        # In a markdown table cell backticks are escaped (cells also carry names from the
        # spec, shown literally), so the span reads as literal backticks there.
        (["check", str(EXAMPLES / "ads-load" / "proxymetric.yaml")], "\\`--registry\\`"),
    ],
)
def test_terminal_output_shows_names_without_markdown_backticks(
    args: list[str], in_markdown: str
) -> None:
    table = RUNNER.invoke(app, args)
    assert table.exit_code in (0, 1), table.output  # `check` exits 1 on a failed check
    assert "`" not in table.stdout
    assert in_markdown.replace("\\", "").strip("`") in table.stdout
    markdown = RUNNER.invoke(app, [*args, "--format", "markdown"])
    assert in_markdown in markdown.stdout  # markdown keeps its code spans

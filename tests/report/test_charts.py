"""The charts: what they draw is what the results say, and their SVG is safe to inline."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from proxymetric.analysis import analyze
from proxymetric.analysis.result import ExperimentResult
from proxymetric.report import charts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cookie_cats() -> ExperimentResult:
    return analyze(ROOT / "examples" / "cookie-cats" / "proxymetric.yaml")


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_forest_plot_colours_rows_by_verdict_and_draws_the_margin(
    cookie_cats: ExperimentResult,
) -> None:
    chart = charts.forest_plot(cookie_cats)
    texts = _texts(chart.svg)
    assert "margin -2.0%" in texts  # retention_1's 2% relative margin, on the bad side
    assert texts.count("raw means") == 3  # Cookie Cats has no covariate
    labels = [t for t in texts if t in ("worse", "inconclusive", "better", "non-inferior")]
    assert labels == ["worse", "inconclusive", "inconclusive"]
    worse = charts.COLOURS["worse"].lower()
    assert f"fill: {worse}" in chart.svg.lower()
    assert "retention_7 -4.3% [-6.9%, -1.7%], significantly worse" in chart.reading
    assert "not yet shown non-inferior at its 2.0% margin" in chart.reading
    assert chart.narrow_svg  # a phone gets its own drawing
    assert chart.narrow_svg != chart.svg


def test_an_absolute_margin_is_drawn_relative_to_the_control_mean(
    cookie_cats: ExperimentResult,
) -> None:
    guard = cookie_cats.result("retention_1")
    assert guard.margin_type == "relative"
    absolute = dataclasses.replace(guard, margin=0.01, margin_type="absolute")
    lower_is_better = dataclasses.replace(absolute, direction="decrease")
    for row, sign in ((absolute, "-"), (lower_is_better, "+")):
        result = dataclasses.replace(cookie_cats, results=[row])
        expected = f"margin {sign}{0.01 / guard.control_mean:.1%}"  # 0.01 / 0.4482 = 2.2%
        assert expected in _texts(charts.forest_plot(result).svg)


def test_a_guardrail_shown_non_inferior_is_labelled_so(cookie_cats: ExperimentResult) -> None:
    guard = cookie_cats.result("retention_1")
    ok = dataclasses.replace(guard, noninferiority_pvalue=0.01, significant=False)
    chart = charts.forest_plot(dataclasses.replace(cookie_cats, results=[ok]))
    assert "non-inferior" in _texts(chart.svg)
    assert "non-inferior at its 2.0% margin" in chart.reading


def test_names_reach_the_svg_as_text() -> None:
    svg = charts.clean_svg(
        '<?xml version="1.0"?><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg" '
        'width="10pt" height="5pt" viewBox="0 0 10 5"><defs><clipPath id="c1"><rect/></clipPath>'
        '</defs><g id="figure_1" clip-path="url(#c1)"><text>&lt;/svg&gt; $x$ {{7*7}}</text></g>'
        "</svg>",
        "forest-a b",
        "a label",
    )
    assert svg.startswith("<svg ")
    assert 'width="' not in svg
    assert 'id="forest-a-b-c1"' in svg
    assert 'clip-path="url(#forest-a-b-c1)"' in svg
    assert "figure_1" not in svg  # ids nothing refers to are dropped
    assert "&lt;/svg&gt; $x$ {{7*7}}" in svg


@pytest.mark.parametrize(
    "bad",
    [
        "<script>alert(1)</script>",
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
        '<g onload="alert(1)"/>',
        '<use href="http://example.org/x.svg#a"/>',
        '<rect style="fill: url(http://example.org/a)"/>',
        '<image href="#x"/>',
    ],
)
def test_anything_but_a_drawing_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="SVG"):
        charts.clean_svg(f'<svg xmlns="http://www.w3.org/2000/svg">{bad}</svg>', "p", "l")


def test_the_profit_chart_shades_the_loss_side_and_says_p_loss() -> None:
    from proxymetric.value import load_value_model

    model, section = load_value_model(ROOT / "examples" / "ads-load" / "proxymetric.yaml")
    result = model.analyze(draws=20_000, seed=section.seed)
    chart = charts.value_distribution_chart(result)
    profits = [s for s in result.summaries if s.outcome == result.objective]
    risky = max(profits, key=lambda s: s.prob_loss)
    assert risky.p05 < 0
    assert f"P(loss) {risky.prob_loss:.1%}" in _texts(chart.svg)
    assert charts.COLOURS["worse"].lower() in chart.svg.lower()  # the loss side of its bar
    safe = [s for s in profits if s.p05 >= 0]
    assert safe
    only_safe = dataclasses.replace(result, summaries=tuple(safe))
    assert (
        charts.COLOURS["worse"].lower()
        not in charts.value_distribution_chart(only_safe).svg.lower()
    )

"""The HTML pages: self-contained, every number equal to the JSON, user strings inert.

These checks parse the pages in Python; test_browser.py opens the same pages in Chromium.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from proxymetric.report import to_json
from proxymetric.report.html import CSP, to_html
from proxymetric.report.html._blocks import annotate, pointer

from ._examples import SPECS, Page
from ._pages import HOSTILE, URL, number_errors, parse

BUDGET = 1_500_000  # bytes: a report must stay small enough to be mailed


def test_every_page_is_one_file_with_a_strict_policy(pages: dict[str, Page]) -> None:
    for name, page in pages.items():
        p = parse(page.html)
        assert page.html.startswith("<!DOCTYPE html>"), name
        assert ("content", CSP) in p.attributes, name
        assert page.html.index("Content-Security-Policy") < page.html.index("<style>"), name
        assert "script" not in p.tags, name
        assert not {"img", "link", "iframe", "object", "embed", "image"} & set(p.tags), name
        links = [v for k, v in p.attributes if k in ("href", "src", "xlink:href")]
        assert all(v.startswith("#") for v in links), (name, links)
        assert not URL.search(" ".join(v for _, v in p.attributes)), name
        assert not any(k.startswith("on") for k, _ in p.attributes), name
        assert len(page.html.encode()) < BUDGET, name


def test_the_policy_forbids_scripts_and_requests() -> None:
    rules = dict(r.strip().split(" ", 1) for r in CSP.split(";"))
    assert rules["default-src"] == "'none'"
    assert rules["script-src"] == "'none'"
    assert rules["connect-src"] == "'none'"
    assert rules["style-src"] == "'unsafe-inline'"  # the only thing the page needs


@pytest.mark.parametrize("name", [f"report-{s}" for s in SPECS] + ["proxies-asos", "pairwise"])
def test_every_number_shown_is_the_json_rounded(pages: dict[str, Page], name: str) -> None:
    page = pages[name]
    spans = parse(page.html).spans
    assert len(spans) >= 5, name  # the page annotates its numbers
    assert number_errors(spans, page.doc) == []


def test_a_changed_number_is_caught(pages: dict[str, Page]) -> None:
    page = pages["report-cookie-cats"]
    doc = json.loads(json.dumps(page.doc))
    doc["analyses"][0]["result"]["results"][0]["rel_effect"] *= 1.1
    errors = number_errors(parse(page.html).spans, doc)
    assert any("/analyses/0/result/results/0/rel_effect" in e for e in errors)


def test_the_cookie_cats_report_argues_the_rollback(pages: dict[str, Page]) -> None:
    html = pages["report-cookie-cats"].html
    glance = html.index('id="glance"')
    assert html.index("Decision: ROLLBACK") > glance
    assert html.index('data-chart="forest-gate-40"') > glance
    assert html.index('data-chart="forest-gate-40"') < html.index('id="goal"')  # at a glance
    assert "margin -2.0%" in html  # the guardrail's margin is drawn
    for part in ("goal", "tree", "scorecard", "plan-gate-40", "experiment-gate-40", "value"):
        assert f'id="{part}"' in html, part
    # Left out, with what would fill them: the plan (no timestamps), the value model, the registry.
    assert html.count('class="missing"') == 3
    assert "give `units_per_day`" in html


def test_cuped_and_raw_means_are_labelled(pages: dict[str, Page]) -> None:
    assert "CUPED-adjusted (variance -" in pages["report-checkout-events"].html
    assert "raw means" in pages["report-cookie-cats"].html


def test_hostile_names_are_text(pages: dict[str, Page]) -> None:
    html = pages["report-hostile"].html
    p = parse(html)
    assert "script" not in p.tags
    assert "img" not in p.tags
    assert html.count("<svg") == html.count("</svg>") == 2 * pages["report-hostile"].charts
    for name in HOSTILE[:2]:
        assert name not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;/svg&gt;" in html
    assert "{{7*7}}" in html  # printed as it is, never evaluated
    assert "a $ sign and $x^2$ stay text" in html


def test_annotate_pairs_numbers_with_fields() -> None:
    segs = annotate("-0.82 pp [-1.33, -0.31]", ["/e", "/l", "/u"], 100.0)
    assert [(s.text, s.pointer, s.scale) for s in segs if s.pointer] == [
        ("-0.82", "/e", 100.0),
        ("-1.33", "/l", 100.0),
        ("-0.31", "/u", 100.0),
    ]
    assert [s.text for s in annotate("—", ["/e"])] == ["—"]
    with pytest.raises(ValueError, match="holds 2 numbers, 1 pointers"):
        annotate("1.0 [2.0]", ["/e"])
    assert pointer("models", "ndcg@10/x", "a~b") == "/models/ndcg@10~1x/a~0b"


def test_compact_html_is_a_fragment(pages: dict[str, Page]) -> None:
    from proxymetric.analysis import analyze

    from ._examples import EXAMPLES

    result = analyze(EXAMPLES / "cookie-cats" / "proxymetric.yaml")
    fragment = result._repr_html_()
    assert fragment is not None
    assert fragment.startswith('<div class="pm pm-compact">')
    assert "<html" not in fragment
    assert "Decision: ROLLBACK" in fragment
    assert "Glossary" not in fragment
    assert number_errors(parse(fragment).spans, json.loads(to_json(result))) == []


def test_without_the_html_extra_a_notebook_falls_back_to_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from proxymetric.design import power_analysis
    from proxymetric.errors import ProxymetricError

    r = power_analysis("proportion", 0.05, mde=0.005)
    monkeypatch.setitem(sys.modules, "jinja2", None)
    assert r._repr_html_() is None
    from proxymetric.report.html._page import _environment, require_html

    _environment.cache_clear()
    with pytest.raises(ProxymetricError, match=r"needs jinja2: install them with `pip install"):
        require_html()
    with pytest.raises(ProxymetricError, match="needs jinja2"):
        to_html(r)
    _environment.cache_clear()


def test_a_repr_is_short_and_names_the_result(pages: dict[str, Page]) -> None:
    from proxymetric.analysis import analyze

    from ._examples import EXAMPLES

    result = analyze(EXAMPLES / "cookie-cats" / "proxymetric.yaml")
    text = repr(result)
    assert len(text) < 300
    assert text.startswith("ExperimentResult(experiment='gate-40', control='gate_30'")
    assert "decision=Decision(verdict='rollback', ...)" in text
    assert re.fullmatch(
        r"MetricResult\(metric='retention_7', .* \.\.\. \d+ more\)", repr(result.results[0])
    )


def test_tabular_results_become_data_frames() -> None:
    from proxymetric.analysis import analyze

    from ._examples import EXAMPLES

    result = analyze(EXAMPLES / "cookie-cats" / "proxymetric.yaml")
    df = result.to_pandas()
    assert list(df["metric"]) == [r.metric for r in result.results]
    assert df["rel_effect"].tolist() == [r.rel_effect for r in result.results]
    pl = result.to_polars()
    assert pl.shape == df.shape
    assert pl["pvalue"].to_list() == [r.pvalue for r in result.results]

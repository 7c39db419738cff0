"""The segment breakdowns in the terminal, markdown and HTML reports."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console

import proxymetric
from proxymetric.report import to_html, to_json, to_markdown
from proxymetric.report.experiment import print_experiment

from ._pages import HOSTILE, number_errors, parse


def _result(values: list[str]) -> Any:
    rng = np.random.default_rng(4)
    n = 4000
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "arm": rng.choice(["a", "b"], n),
            "seg": rng.choice(values, n),
            "y": rng.normal(5, 2, n),
            "c": rng.random(n) < 0.4,
        }
    )
    spec = {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm", "unique": True}},
        "metrics": {
            "y": {"type": "mean", "source": "u", "column": "y"},
            "c": {"type": "proportion", "source": "u", "column": "c"},
        },
        "experiments": {"e": {"control": "a", "primary": "y", "secondary": ["c"]}},
    }
    return proxymetric.analyze(spec, data={"u": frame}, segments=["seg"])


def test_every_number_of_the_html_segments_is_the_json() -> None:
    result = _result(["north", "south", "east"])
    page = to_html(result)
    spans = [s for s in parse(page).spans if s[0].startswith("/segments/")]
    assert len(spans) >= 3 * 2 * 7
    assert number_errors(spans, json.loads(to_json(result))) == []
    assert "Segments by seg" in page
    assert "Cochran" in page


def test_the_text_reports_say_the_segments_are_exploratory() -> None:
    result = _result(["north", "south"])
    md = to_markdown(result)
    assert "### Segments by seg" in md
    assert "the decision does not rest on any segment" in md
    console = Console(width=160, record=True)
    print_experiment(result, console)
    text = console.export_text()
    assert "Segments by seg" in text
    assert "Cochran's Q" in text


def test_hostile_segment_values_are_shown_as_text() -> None:
    result = _result(list(HOSTILE))
    page = to_html(result)
    assert "script" not in parse(page).tags
    for name in HOSTILE[:2]:
        assert name not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;/svg&gt;" in page
    assert "{{7*7}}" in page  # printed as it is, never evaluated

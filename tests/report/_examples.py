"""The HTML pages of the bundled examples and of a hostile spec, each with its JSON.

Each page is rendered from one result object, and its JSON is ``to_json`` of the same object:
what ``--format html`` and ``--format json`` of the same command print. Bootstrap rounds and
Monte Carlo draws are reduced so that all the pages are built in seconds.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from proxymetric.report import to_json
from proxymetric.report.html import to_html

from ._pages import HOSTILE

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SPECS = (
    "cookie-cats",
    "checkout-events",
    "ads-load",
    "nsfw-moderation",
    "rag-headquarters",
    "support-automation",
    "recommender",
)


@dataclasses.dataclass(frozen=True)
class Page:
    """A rendered page, the JSON of the same result, and the charts it must show."""

    html: str = dataclasses.field(repr=False)
    doc: Any = dataclasses.field(repr=False)
    charts: int = 0

    def write(self, path: Path) -> Path:
        path.write_text(self.html, encoding="utf-8")
        return path


def _page(result: Any, **options: Any) -> Page:
    html = to_html(result, **options)
    return Page(html, json.loads(to_json(result)), html.count('<figure class="chart"'))


def hostile_spec(directory: Path) -> dict[str, Any]:
    """A spec whose names, descriptions and variants are :data:`HOSTILE`, with its data."""
    rng = np.random.default_rng(7)
    path = directory / "hostile.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["uid", "arm", "y", "z", "pre"])
        for i in range(4000):
            pre = rng.normal(10, 3)
            w.writerow(
                [
                    i,
                    HOSTILE[i % 2],
                    pre + rng.normal(0.2 * (i % 2), 2),
                    int(rng.random() < 0.3),
                    pre,
                ]
            )
    script, img, svg, template = HOSTILE
    return {
        "request": script,
        "goal": template,
        "north_star": svg,
        "baseline": img,
        "model_owner": template,
        "sources": {"s": {"path": str(path), "unit": "uid", "variant": "arm", "description": img}},
        "metrics": {
            svg: {
                "type": "mean",
                "source": "s",
                "column": "y",
                "covariate": "pre",
                "description": script,
                "owner": template,
                "computed_by": img,
                "value_per_unit": 1.0,
            },
            template: {
                "type": "proportion",
                "source": "s",
                "column": "z",
                "description": "a $ sign and $x^2$ stay text",
                "owner": script,
                "link": {"to": svg, "reviewed_by": img, "note": script},
            },
        },
        "experiments": {
            img: {
                "control": script,
                "primary": svg,
                "guardrails": [{"metric": template, "margin": 0.05}],
                "description": svg,
                "units_per_day": 400,
            }
        },
    }


def build_pages(directory: Path) -> dict[str, Page]:
    """Every page the browser tests open, by name."""
    from proxymetric.analysis.sequential import analyze_sequential
    from proxymetric.chain import build_dossier
    from proxymetric.design import power_analysis
    from proxymetric.interleaving import analyze_clicks
    from proxymetric.pairwise import Judgments, analyze_judgments
    from proxymetric.proxies import program_impact, table_from_registry, validate_proxies
    from proxymetric.registry import Registry, import_asos
    from proxymetric.spec import load_spec

    pages: dict[str, Page] = {}
    for name in SPECS:
        path = EXAMPLES / name / "proxymetric.yaml"
        pages[f"report-{name}"] = _page(build_dossier(path, draws=20_000), spec=load_spec(path))
    checkout = EXAMPLES / "checkout-events" / "proxymetric.yaml"
    pages["sequential-checkout-events"] = _page(analyze_sequential(checkout))
    pages["power"] = _page(power_analysis("proportion", 0.05, mde=0.005))
    interleaving = EXAMPLES / "interleaving-movielens"
    pages["pairwise"] = _page(
        analyze_judgments(Judgments.from_table(interleaving / "judgments.csv"), n_bootstrap=200)
    )
    pages["interleave"] = _page(analyze_clicks(interleaving / "clicks.csv", n_bootstrap=200))
    reg = Registry(directory / "asos.db")
    import_asos(reg, EXAMPLES / "data" / "asos" / "asos_digital_experiments.csv.gz")
    table = table_from_registry(reg)
    pages["proxies-asos"] = _page(validate_proxies(table, "metric_4"), table=table)
    shipped = table_from_registry(reg)
    pages["impact-asos"] = _page(
        program_impact(shipped, "metric_4", value_per_unit=1.0, units=1_000_000)
    )
    records = reg.records()
    pages["registry-show"] = _page(reg.get(records[0].id))
    hostile = load_spec(hostile_spec(directory))
    pages["report-hostile"] = _page(build_dossier(hostile), spec=hostile)
    return pages

"""The holdout roll-up from a registry, and the ``registry holdout`` command."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import proxymetric
from proxymetric.analysis.result import ExperimentResult
from proxymetric.cli import app
from proxymetric.errors import ProxymetricError
from proxymetric.proxies import holdout_rollup, holdout_rollup_from_registry, table_from_registry
from proxymetric.registry import EffectRecord, Registry
from proxymetric.registry import store as registry_store

runner = CliRunner()

PAST = [  # name, effect, se, shipped
    ("search", 0.42, 0.12, True),
    ("ranker", 0.35, 0.10, True),
    ("banner", 0.05, 0.12, False),
    ("emails", -0.08, 0.15, False),
    ("price", 0.31, 0.12, True),
    ("onboard", 0.12, 0.11, False),
]


def _program(holdout: bool = True) -> tuple[dict[str, Any], pd.DataFrame]:
    rng = np.random.default_rng(0)
    arm = rng.choice(["holdout", "shipped"], 40_000, p=[0.05, 0.95])
    lift = np.where(arm == "shipped", 1.03, 1.0)
    frame = pd.DataFrame(
        {"id": range(40_000), "arm": arm, "spend": rng.gamma(2.0, 5.0, 40_000) * lift}
    )
    spec = {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm"}},
        "metrics": {
            "spend": {"type": "mean", "source": "u", "column": "spend", "value_per_unit": 0.8}
        },
        "experiments": {
            "all-launches": {
                "control": "holdout",
                "primary": "spend",
                "holdout": holdout,
                "split": {"holdout": 0.05, "shipped": 0.95},
            }
        },
    }
    return spec, frame


@pytest.fixture(scope="module")
def held() -> ExperimentResult:
    spec, frame = _program()
    return proxymetric.analyze(spec, data={"u": frame})


@pytest.fixture(scope="module")
def not_held() -> ExperimentResult:
    spec, frame = _program(holdout=False)
    return proxymetric.analyze(spec, data={"u": frame})


def _clock(days: list[str]) -> Iterator[str]:
    for d in days:
        yield dt.datetime.fromisoformat(d).replace(tzinfo=dt.UTC).isoformat()
    while True:
        yield "2026-12-01T00:00:00+00:00"


@pytest.fixture
def registry(tmp_path: Path, held: ExperimentResult, monkeypatch: pytest.MonkeyPatch) -> Registry:
    # The holdout's plan on 2026-01-05, then the experiments ending month by month (search
    # before the holdout started), then the holdout's analysis.
    days = ["2026-01-05", *(f"2026-{i + 1:02d}-01" for i in range(len(PAST))), "2026-08-01"]
    clock = _clock(days)
    monkeypatch.setattr(registry_store, "_now", lambda: next(clock))
    reg = Registry(tmp_path / "r.db")
    spec, _ = _program()
    reg.register_plan(proxymetric.load_spec(spec), "all-launches")
    for name, effect, se, shipped in PAST:
        reg.add_summary(
            name,
            [EffectRecord("treatment", "spend", "primary", effect, se, None, None, 5000, 5000)],
            shipped=shipped,
        )
    reg.record_analysis(held)
    return reg


def test_the_analysis_record_says_it_is_a_holdout(registry: Registry) -> None:
    latest = registry.latest("all-launches", "analysis")
    assert latest is not None
    assert latest.details["holdout"] is True


def test_from_registry_equals_the_rollup_of_the_same_table(
    registry: Registry, held: ExperimentResult
) -> None:
    out = holdout_rollup_from_registry(registry, "all-launches", "spend", bootstrap=0)
    direct = holdout_rollup(held, table_from_registry(registry), "spend", bootstrap=0)
    assert out.holdout_effect == pytest.approx(held.result("spend").effect)
    assert out.naive_sum == pytest.approx(0.42 + 0.35 + 0.31)
    assert out.shrunk_sum == pytest.approx(direct.shrunk_sum)
    assert out.n_experiments == len(PAST)  # the holdout's own record is not a past experiment
    assert [(x.comparison, x.ended) for x in out.launches] == [
        ("price/treatment", "2026-05-01"),
        ("ranker/treatment", "2026-02-01"),
        ("search/treatment", "2026-01-01"),
    ]


def test_since_the_holdout_started(registry: Registry, held: ExperimentResult) -> None:
    out = holdout_rollup_from_registry(
        registry, held, "spend", since_holdout_start=True, bootstrap=0
    )
    assert [x.comparison for x in out.launches] == ["price/treatment", "ranker/treatment"]
    later = holdout_rollup_from_registry(
        registry, "all-launches", "spend", ended_from="2026-03-01", bootstrap=0
    )
    assert [x.comparison for x in later.launches] == ["price/treatment"]


def test_an_analysis_that_is_not_a_holdout_is_refused(
    registry: Registry, held: ExperimentResult, not_held: ExperimentResult
) -> None:
    table = table_from_registry(registry)
    with pytest.raises(ProxymetricError, match="`holdout` experiment 'all-launches' is not a"):
        holdout_rollup(not_held, table, "spend")
    with pytest.raises(ProxymetricError, match="`metric` 'clicks' is not measured"):
        holdout_rollup_from_registry(registry, held, "clicks")


def test_a_recorded_experiment_that_is_not_a_holdout_is_refused(
    registry: Registry, not_held: ExperimentResult
) -> None:
    registry.record_analysis(not_held)
    with pytest.raises(ProxymetricError, match="`holdout` experiment 'all-launches' is not a"):
        holdout_rollup_from_registry(registry, "all-launches", "spend")
    with pytest.raises(ProxymetricError, match="`holdout` 'search' has no analysis record"):
        holdout_rollup_from_registry(registry, "search", "spend")


# -- the command ------------------------------------------------------------------------------


def _run(registry: Registry, *args: str) -> Any:
    return runner.invoke(
        app, ["registry", "holdout", "-r", registry.url, "--holdout", "all-launches", *args]
    )


def test_the_command_in_every_format(registry: Registry) -> None:
    args = ["-m", "spend", "--reach", "price=0.5", "--value-per-unit", "0.8", "-b", "200"]
    res = _run(registry, *args, "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["naive_sum"] == pytest.approx(0.42 + 0.35 + 0.5 * 0.31)
    assert doc["naive_money"] == pytest.approx(0.8 * (0.42 + 0.35 + 0.5 * 0.31))
    assert doc["naive_share_interval"] == "bounded"
    assert doc["bootstrap"] == 200
    table = _run(registry, *args)
    assert table.exit_code == 0, table.output
    assert "Program against holdout all-launches on spend" in table.output
    assert "Realized share" in table.output
    md = _run(registry, *args, "-f", "markdown").output
    assert md.startswith("## Program against holdout all-launches on spend")
    assert "| earned (shrunk sum) |" in md
    html = _run(registry, *args, "-f", "html").output
    assert "<html" in html
    assert "Realized share" in html


def test_the_command_selects_by_date_and_by_name(registry: Registry) -> None:
    def launches(*args: str) -> list[str]:
        res = _run(registry, "-m", "spend", "-b", "0", "-f", "json", *args)
        assert res.exit_code == 0, res.output
        return [x["comparison"] for x in json.loads(res.stdout)["launches"]]

    assert launches("--since-holdout-start") == ["price/treatment", "ranker/treatment"]
    assert launches("--ended-to", "2026-02-01") == ["ranker/treatment", "search/treatment"]
    assert launches("-e", "search", "-e", "price") == ["price/treatment", "search/treatment"]


def test_the_command_reads_the_value_per_unit_from_the_spec(
    registry: Registry, tmp_path: Path
) -> None:
    import yaml

    spec, _ = _program()
    spec["sources"]["u"] = {"path": "u.csv", "unit": "id", "variant": "arm"}
    path = tmp_path / "proxymetric.yaml"
    path.write_text(yaml.safe_dump(spec))
    res = _run(registry, "-m", "spend", "--spec", str(path), "-b", "0", "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["value_per_unit"] == 0.8
    assert doc["holdout_money"] == pytest.approx(0.8 * doc["holdout_effect"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "clicks"], "error: `metric` 'clicks' is not measured by the holdout"),
        (
            ["-m", "spend", "--ended-from", "2027-01-01"],
            "error: no shipped experiment with `metric` 'spend' in the selection",
        ),
        (["-m", "spend", "--reach", "price=1.2"], "error: `reach` of 'price' must be a share"),
        (["-m", "spend", "--reach", "price=0"], "error: `reach` of 'price' must be a share"),
        (["-m", "spend", "--reach", "price"], "error: `reach` must be EXPERIMENT=SHARE"),
        (["-m", "spend", "-e", "banner"], "error: `experiments` 'banner' is not a shipped"),
        (["-m", "spend", "--ended-to", "May"], "error: `ended_to` must be a date YYYY-MM-DD"),
    ],
)
def test_bad_input_exits_2_with_one_line(registry: Registry, args: list[str], message: str) -> None:
    res = _run(registry, *args)
    assert res.exit_code == 2, res.output
    assert res.output.startswith(message)
    assert len(res.output.strip().splitlines()) == 1


def test_a_non_holdout_exits_2(registry: Registry, not_held: ExperimentResult) -> None:
    registry.record_analysis(not_held)
    res = _run(registry, "-m", "spend")
    assert res.exit_code == 2
    assert res.output.startswith("error: `holdout` experiment 'all-launches' is not a holdout")
    assert len(res.output.strip().splitlines()) == 1


def test_a_notebook_page_shows_the_rollup_sections(registry: Registry) -> None:
    from proxymetric.report.html import to_html

    out = holdout_rollup_from_registry(registry, "all-launches", "spend", bootstrap=0)
    page = to_html(out)
    assert "Program against holdout all-launches on spend" in page
    assert "Realized share" in page
    assert "Shipped changes covered" in page


def test_the_chart_draws_the_three_effects(registry: Registry) -> None:
    import re

    from proxymetric.report import charts

    out = holdout_rollup_from_registry(registry, "all-launches", "spend", bootstrap=0)
    chart = charts.holdout_chart(out)
    shown = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", chart.svg))  # labels may wrap
    for label in ("holdout (measured)", "claimed (naive sum)", "earned (shrunk sum)"):
        assert label in shown
    assert f"measured {out.naive_share:.0%} of what the 3 shipped" in chart.reading
    assert f"and {out.shrunk_share:.0%} of their sum" in chart.reading

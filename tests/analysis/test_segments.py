"""Segments: per-segment effects from the experiment's one query, corrected, with Cochran's Q.

References: each segment analysed as its own experiment (the units of that segment alone), and
Welch's test from scipy on the segment's values; Cochran's Q computed directly with numpy from
per-segment Welch estimates and its p-value from ``scipy.stats.chi2``; the corrections from
statsmodels' ``multipletests``; and an A/A simulation with 10 segments for the family-wise
false positive rate (tolerance: three binomial standard deviations of the simulation count).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

import proxymetric
from proxymetric.analysis import analyze_moments
from proxymetric.analysis.segments import cochran_q
from proxymetric.errors import DataError, ProxymetricError, SpecError
from proxymetric.report import to_json, to_markdown
from proxymetric.stats.moments import Moments

COUNTRIES = ["us", "de", "fr", "jp", "br", "xx", "yy"]
SHARES = [0.45, 0.25, 0.15, 0.08, 0.05, 0.012, 0.008]


def _frame(n: int = 8000, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(n) < 0.5, "a", "b")
    country = rng.choice(COUNTRIES, n, p=SHARES)
    lift = np.select([country == "us", country == "de"], [0.6, -0.2], 0.1)
    x = rng.normal(10, 3, n)
    y = 0.8 * x + rng.normal(0, 2, n) + (arm == "b") * lift
    converted = rng.random(n) < 0.3 + 0.02 * (arm == "b")
    device = rng.choice(["ios", "web"], n).astype(object)
    device[rng.random(n) < 0.05] = None
    return pd.DataFrame(
        {"id": np.arange(n), "arm": arm, "country": country, "device": device, "y": y, "x": x}
        | {"converted": converted}
    )


def _spec(segments: Any = None) -> dict[str, Any]:
    experiment: dict[str, Any] = {
        "control": "a",
        "primary": "y",
        "guardrails": [{"metric": "conversion", "margin": 0.05}],
    }
    if segments is not None:
        experiment["segments"] = segments
    return {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm", "unique": True}},
        "metrics": {
            "y": {"type": "mean", "source": "u", "column": "y", "covariate": "x"},
            "conversion": {"type": "proportion", "source": "u", "column": "converted"},
        },
        "experiments": {"e": experiment},
    }


FIELDS = [
    "control_units",
    "treatment_units",
    "control_mean",
    "treatment_mean",
    "effect",
    "effect_se",
    "effect_ci_lower",
    "effect_ci_upper",
    "rel_effect",
    "rel_effect_se",
    "rel_effect_ci_lower",
    "rel_effect_ci_upper",
    "pvalue",
]


def _same(a: Any, b: Any, rel: float = 1e-9) -> None:
    for f in FIELDS:
        x, y = getattr(a, f), getattr(b, f)
        assert x == pytest.approx(y, rel=rel, abs=1e-12), f


def test_each_segment_equals_its_own_experiment() -> None:
    data = _frame(n=10000)
    spec = _spec({"columns": ["country", "device"], "min_units": 150})
    result = proxymetric.analyze(spec, data={"u": data})
    by_country = next(b for b in result.segments if b.dimension == "country")
    assert by_country.pooled == ["xx", "yy"]  # about 120 and 80 units, 200 together
    assert by_country.values[-1] == "other"
    for segment in by_country.values:
        rows = data[data.country.isin(by_country.pooled if segment == "other" else [segment])]
        alone = proxymetric.analyze(_spec(), data={"u": rows})
        for metric in ("y", "conversion"):
            got = next(r for r in by_country.results if r.segment == segment and r.metric == metric)
            _same(got, alone.result(metric))
            assert got.exploratory
    by_device = next(b for b in result.segments if b.dimension == "device")
    assert set(by_device.values) == {"ios", "web", "(missing)"}
    missing = next(r for r in by_device.results if r.segment == "(missing)" and r.metric == "y")
    _same(missing, proxymetric.analyze(_spec(), data={"u": data[data.device.isna()]}).result("y"))


def test_a_segment_against_welch_from_scipy() -> None:
    data = _frame()
    spec = _spec(["country"])
    spec["metrics"]["y"].pop("covariate")
    result = proxymetric.analyze(spec, data={"u": data})
    r = next(r for r in result.segments[0].results if r.segment == "de" and r.metric == "y")
    de = data[data.country == "de"]
    a, b = de.y[de.arm == "a"].to_numpy(), de.y[de.arm == "b"].to_numpy()
    welch = stats.ttest_ind(b, a, equal_var=False)
    assert r.effect == pytest.approx(b.mean() - a.mean(), rel=1e-9)
    assert r.effect_se == pytest.approx(
        math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size), rel=1e-9
    )
    assert r.pvalue == pytest.approx(welch.pvalue, rel=1e-9)


def test_the_overall_result_and_decision_do_not_change() -> None:
    data = _frame()
    plain = proxymetric.analyze(_spec(), data={"u": data})
    segmented = proxymetric.analyze(_spec(["country", "device"]), data={"u": data})
    assert segmented.segments
    assert not plain.segments
    _same_decision(segmented.decision, plain.decision)
    assert segmented.fingerprint == plain.fingerprint
    for r, s in zip(plain.results, segmented.results, strict=True):
        _same(s, r, rel=1e-12)
        assert (s.pvalue_adjusted is None) == (r.pvalue_adjusted is None)
        if r.pvalue_adjusted is not None:
            assert s.pvalue_adjusted == pytest.approx(r.pvalue_adjusted, rel=1e-12)


def test_the_decision_never_rests_on_a_segment() -> None:
    # a guardrail far worse in one country, fine overall: segments flag it, the decision
    # stays that of the overall analysis
    data = _frame(n=20000)
    bad = (data.country == "jp") & (data.arm == "b")
    data.loc[bad, "converted"] = False
    plain = proxymetric.analyze(_spec(), data={"u": data})
    segmented = proxymetric.analyze(_spec(["country"]), data={"u": data})
    jp = next(
        r for r in segmented.segments[0].results if r.segment == "jp" and r.metric == "conversion"
    )
    assert jp.significant
    assert jp.better is False
    _same_decision(segmented.decision, plain.decision)


def _same_decision(a: Any, b: Any) -> None:
    assert (a.verdict, a.variant) == (b.verdict, b.variant)
    assert [(r.code, r.variant, r.metric) for r in a.reasons] == [
        (r.code, r.variant, r.metric) for r in b.reasons
    ]
    assert [r.pvalue for r in a.reasons] == pytest.approx([r.pvalue for r in b.reasons], rel=1e-9)


def _welch_direct(data: pd.DataFrame, segment: str) -> tuple[float, float]:
    part = data[data.country == segment]
    a, b = part.y[part.arm == "a"].to_numpy(), part.y[part.arm == "b"].to_numpy()
    return b.mean() - a.mean(), math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)


def test_cochran_q_against_a_direct_computation() -> None:
    data = _frame()
    spec = _spec({"columns": ["country"], "min_units": 2})
    spec["metrics"]["y"].pop("covariate")
    result = proxymetric.analyze(spec, data={"u": data})
    h = next(h for h in result.segments[0].heterogeneity if h.metric == "y")
    est = np.array([_welch_direct(data, c) for c in COUNTRIES])
    w = 1 / est[:, 1] ** 2
    mean = np.sum(w * est[:, 0]) / np.sum(w)
    q = float(np.sum(w * (est[:, 0] - mean) ** 2))
    assert h.statistic == pytest.approx(q, rel=1e-9)
    assert h.df == len(COUNTRIES) - 1
    assert h.segments == len(COUNTRIES)
    assert h.pvalue == pytest.approx(stats.chi2.sf(q, len(COUNTRIES) - 1), rel=1e-9)
    assert h.pvalue < 0.05  # the lifts differ by country (0.6, -0.2, 0.1)


def test_cochran_q_needs_two_estimates() -> None:
    q, df, p = cochran_q([1.0, math.nan], [1.0, 1.0])
    assert math.isnan(q)
    assert math.isnan(p)
    assert df == 0


@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_the_correction_across_segments_against_statsmodels(correction: str) -> None:
    data = _frame()
    spec = _spec({"columns": ["country"], "min_units": 200, "correction": correction})
    b = proxymetric.analyze(spec, data={"u": data}).segments[0]
    assert b.correction == correction
    rows = [r for r in b.results if r.metric == "y" and math.isfinite(r.pvalue)]
    assert len(rows) >= 4
    method = "holm" if correction == "holm" else "fdr_bh"
    expected = multipletests([r.pvalue for r in rows], method=method)[1]
    assert [r.pvalue_adjusted for r in rows] == pytest.approx(list(expected), rel=1e-12)
    assert [r.significant for r in rows] == [p < 0.05 for p in expected]


def test_a_segment_with_too_few_units_has_no_numbers() -> None:
    data = _frame(n=3000)
    b = proxymetric.analyze(
        _spec({"columns": ["country"], "min_units": 100}), data={"u": data}
    ).segments[0]
    # br (~150 units) stays; xx and yy (~60 together) pooled into an "other" still too small
    other = [r for r in b.results if r.segment == "other"]
    assert b.units["other"] < 100
    assert other
    for r in other:
        assert math.isnan(r.effect)
        assert math.isnan(r.pvalue)
        assert math.isnan(r.pvalue_adjusted)
        assert r.reason is not None
        assert "fewer than `min_units` (100)" in r.reason
    assert r.control_units + r.treatment_units == b.units["other"]
    # left out of the correction: Holm over the segments with an estimate only
    rows = [r for r in b.results if r.metric == "y" and r.segment != "other"]
    expected = multipletests([r.pvalue for r in rows], method="holm")[1]
    assert [r.pvalue_adjusted for r in rows] == pytest.approx(list(expected), rel=1e-12)
    assert "no estimate" in to_markdown(proxymetric.analyze(_spec(["country"]), data={"u": data}))


def test_a_single_rare_value_is_not_renamed_and_a_real_other_joins_the_pool() -> None:
    data = _frame(n=3000)
    data.loc[data.country == "yy", "country"] = "xx"  # one rare value only
    b = proxymetric.analyze(
        _spec({"columns": ["country"], "min_units": 100}), data={"u": data}
    ).segments[0]
    assert b.pooled == []
    assert "xx" in b.values
    assert "other" not in b.values
    data.loc[data.country == "br", "country"] = "other"
    data.loc[data.country == "jp", "country"] = "zz"
    b = proxymetric.analyze(
        _spec({"columns": ["country"], "min_units": 300}), data={"u": data}
    ).segments[0]
    assert b.pooled == ["xx", "zz"]
    assert b.units["other"] == int(data.country.isin(["other", "xx", "zz"]).sum())


def _aa_rates(correction: str, sims: int, seed: int) -> tuple[float, float, float]:
    rng = np.random.default_rng(seed)
    spec = _spec({"columns": ["g"], "min_units": 20, "correction": correction})
    spec["metrics"]["y"].pop("covariate")
    spec["experiments"]["e"].pop("guardrails")
    adjusted = raw = hetero = 0
    for _ in range(sims):
        per: dict[str, dict[str, Moments]] = {}
        for g in range(10):
            per[f"s{g}"] = {
                arm: Moments.from_rows(["y"], rng.lognormal(0, 0.5, (100, 1))) for arm in "ab"
            }
        overall = {arm: sum_moments([per[g][arm] for g in per]) for arm in "ab"}
        b = analyze_moments(spec, overall, segments={"g": per}).segments[0]
        adjusted += any(r.significant for r in b.results)
        raw += any(r.pvalue < 0.05 for r in b.results)
        hetero += b.heterogeneity[0].pvalue < 0.05
    return adjusted / sims, raw / sims, hetero / sims


def sum_moments(parts: list[Moments]) -> Moments:
    total = parts[0]
    for m in parts[1:]:
        total = total.merge(m)
    return total


@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_an_aa_test_with_ten_segments_keeps_the_family_wise_rate(correction: str) -> None:
    sims = 400
    adjusted, raw, hetero = _aa_rates(correction, sims, seed=7)
    tolerance = 3 * math.sqrt(0.05 * 0.95 / sims)  # three binomial standard deviations
    assert adjusted <= 0.05 + tolerance
    # without the correction, 10 tests reject somewhere 1 - 0.95**10 = 40% of the time
    assert raw > 0.4 - 3 * math.sqrt(0.4 * 0.6 / sims)
    assert abs(hetero - 0.05) <= tolerance


def test_segments_in_json() -> None:
    data = _frame(n=3000)
    text = to_json(proxymetric.analyze(_spec(["country"]), data={"u": data}))
    assert '"segments": [' in text
    assert '"heterogeneity": [' in text
    assert '"exploratory": true' in text
    assert "NaN" not in text


def test_segments_are_checked() -> None:
    data = _frame(n=500)
    with pytest.raises(DataError, match="'nope'"):
        proxymetric.analyze(_spec(["nope"]), data={"u": data})
    with pytest.raises(SpecError, match="correction"):
        proxymetric.analyze(_spec({"columns": ["country"], "correction": "bonferroni"}))
    with pytest.raises(SpecError, match="columns"):
        proxymetric.analyze(_spec([]))


def test_an_id_is_not_a_segment(monkeypatch: pytest.MonkeyPatch) -> None:
    from proxymetric.data import moments

    monkeypatch.setattr(moments, "MAX_SEGMENT_GROUPS", 50)
    with pytest.raises(DataError, match=r"segment column\(s\) 'id' .* more than 50"):
        proxymetric.analyze(_spec(["id"]), data={"u": _frame(n=500)})


def test_segments_of_an_assignment_log_equal_each_segment_alone(root: Path) -> None:
    # platform is a column of the assignment log: each segment equals the experiment whose
    # exposure filter keeps that platform's assignments only
    spec = root / "examples" / "checkout-events" / "proxymetric.yaml"
    result = proxymetric.analyze(spec, segments=["platform"])
    b = result.segments[0]
    assert len(b.values) >= 2
    loaded = proxymetric.load_spec(spec)
    name = next(iter(loaded.experiments))
    for value in b.values:
        e = loaded.experiments[name].model_copy(update={"exposure_filter": f"platform = '{value}'"})
        alone = proxymetric.analyze(loaded.model_copy(update={"experiments": {name: e}}))
        for r in (r for r in b.results if r.segment == value):
            _same(r, alone.result(r.metric, r.variant))
    _same_decision(result.decision, proxymetric.analyze(spec).decision)


def test_segments_need_unit_or_assignment_columns() -> None:
    from tests.data.test_summary import asos_spec

    with pytest.raises(ProxymetricError, match=r"`segments` of experiment .* summary statistics"):
        proxymetric.analyze(asos_spec("591c2c"), segments=["x"])


def test_pooled_arms_are_pooled_in_every_segment() -> None:
    data = _frame(n=6000)
    rng = np.random.default_rng(3)
    data["arm"] = np.where(data.arm == "a", "a", rng.choice(["b1", "b2"], len(data)))
    spec = _spec({"columns": ["country"], "min_units": 150})
    spec["experiments"]["e"] |= {"combine": {"b": ["b1", "b2"]}, "variants": ["a", "b1", "b2"]}
    b = proxymetric.analyze(spec, data={"u": data}).segments[0]
    assert {r.variant for r in b.results} == {"b"}
    for segment in ("us", "de"):
        plain = _spec()
        plain["experiments"]["e"] |= {"combine": {"b": ["b1", "b2"]}, "variants": ["a", "b1", "b2"]}
        alone = proxymetric.analyze(plain, data={"u": data[data.country == segment]})
        got = next(r for r in b.results if r.segment == segment and r.metric == "y")
        _same(got, alone.result("y"))

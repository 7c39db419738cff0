"""analyze(): the real Cookie Cats test against scipy, A/B/n, CUPED and the ship rule."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

import proxymetric
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.report.decision import reasons_text


@pytest.fixture(scope="module")
def cookie_cats(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "examples" / "cookie-cats" / "cookie_cats.csv.gz")


def test_cookie_cats_against_scipy(cookie_cats_spec: Path, cookie_cats: pd.DataFrame) -> None:
    # Reference: scipy's Welch test on the unit-level data; statsmodels' Holm over the success
    # metrics (retention_7 and rounds); scipy's chisquare for SRM.
    result = proxymetric.analyze(cookie_cats_spec)
    c = cookie_cats[cookie_cats.version == "gate_30"]
    t = cookie_cats[cookie_cats.version == "gate_40"]
    assert result.units == {"gate_30": 44700, "gate_40": 45489}
    assert result.srm.pvalue == pytest.approx(sps.chisquare([44700, 45489]).pvalue, rel=1e-10)
    pvalues = {}
    for metric, column in (
        ("retention_7", "retention_7"),
        ("retention_1", "retention_1"),
        ("rounds", "sum_gamerounds"),
    ):
        r = result.result(metric)
        ref = sps.ttest_ind(t[column].astype(float), c[column].astype(float), equal_var=False)
        assert r.effect == pytest.approx(t[column].mean() - c[column].mean(), rel=1e-10)
        assert r.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
        assert r.effect_ci_lower == pytest.approx(ref.confidence_interval().low, rel=1e-8)
        pvalues[metric] = ref.pvalue
    holm = multipletests([pvalues["retention_7"], pvalues["rounds"]], method="holm")[1]
    assert result.result("retention_7").pvalue_adjusted == pytest.approx(holm[0], rel=1e-8)
    assert result.result("rounds").pvalue_adjusted == pytest.approx(holm[1], rel=1e-8)
    assert result.result("retention_1").pvalue_adjusted is None
    # The published finding: 7-day retention drops from 19.0% to 18.2%; the gate stays at 30.
    assert result.result("retention_7").control_mean == pytest.approx(0.1902, abs=1e-4)
    assert result.result("retention_7").treatment_mean == pytest.approx(0.1820, abs=1e-4)
    assert result.decision.verdict == "rollback"
    assert "primary metric retention_7 is significantly worse" in reasons_text(result)[0]


def _units(
    n: int, effects: dict[str, float], seed: int = 0, guard: dict[str, float] | None = None
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    guard = guard or {}
    for variant, lift in effects.items():
        pre = rng.gamma(2.0, 10.0, n)
        frames.append(
            pd.DataFrame(
                {
                    "arm": variant,
                    "pre": pre,
                    "y": 0.5 * pre + rng.normal(20, 5, n) + lift,
                    "latency": rng.normal(100 + guard.get(variant, 0.0), 10, n),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["id"] = np.arange(len(out))
    return out


def _spec(**exp: Any) -> dict[str, Any]:
    return {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm"}},
        "metrics": {
            "y": {"type": "mean", "source": "u", "column": "y", "covariate": "pre"},
            "latency": {
                "type": "mean",
                "source": "u",
                "column": "latency",
                "direction": "decrease",
            },
        },
        "experiments": {
            "e": {
                "control": "a",
                "primary": "y",
                "guardrails": [{"metric": "latency", "margin": 0.02}],
                **exp,
            }
        },
    }


def test_ship_when_primary_wins_and_guardrails_hold() -> None:
    result = proxymetric.analyze(_spec(), data={"u": _units(4000, {"a": 0.0, "b": 1.0})})
    assert result.decision.verdict == "ship"
    assert result.decision.variant == "b"
    assert any("guardrail latency is non-inferior" in r for r in reasons_text(result))
    r = result.result("y")
    assert r.variance_reduction is not None
    assert r.variance_reduction > 0.5
    assert r.control_unadjusted_mean != r.control_mean


def test_rollback_when_a_guardrail_is_significantly_worse() -> None:
    data = _units(4000, {"a": 0.0, "b": 1.0}, guard={"b": 3.0})  # latency +3% (lower is better)
    result = proxymetric.analyze(_spec(), data={"u": data})
    assert result.decision.verdict == "rollback"
    assert any("guardrail latency is significantly worse" in r for r in reasons_text(result))
    assert result.result("latency").better is False


def test_keep_testing_then_inconclusive_at_the_planned_sample() -> None:
    data = {"u": _units(300, {"a": 0.0, "b": 0.0}, seed=3)}
    assert proxymetric.analyze(_spec(), data=data).decision.verdict == "keep_testing"
    done = proxymetric.analyze(_spec(planned_units=600), data=data)
    assert done.decision.verdict == "inconclusive"
    assert "the planned sample of 600 units is reached" in reasons_text(done)[-1]


def test_srm_overrides_the_decision() -> None:
    data = _units(4000, {"a": 0.0, "b": 1.0})
    data = data.drop(data.index[:400])  # lose 10% of the control
    result = proxymetric.analyze(_spec(), data={"u": data})
    assert result.srm.mismatch
    assert result.decision.verdict == "inconclusive"
    assert reasons_text(result)[0].startswith("SAMPLE RATIO MISMATCH")


def test_abn_compares_each_treatment_with_the_control() -> None:
    data = _units(3000, {"a": 0.0, "b": 0.0, "c": 1.5}, seed=5)
    result = proxymetric.analyze(_spec(), data={"u": data})
    assert result.variants == ["a", "b", "c"]
    assert {(r.metric, r.variant) for r in result.results} == {
        ("y", "b"),
        ("y", "c"),
        ("latency", "b"),
        ("latency", "c"),
    }
    # Holm over the two primary comparisons (statsmodels reference).
    raw = [result.result("y", v).pvalue for v in ("b", "c")]
    ref = multipletests(raw, method="holm")[1]
    assert [result.result("y", v).pvalue_adjusted for v in ("b", "c")] == pytest.approx(list(ref))
    assert result.decision.verdict == "ship"
    assert result.decision.variant == "c"


def test_benjamini_hochberg_on_request() -> None:
    data = _units(3000, {"a": 0.0, "b": 0.3, "c": 0.5}, seed=6)
    result = proxymetric.analyze(_spec(correction="bh"), data={"u": data})
    raw = [result.result("y", v).pvalue for v in ("b", "c")]
    ref = multipletests(raw, method="fdr_bh")[1]
    assert [result.result("y", v).pvalue_adjusted for v in ("b", "c")] == pytest.approx(list(ref))


def test_swapping_control_and_treatment_flips_effects() -> None:
    data = {"u": _units(2000, {"a": 0.0, "b": 0.7}, seed=8)}
    ab = proxymetric.analyze(_spec(), data=data).result("y")
    ba = proxymetric.analyze(_spec(control="b"), data=data).result("y")
    assert ba.effect == pytest.approx(-ab.effect, rel=1e-9)
    assert ba.pvalue == pytest.approx(ab.pvalue, rel=1e-6)


def test_row_order_changes_nothing() -> None:
    data = _units(2000, {"a": 0.0, "b": 0.7}, seed=9)
    shuffled = data.sample(frac=1.0, random_state=1)
    a = proxymetric.analyze(_spec(), data={"u": data}).result("y")
    b = proxymetric.analyze(_spec(), data={"u": shuffled}).result("y")
    assert a.effect == pytest.approx(b.effect, rel=1e-9)
    assert a.pvalue == pytest.approx(b.pvalue, rel=1e-7)


def test_a_variant_with_no_units() -> None:
    data = _units(100, {"a": 0.0, "b": 0.0})
    with pytest.raises(
        DataError,
        match="variant\\(s\\) 'c' of experiment 'e' have no units; variants in the data: a, b",
    ):
        proxymetric.analyze(_spec(variants=["a", "b", "c"]), data={"u": data})
    with pytest.raises(DataError, match="control variant 'z' of experiment 'e' has no units"):
        proxymetric.analyze(_spec(control="z"), data={"u": data})


def test_experiment_must_be_chosen_when_several(cookie_cats_spec: Path) -> None:
    spec = proxymetric.load_spec(cookie_cats_spec).model_dump()
    spec["experiments"]["other"] = spec["experiments"]["gate-40"]
    with pytest.raises(ProxymetricError, match="the spec defines 2 experiments; choose one"):
        proxymetric.analyze(spec)
    with pytest.raises(
        ProxymetricError,
        match="`experiment` 'gate-41' is not defined; defined experiments: gate-40, other",
    ):
        proxymetric.analyze(spec, experiment="gate-41")


def test_undefined_primary_keeps_testing() -> None:
    data = _units(100, {"a": 0.0, "b": 0.0})
    data.loc[data.arm == "b", "y"] = np.nan
    result = proxymetric.analyze(_spec(), data={"u": data})
    assert math.isnan(result.result("y").pvalue)
    assert result.decision.verdict == "keep_testing"
    assert "primary metric y is undefined" in reasons_text(result)[0]


def test_json_contract_keys(cookie_cats_spec: Path) -> None:
    d = proxymetric.analyze(cookie_cats_spec).to_dict()
    assert {"experiment", "control", "units", "srm", "results", "decision"} <= set(d)
    assert {"pvalue", "mismatch"} <= set(d["srm"])
    assert set(d["decision"]) >= {"verdict", "reasons"}
    keys = {
        "metric",
        "role",
        "variant",
        "control_mean",
        "treatment_mean",
        "effect",
        "effect_ci_lower",
        "effect_ci_upper",
        "rel_effect",
        "rel_effect_ci_lower",
        "rel_effect_ci_upper",
        "pvalue",
        "pvalue_adjusted",
        "variance_reduction",
        "margin",
        "noninferiority_pvalue",
    }
    for r in d["results"]:
        assert keys <= set(r)


def test_effect_covariance_matches_numpy() -> None:
    # Reference: for plain means, cov(effect_a, effect_b) = cov_t(a, b)/n_t + cov_c(a, b)/n_c
    # from np.cov of the unit-level columns; the diagonal equals effect_se squared.
    data = _units(1500, {"a": 0.0, "b": 0.5}, seed=10)
    spec = _spec()
    spec["metrics"]["y"] = {"type": "mean", "source": "u", "column": "y"}
    result = proxymetric.analyze(spec, data={"u": data}, effect_covariance=True)
    cov = result.effect_covariance["b"]
    ref = np.zeros((2, 2))
    for _, g in data.groupby("arm"):
        ref += np.cov(g[["y", "latency"]].to_numpy(), rowvar=False) / len(g)
    assert cov["y"]["latency"] == pytest.approx(ref[0, 1], rel=1e-9)
    assert cov["y"]["y"] == pytest.approx(result.result("y").effect_se ** 2, rel=1e-9)
    assert cov["latency"]["latency"] == pytest.approx(ref[1, 1], rel=1e-9)
    # Without the option, covariances across metrics are not computed: unknown, not zero.
    lean = proxymetric.analyze(spec, data={"u": data}).effect_covariance["b"]
    assert np.isnan(lean["y"]["latency"])
    assert lean["y"]["y"] == pytest.approx(cov["y"]["y"], rel=1e-12)


def test_fingerprint_depends_on_the_data_not_its_order() -> None:
    data = _units(500, {"a": 0.0, "b": 0.5}, seed=11)
    a = proxymetric.analyze(_spec(), data={"u": data}).fingerprint
    b = proxymetric.analyze(_spec(), data={"u": data.sample(frac=1.0, random_state=2)}).fingerprint
    c = proxymetric.analyze(_spec(), data={"u": data.iloc[1:]}).fingerprint
    assert a == b
    assert a != c
    # Options that compute more covariances do not change the fingerprint of the same data.
    assert proxymetric.analyze(_spec(), data={"u": data}, effect_covariance=True).fingerprint == a


def test_folds_partition_the_units_and_merge_back() -> None:
    # The two halves are split by a hash of the unit in the same query; their merged moments
    # give the same analysis as no split at all, and the two halves estimate the same effect
    # with independent errors: each half has about twice the variance of the whole, so their
    # difference has a standard deviation of about 2 * effect_se (bound: 6 of those).
    data = _units(3000, {"a": 0.0, "b": 0.8}, seed=12)
    plain = proxymetric.analyze(_spec(), data={"u": data})
    split = proxymetric.analyze(_spec(), data={"u": data}, folds=True)
    for r, s in zip(plain.results, split.results, strict=True):
        assert s.effect == pytest.approx(r.effect, rel=1e-9)
        assert s.pvalue == pytest.approx(r.pvalue, rel=1e-7)
        assert r.effect_fold1 is None
        assert s.effect_fold1 is not None
        assert s.effect_fold2 is not None
        assert s.effect_fold1 != s.effect_fold2
        # Both halves estimate the same effect: within a few standard errors of a half.
        assert abs(s.effect_fold1 - s.effect_fold2) < 6 * 2 * s.effect_se

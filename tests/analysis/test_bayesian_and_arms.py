"""The Bayesian view of an analysis, pooled treatment arms and long-running holdouts.

References: the normal closed forms (``scipy.stats.norm``) for the posterior of each result;
for pooled arms, the same data analysed with the pooled variants relabelled as one (the
analysis of the pooled arm directly); for holdouts, the chi-square SRM test of scipy against the
declared 5/95 split and statsmodels' ``NormalIndPower`` with ``ratio = 19`` for the plan.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.power import NormalIndPower

from proxymetric import analyze
from proxymetric.design import plan
from proxymetric.errors import SpecError
from proxymetric.experiment import resolve
from proxymetric.report import to_json


def _data(n: int, arms: tuple[str, ...], p: tuple[float, ...], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = rng.choice(np.array(arms), n, p=np.array(p))
    lift = {a: 0.25 * i for i, a in enumerate(arms)}
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "arm": arm,
            "y": rng.normal(10, 4, n) + np.vectorize(lift.get)(arm),
            "c": (rng.random(n) < 0.3).astype(float),
        }
    )


def _spec(**exp: Any) -> dict[str, Any]:
    return {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm"}},
        "metrics": {
            "y": {"type": "mean", "source": "u", "column": "y", "expected_effect": 0.02},
            "c": {"type": "proportion", "source": "u", "column": "c"},
        },
        "experiments": {
            "e": {"control": "a", "primary": "y", "secondary": ["c"], "units_per_day": 500, **exp}
        },
    }


def test_the_bayesian_view_is_the_normal_posterior_of_each_result() -> None:
    data = {"u": _data(3000, ("a", "b"), (0.5, 0.5))}
    flat = analyze(_spec(bayesian={"prior": "flat"}), data=data)
    for r in flat.results:
        b = r.bayesian
        assert b is not None
        z = r.effect / r.effect_se
        # Flat prior: P(better) = 1 - the one-sided normal p-value of the estimate.
        assert b.prob_better == pytest.approx(1 - sps.norm.sf(z), rel=1e-12)
        assert b.effect == r.effect
        assert b.effect_se == r.effect_se
        q = sps.norm.ppf(0.975)
        assert b.rel_effect_ci_upper == pytest.approx(r.rel_effect + q * r.rel_effect_se)
    weak = analyze(_spec(bayesian={"prior_sd": 0.1}), data=data).result("y")
    assert weak.bayesian is not None
    s, t = weak.rel_effect_se, 0.1
    shrunk = weak.rel_effect * t**2 / (t**2 + s**2)  # conjugate normal, prior mean 0
    assert weak.bayesian.rel_effect == pytest.approx(shrunk, rel=1e-12)
    assert weak.bayesian.prior == "weak"
    assert weak.bayesian.prior_sd == 0.1
    # The frequentist numbers stay as they are.
    plain = analyze(_spec(), data=data).result("y")
    assert plain.bayesian is None
    assert plain.pvalue == weak.pvalue
    assert '"bayesian": null' in to_json(plain)


def test_the_bayesian_ship_rule_ships_on_the_expected_loss_threshold() -> None:
    data = {"u": _data(3000, ("a", "b"), (0.5, 0.5), seed=2)}
    base = analyze(_spec(bayesian={}), data=data)
    loss = base.result("y").bayesian.rel_expected_loss  # type: ignore[union-attr]
    assert base.decision.rule == "frequentist"
    below = analyze(
        _spec(bayesian={"ship_rule": True, "max_expected_loss": loss * 1.01}), data=data
    ).decision
    above = analyze(
        _spec(bayesian={"ship_rule": True, "max_expected_loss": loss * 0.99}), data=data
    ).decision
    assert (below.verdict, below.rule) == ("ship", "bayesian")
    assert above.verdict == "keep_testing"
    codes = {r.code for r in above.reasons}
    assert "primary_expected_loss_above" in codes
    reason = next(r for r in below.reasons if r.code == "primary_expected_loss_below")
    assert reason.expected_loss == pytest.approx(loss)


def test_a_ship_rule_needs_a_threshold() -> None:
    with pytest.raises(SpecError, match="`ship_rule: true` needs `max_expected_loss`"):
        resolve(_spec(bayesian={"ship_rule": True}))


def test_pooled_arms_equal_the_pooled_arm_analysed_directly() -> None:
    data = _data(6000, ("a", "b", "c"), (0.4, 0.3, 0.3), seed=4)
    spec = _spec(
        variants=["a", "b", "c"],
        split={"a": 0.4, "b": 0.3, "c": 0.3},
        combine={"bc": ["b", "c"]},
    )
    pooled = analyze(spec, data={"u": data})
    relabelled = data.assign(arm=data.arm.replace({"b": "bc", "c": "bc"}))
    direct = analyze(_spec(split={"a": 0.4, "bc": 0.6}), data={"u": relabelled})
    assert pooled.variants == ["a", "bc"] == direct.variants
    assert pooled.combined == {"bc": ["b", "c"]}
    for metric in ("y", "c"):
        got, want = pooled.result(metric), direct.result(metric)
        for field in ("effect", "effect_se", "pvalue", "pvalue_adjusted", "rel_effect_ci_lower"):
            assert getattr(got, field) == pytest.approx(getattr(want, field), rel=1e-9)
    # One treatment after pooling: the success family has two comparisons, not four.
    assert resolve(spec).primary.alpha == pytest.approx(0.05 / 2)
    # SRM tests the variants as assigned (three of them).
    assert set(pooled.srm.expected_shares) == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("combine", "message"),
    [
        ({"bc": ["b"]}, "needs at least 2"),
        ({"bc": ["a", "b"]}, "includes the control"),
        ({"bc": ["b", "x"]}, "variant 'x', which is not declared"),
        ({"b": ["b", "c"]}, "has the name of a declared variant"),
        ({"bc": ["b", "c"], "cb": ["c", "b"]}, "pooled into both"),
    ],
)
def test_bad_combine_is_a_spec_error(combine: dict[str, list[str]], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        resolve(_spec(variants=["a", "b", "c"], combine=combine))


def test_a_holdout_keeps_its_unequal_split_in_srm_and_plan() -> None:
    data = _data(20_000, ("a", "b"), (0.05, 0.95), seed=6)
    spec = _spec(holdout=True, split={"a": 0.05, "b": 0.95})
    exp = resolve(spec)
    assert exp.treatment_ratio == pytest.approx(19.0)
    result = analyze(spec, data={"u": data})
    assert result.holdout is True
    counts = [result.units["a"], result.units["b"]]
    ref = sps.chisquare(counts, [sum(counts) * 0.05, sum(counts) * 0.95])
    assert result.srm.pvalue == pytest.approx(ref.pvalue, rel=1e-9)
    assert not result.srm.mismatch
    planned = plan(spec, data={"u": data}, days=[28]).metrics[0]
    total = 28 * 500
    d = NormalIndPower().solve_power(nobs1=total / 20, alpha=0.025, power=0.8, ratio=19)
    assert planned.durations[0].rel_mde == pytest.approx(
        d * planned.sd / planned.baseline, rel=2e-3
    )
    # A 50/50 split analysed against it would be a mismatch: the split is what SRM tests.
    equal = analyze(_spec(split={"a": 0.5, "b": 0.5}), data={"u": data})
    assert equal.srm.mismatch
    assert math.isfinite(equal.srm.pvalue)


@pytest.mark.parametrize(
    ("exp", "message"),
    [
        ({"holdout": True}, "needs a `split`"),
        ({"holdout": True, "split": {"a": 0.2, "b": 0.8}}, "holds out 0.2 of the traffic"),
    ],
)
def test_bad_holdout_is_a_spec_error(exp: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        resolve(_spec(**exp))


def test_a_metric_longer_than_the_data_is_not_yet_mature() -> None:
    # A 90-day metric in a 28-day test: no number over the units that happen to have a value,
    # a status and a reason instead; the same metric at 28 days is analysed as usual.
    data = {"u": _data(3000, ("a", "b"), (0.5, 0.5))}
    spec = _spec(secondary=[])
    spec["duration"] = {"days": 28, "max_days": 56}
    spec["metrics"]["y"]["maturity_days"] = 90
    result = analyze(spec, data=data)
    r = result.result("y")
    assert r.status == "immature"
    assert math.isnan(r.effect)
    assert math.isnan(r.pvalue)
    assert math.isnan(r.control_mean)
    assert r.significant is False
    assert r.reason is not None
    assert "needs 90 days after assignment" in r.reason
    assert next(x.code for x in result.decision.reasons) == "primary_immature"
    assert result.decision.verdict == "keep_testing"
    spec["metrics"]["y"]["maturity_days"] = 28
    mature = analyze(spec, data=data).result("y")
    assert mature.status == "mature"
    ref = sps.ttest_ind(
        data["u"].y[data["u"].arm == "b"], data["u"].y[data["u"].arm == "a"], equal_var=False
    )
    assert mature.pvalue == pytest.approx(ref.pvalue, rel=1e-9)


def test_maturity_needs_a_known_span() -> None:
    spec = _spec()
    spec["metrics"]["y"]["maturity_days"] = 90
    with pytest.raises(SpecError, match=r"declare the test's `duration\.days`"):
        resolve(spec)

"""The ship rule, case by case: each test kills a specific wrong version of the rule.

The results are built by hand (the statistics behind them are checked elsewhere), so every
branch of the rule is reached on purpose; the end-to-end cases at the bottom run real data
through ``analyze`` and check the non-inferiority bound and the SRM threshold against scipy.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.power import NormalIndPower

import proxymetric
from proxymetric.analysis.decision import decide
from proxymetric.analysis.result import MetricResult
from proxymetric.report.decision import reasons_text
from proxymetric.stats import srm_test
from proxymetric.stats.estimators import ArmEstimate
from proxymetric.stats.welch import noninferiority_pvalue

ALPHA = 0.05
NO_SRM = srm_test({"a": 1000, "b": 1000})


def _r(
    metric: str,
    role: str,
    variant: str = "b",
    *,
    effect: float = 0.0,
    pvalue: float = 0.5,
    ni: float | None = None,
    direction: str = "increase",
    margin: float | None = None,
) -> MetricResult:
    """A metric result with the fields the rule reads; the rest are plausible fillers."""
    higher = direction == "increase"
    better = None if effect == 0 else (effect > 0) == higher
    guard = role == "guardrail"
    return MetricResult(
        metric=metric,
        role=role,  # type: ignore[arg-type]
        variant=variant,
        metric_type="mean",
        direction=direction,
        control_units=1000,
        treatment_units=1000,
        control_mean=10.0,
        treatment_mean=10.0 + effect,
        control_unadjusted_mean=10.0,
        treatment_unadjusted_mean=10.0 + effect,
        effect=effect,
        effect_se=0.1,
        effect_ci_lower=effect - 0.2,
        effect_ci_upper=effect + 0.2,
        rel_effect=effect / 10.0,
        rel_effect_ci_lower=(effect - 0.2) / 10.0,
        rel_effect_ci_upper=(effect + 0.2) / 10.0,
        rel_effect_se=0.01,
        statistic=effect / 0.1,
        df=1998.0,
        pvalue=pvalue,
        pvalue_adjusted=None if guard else pvalue,
        significant=(pvalue < ALPHA) and not guard,
        better=better,
        variance_reduction=None,
        cuped_theta=None,
        margin=(margin if margin is not None else 0.05) if guard else None,
        margin_type="relative" if guard else None,
        noninferiority_pvalue=ni if guard else None,
        reason=None,
    )


def _decide(results: list[MetricResult], variants: list[str] | None = None, **kw: Any) -> Any:
    return decide(results, variants or ["b"], NO_SRM, ALPHA, **kw)


def test_ship_needs_every_guardrail_shown_noninferior() -> None:
    primary = _r("y", "primary", effect=1.0, pvalue=0.001)
    ok = _r("latency", "guardrail", ni=0.001)
    pending = _r("errors", "guardrail", ni=0.30)  # not worse, but not shown non-inferior yet
    assert _decide([primary, ok]).verdict == "ship"
    decision = _decide([primary, ok, pending])
    assert decision.verdict == "keep_testing"
    codes = [r.code for r in decision.reasons]
    assert "guardrail_not_noninferior" in codes


def test_an_undefined_primary_never_hides_a_worse_guardrail() -> None:
    primary = dataclasses.replace(
        _r("y", "primary"), pvalue=math.nan, pvalue_adjusted=math.nan, reason="missing values"
    )
    worse = _r("latency", "guardrail", effect=-1.0, pvalue=0.001, ni=0.9)
    assert _decide([primary, worse]).verdict == "rollback"
    calm = _r("latency", "guardrail", ni=0.001)
    decision = _decide([primary, calm])
    assert decision.verdict == "keep_testing"
    assert decision.reasons[0].code == "primary_undefined"


@pytest.mark.parametrize("direction", ["increase", "decrease"])
def test_the_best_of_several_shippable_treatments_ships(direction: str) -> None:
    # Both treatments improve the primary metric significantly; "c" by more, in the metric's
    # better direction (a larger effect when higher is better, a more negative one else).
    sign = 1.0 if direction == "increase" else -1.0
    results = [
        _r("y", "primary", "b", effect=sign * 1.0, pvalue=0.001, direction=direction),
        _r("y", "primary", "c", effect=sign * 2.0, pvalue=0.001, direction=direction),
        _r("g", "guardrail", "b", ni=0.001),
        _r("g", "guardrail", "c", ni=0.001),
    ]
    decision = _decide(results, ["b", "c"])
    assert decision.verdict == "ship"
    assert decision.variant == "c"
    assert decision.reasons[0].code == "best_of_shippable"


def test_rollback_needs_every_treatment_rolled_back() -> None:
    worse_b = _r("y", "primary", "b", effect=-1.0, pvalue=0.001)
    flat_c = _r("y", "primary", "c", effect=0.1, pvalue=0.6)
    assert _decide([worse_b, flat_c], ["b", "c"]).verdict == "keep_testing"
    worse_c = _r("y", "primary", "c", effect=-1.0, pvalue=0.001)
    assert _decide([worse_b, worse_c], ["b", "c"]).verdict == "rollback"


def test_deterioration_within_the_margin_rolls_back_by_default_not_under_the_margin_rule() -> None:
    # -2% with a 5% margin: non-inferior, but significantly worse than control.
    primary = _r("y", "primary", effect=1.0, pvalue=0.001)
    guard = _r("g", "guardrail", effect=-0.2, pvalue=0.001, ni=0.001)
    default = _decide([primary, guard])
    assert default.verdict == "rollback"
    assert default.guardrail_rule == "deterioration"
    margin_rule = _decide([primary, guard], guardrail_rule="margin")
    assert margin_rule.verdict == "ship"
    # Worse than the margin itself (the complement of the non-inferiority p-value < alpha).
    beyond = _r("g", "guardrail", effect=-0.8, pvalue=1e-6, ni=0.99)
    assert _decide([primary, beyond], guardrail_rule="margin").verdict == "rollback"
    # Not yet non-inferior, not beyond the margin: keep testing under either rule.
    unsure = _r("g", "guardrail", effect=-0.2, pvalue=0.2, ni=0.2)
    assert _decide([primary, unsure], guardrail_rule="margin").verdict == "keep_testing"


def test_planned_sample_reached_is_inconclusive() -> None:
    flat = _r("y", "primary", effect=0.1, pvalue=0.6)
    assert _decide([flat], planned_units=2000, total_units=1999).verdict == "keep_testing"
    assert _decide([flat], planned_units=2000, total_units=2000).verdict == "inconclusive"


def _units(n: int, lift: float, latency_lift: float, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for arm, y_lift, lat_lift in (("a", 0.0, 0.0), ("b", lift, latency_lift)):
        frames.append(
            pd.DataFrame(
                {
                    "arm": arm,
                    "y": rng.normal(10 + y_lift, 2, n),
                    "latency": rng.lognormal(np.log(100), 0.3, n) * (1 + lat_lift),
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
            "y": {"type": "mean", "source": "u", "column": "y", "expected_effect": 0.01},
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
                "guardrails": [{"metric": "latency", "margin": 0.05}],
                **exp,
            }
        },
    }


def test_the_deterioration_sentence_reads_right() -> None:
    # Latency 2% worse (lower is better) with a 5% margin: non-inferior, significantly worse.
    data = _units(20_000, 0.3, 0.02)
    result = proxymetric.analyze(_spec(), data={"u": data})
    g = result.result("latency")
    assert g.rel_effect_ci_lower > 0  # significantly worse
    assert g.noninferiority_pvalue is not None
    assert g.noninferiority_pvalue < ALPHA
    assert result.decision.verdict == "rollback"
    text = reasons_text(result)
    assert any(
        "non-inferior at its 5.0% margin, but significantly worse than control" in t
        and "the deterioration rule rolls back" in t
        for t in text
    )
    alt = proxymetric.analyze(_spec(guardrail_rule="margin"), data={"u": data})
    assert alt.decision.verdict == "ship"
    assert any(
        "the margin rule accepts a deterioration within the margin" in t for t in reasons_text(alt)
    )


@pytest.mark.parametrize("margin", [0.02, 0.05])
def test_relative_noninferiority_of_a_lower_is_better_guardrail_against_scipy(
    margin: float,
) -> None:
    # H0: latency_t / latency_c >= 1 + margin (worse by at least the margin, lower is better).
    # Reference: the log-ratio statistic from the raw data with numpy (delta method, Welch df)
    # and scipy's t distribution.
    data = _units(5000, 0.0, 0.01, seed=4)
    c = data[data.arm == "a"].latency.to_numpy()
    t = data[data.arm == "b"].latency.to_numpy()
    a_c = c.var(ddof=1) / (len(c) * c.mean() ** 2)
    a_t = t.var(ddof=1) / (len(t) * t.mean() ** 2)
    s = math.sqrt(a_c + a_t)
    df = (a_c + a_t) ** 2 / (a_c**2 / (len(c) - 1) + a_t**2 / (len(t) - 1))
    stat = (math.log(t.mean() / c.mean()) - math.log(1 + margin)) / s
    reference = float(sps.t.cdf(stat, df))
    arms = [
        ArmEstimate(len(x), float(x.mean()), float(x.var(ddof=1)), float(x.mean()), 0.0)
        for x in (c, t)
    ]
    got = noninferiority_pvalue(arms[0], arms[1], margin, higher_is_better=False)
    assert got == pytest.approx(reference, rel=1e-9)
    result = proxymetric.analyze(
        _spec(guardrails=[{"metric": "latency", "margin": margin}]), data={"u": data}
    )
    assert result.result("latency").noninferiority_pvalue == pytest.approx(reference, rel=1e-9)


def _srm_counts(target: float) -> tuple[int, int]:
    """Two arm sizes (50/50 planned) whose chi-square SRM p-value is just below ``target``."""
    n = 20_000
    for extra in range(2000):
        p = sps.chisquare([n + extra, n - extra]).pvalue
        if p < target:
            return n + extra, n - extra
    raise AssertionError("no counts found")


def test_the_srm_threshold_is_one_in_a_thousand() -> None:
    # Reference: scipy's chisquare; counts with p just below 0.001 and just above it.
    below = _srm_counts(0.001)
    p_below = sps.chisquare(list(below)).pvalue
    assert 0.0005 < p_below < 0.001
    assert srm_test({"a": below[0], "b": below[1]}).mismatch
    above = (below[0] - 1, below[1] + 1)
    p_above = sps.chisquare(list(above)).pvalue
    assert 0.001 <= p_above < 0.0015
    assert not srm_test({"a": above[0], "b": above[1]}).mismatch


def test_keep_testing_says_how_many_more_units_and_days() -> None:
    # No effect yet on 2 x 3,000 units; y has sd 2 around 10 and an expected effect of 1%:
    # statsmodels' z-test sample size at the level the analysis uses (one success metric,
    # one treatment: 0.05) and 80% power.
    data = _units(3000, 0.0, 0.0, seed=7)
    result = proxymetric.analyze(_spec(units_per_day=500), data={"u": data})
    assert result.decision.verdict == "keep_testing"
    control = data[data.arm == "a"].y
    effect = 0.01 * control.mean() / control.std(ddof=1)
    per_arm = NormalIndPower().solve_power(effect_size=effect, alpha=0.05, power=0.8)
    needed = result.decision.units_needed
    assert needed is not None
    assert needed == pytest.approx(2 * math.ceil(per_arm), abs=2)
    assert result.decision.days_needed == pytest.approx((needed - 6000) / 500)
    assert any("keep testing: y reaches the planned power" in t for t in reasons_text(result))

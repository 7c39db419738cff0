"""Per-metric levels, alternatives and multiple-testing families, the same in every verb.

References: scipy's Welch t-test (``ttest_ind(equal_var=False, alternative=...)``, its p-value
and its confidence interval), statsmodels' ``multipletests`` (Holm, Benjamini-Hochberg) for the
adjusted p-values within each family, and statsmodels' ``NormalIndPower`` for the MDE that plan
and check size at the analysis's level.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower

from proxymetric import analyze
from proxymetric.analysis.sequential import analyze_sequential
from proxymetric.check import check_spec
from proxymetric.design import plan
from proxymetric.errors import SpecError
from proxymetric.experiment import resolve


def _units(n: int, arms: tuple[str, ...] = ("a", "b"), seed: int = 0, lift: float = 0.3) -> Any:
    rng = np.random.default_rng(seed)
    arm = rng.choice(np.array(arms), n)
    k = np.searchsorted(np.array(sorted(arms)), arm)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "arm": arm,
            "y": rng.normal(10, 4, n) + lift * (k > 0),
            "z": rng.normal(5, 1, n) + 0.05 * k,
        }
    )


def _spec(metrics: dict[str, Any] | None = None, **exp: Any) -> dict[str, Any]:
    y = {"type": "mean", "source": "u", "column": "y", "expected_effect": 0.05}
    z = {"type": "mean", "source": "u", "column": "z", "expected_effect": 0.02}
    for name, extra in (metrics or {}).items():
        (y if name == "y" else z).update(extra)
    return {
        "duration": {"days": 14, "max_days": 56},
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm"}},
        "metrics": {"y": y, "z": z},
        "experiments": {
            "e": {"control": "a", "primary": "y", "secondary": ["z"], "units_per_day": 400, **exp}
        },
    }


def _scipy_welch(data: pd.DataFrame, column: str, variant: str, **kw: Any) -> Any:
    a = data.loc[data.arm == "a", column].to_numpy()
    b = data.loc[data.arm == variant, column].to_numpy()
    return sps.ttest_ind(b, a, equal_var=False, **kw)


def test_one_sided_metric_at_its_own_alpha_in_analyze_plan_and_check() -> None:
    # y is tested one-sided (greater) at its own alpha 0.1; z two-sided at the experiment's
    # 0.05; Holm over the two success metrics.
    spec = _spec({"y": {"alpha": 0.1, "alternative": "greater"}})
    data = _units(4000)
    exp = resolve(spec)
    y, z = exp.metrics
    assert (y.level, y.alternative, y.family_size, y.one_sided) == (0.1, "greater", 2, True)
    assert y.alpha == pytest.approx(0.05)
    assert z.alpha == pytest.approx(0.025)
    result = analyze(spec, data={"u": data})
    ry, rz = result.result("y"), result.result("z")
    ref_y = _scipy_welch(data, "y", "b", alternative="greater")
    ref_z = _scipy_welch(data, "z", "b")
    assert ry.pvalue == pytest.approx(ref_y.pvalue, rel=1e-9)
    assert rz.pvalue == pytest.approx(ref_z.pvalue, rel=1e-9)
    ci = ref_y.confidence_interval(confidence_level=0.9)
    assert ry.effect_ci_lower == pytest.approx(ci.low, rel=1e-9)
    assert ry.effect_ci_upper == math.inf == ci.high
    assert (ry.alpha, ry.alternative) == (0.1, "greater")
    assert ry.confidence_level == pytest.approx(0.9)
    holm = multipletests([ry.pvalue, rz.pvalue], method="holm")[1]
    assert [ry.pvalue_adjusted, rz.pvalue_adjusted] == pytest.approx(list(holm), rel=1e-12)
    assert ry.significant == (holm[0] < 0.1)
    assert rz.significant == (holm[1] < 0.05)
    # plan sizes y one-sided at 0.1 / 2, as the analysis's first Holm step.
    planned = plan(spec, data={"u": data}, days=[14])
    py = planned.metrics[0]
    assert py.alpha == pytest.approx(0.05)
    assert py.alternative == "greater"
    d = NormalIndPower().solve_power(
        nobs1=14 * 400 / 2, alpha=0.05, power=0.8, alternative="larger"
    )
    assert py.durations[0].rel_mde == pytest.approx(d * py.sd / py.baseline, rel=2e-3)
    # check, given plan's baseline, quotes the same MDE.
    spec["metrics"]["y"]["baseline_mean"] = py.baseline
    spec["metrics"]["y"]["baseline_sd"] = py.sd
    sensitive = check_spec(spec).row("y").cell("sensitive")
    assert sensitive.value == pytest.approx(py.durations[0].rel_mde, rel=1e-9)


def test_the_level_decides_significance_not_the_experiments_alpha() -> None:
    # A two-sided p-value of 0.062 (scipy), between the experiment's alpha (0.05) and the
    # metric's own (0.1): significant, and shipped, only because of the metric's level (a rule
    # comparing with the experiment's alpha fails this).
    data = _units(4000, lift=0.2, seed=27)
    p = _scipy_welch(data, "y", "b").pvalue
    assert 0.05 < p < 0.1
    spec = _spec({"y": {"alpha": 0.1}}, secondary=[])
    result = analyze(spec, data={"u": data})
    assert result.result("y").pvalue == pytest.approx(p, rel=1e-9)
    assert result.result("y").significant
    assert result.decision.verdict == "ship"
    plain = analyze(_spec(secondary=[]), data={"u": data})
    assert not plain.result("y").significant
    assert plain.decision.verdict == "keep_testing"


@pytest.mark.parametrize("family", ["both", "metrics", "treatments", "none"])
@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_the_declared_family_is_the_one_corrected(family: str, correction: str) -> None:
    data = _units(3000, ("a", "b", "c"), seed=1, lift=0.2)
    spec = _spec(variants=["a", "b", "c"], family=family, correction=correction)
    result = analyze(spec, data={"u": data})
    rows = [r for r in result.results if r.role != "guardrail"]
    fields = {"both": (), "metrics": ("variant",), "treatments": ("metric",)}
    groups: dict[Any, list[Any]] = {}
    for r in rows:
        chosen = fields.get(family, ("metric", "variant"))
        groups.setdefault(tuple(getattr(r, f) for f in chosen), []).append(r)
    method = {"holm": "holm", "bh": "fdr_bh"}[correction]
    for members in groups.values():
        ref = multipletests([r.pvalue for r in members], method=method)[1]
        assert [r.pvalue_adjusted for r in members] == pytest.approx(list(ref), rel=1e-12)
    size = {"both": 4, "metrics": 2, "treatments": 2, "none": 1}[family]
    assert {len(g) for g in groups.values()} == {size}
    assert resolve(spec).primary.alpha == pytest.approx(0.05 / size)
    assert result.family == family


def test_sequential_looks_use_each_metrics_level() -> None:
    import datetime as dt

    rng = np.random.default_rng(5)
    n = 1400
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assign = pd.DataFrame(
        {
            "user_id": np.arange(n),
            "variant": rng.choice(["a", "b"], n),
            "ts": [start + dt.timedelta(hours=int(h)) for h in rng.integers(0, 24 * 7, n)],
        }
    )
    events = pd.DataFrame(
        {
            "user_id": np.arange(n),
            "ts": assign.ts + dt.timedelta(hours=1),
            "amount": rng.gamma(2.0, 5.0, n),
        }
    )
    spec = {
        "sources": {
            "assignments": {
                "table": "assignments",
                "unit": "user_id",
                "variant": "variant",
                "timestamp": "ts",
            },
            "events": {"table": "events", "unit": "user_id", "timestamp": "ts"},
        },
        "metrics": {
            "revenue": {
                "type": "mean",
                "source": "events",
                "aggregate": "sum",
                "column": "amount",
                "alpha": 0.1,
                "covariate": "none",
            },
        },
        "experiments": {"e": {"control": "a", "assignment": "assignments", "primary": "revenue"}},
    }
    looks = analyze_sequential(spec, data={"assignments": assign, "events": events})
    assert looks.results[0].alpha == 0.1


@pytest.mark.parametrize(
    ("metrics", "exp", "message"),
    [
        ({"y": {"alternative": "less"}}, {}, "`alternative` 'less' tests for a change away"),
        ({"y": {"alternative": "bigger"}}, {}, "alternative"),
        ({"y": {"alpha": 0.7}}, {}, "alpha"),
        (
            {"z": {"alternative": "greater"}},
            {"secondary": [], "guardrails": [{"metric": "z", "margin": 0.1}]},
            "applies to success metrics only",
        ),
        ({}, {"family": "everything"}, "family"),
    ],
)
def test_bad_levels_are_spec_errors(
    metrics: dict[str, Any], exp: dict[str, Any], message: str
) -> None:
    with pytest.raises(SpecError, match=message):
        resolve(_spec(metrics, **exp))

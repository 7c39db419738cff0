"""Quantile metrics (`type: quantile`): the difference of a quantile between arms.

References:

- the point quantile is ``numpy.quantile(..., method="linear")`` (DuckDB's ``quantile_cont``),
  to 1e-12; the order statistics at ranks ``n q -/+ z sqrt(n q (1 - q))`` are the sorted values
  interpolated at those (1-based) ranks with ``numpy.interp``, an independent computation;
- the standard error of the difference against a percentile bootstrap of the same data; the
  tolerance adds the Monte Carlo error of the bootstrap (relative SD ``1 / sqrt(2 B)`` for ``B``
  rounds) and the sampling error of the order-statistic estimate (a spacing of ``k`` ranks is a
  sum of ``k`` exponential spacings: relative SD ``1 / sqrt(k)`` per arm), at 4 sigma;
- the coverage of the interval by A/A simulation of lognormal latencies, within 3.5 binomial
  standard errors of the nominal 95%;
- the non-inferiority p-value of a guardrail against ``scipy.stats.norm`` at the margin, and the
  ship rule in both directions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import proxymetric
from proxymetric.data.quantiles import order_statistic_level
from proxymetric.design.plan import plan
from proxymetric.errors import ProxymetricError, SpecError
from proxymetric.report import to_html, to_markdown
from proxymetric.stats.quantile import quantile_difference

Z = float(stats.norm.ppf(0.975))


def _frame(n: int = 3000, seed: int = 5, slower: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latency = np.r_[rng.lognormal(0.0, 1.0, n), slower * rng.lognormal(0.0, 1.0, n)]
    clicks = np.r_[rng.poisson(2.0, n), rng.poisson(2.2, n)]
    arm = np.repeat(["a", "b"], n)
    return pd.DataFrame({"id": np.arange(2 * n), "arm": arm, "latency": latency, "clicks": clicks})


def _spec(q: float = 0.95, guardrail: bool = False, **metric: Any) -> dict[str, Any]:
    p = {"type": "quantile", "q": q, "source": "u", "column": "latency", **metric}
    exp: dict[str, Any] = {"control": "a", "primary": "clicks" if guardrail else "p"}
    if guardrail:
        p["direction"] = "decrease"
        exp["guardrails"] = [{"metric": "p", "margin": 0.05}]
    return {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm"}},
        "metrics": {"p": p, "clicks": {"type": "mean", "source": "u", "column": "clicks"}},
        "experiments": {"e": exp},
    }


def _order_statistics(x: np.ndarray, q: float) -> tuple[float, float, float]:
    """The quantile and the two order statistics, from the sorted values (numpy only)."""
    n = len(x)
    s = np.sort(x)
    half = Z * math.sqrt(n * q * (1 - q))
    ranks = np.arange(1, n + 1)
    low, high = np.interp([n * q - half, n * q + half], ranks, s)
    return float(np.quantile(x, q, method="linear")), float(low), float(high)


@pytest.mark.parametrize("q", [0.5, 0.9, 0.99])
def test_quantiles_and_standard_errors_equal_numpy(q: float) -> None:
    data = _frame()
    r = proxymetric.analyze(_spec(q), data={"u": data}).result("p")
    a = data.latency[data.arm == "a"].to_numpy()
    b = data.latency[data.arm == "b"].to_numpy()
    qa, la, ua = _order_statistics(a, q)
    qb, lb, ub = _order_statistics(b, q)
    assert r.metric_type == "quantile"
    assert r.quantile == q
    assert r.test == "z"
    assert r.control_mean == pytest.approx(np.quantile(a, q), rel=1e-12)
    assert r.treatment_mean == pytest.approx(np.quantile(b, q), rel=1e-12)
    assert r.effect == pytest.approx(qb - qa, rel=1e-12)
    se_a, se_b = (ua - la) / (2 * Z), (ub - lb) / (2 * Z)
    assert r.effect_se == pytest.approx(math.hypot(se_a, se_b), rel=1e-12)
    assert r.effect_ci_lower == pytest.approx(qb - qa - Z * r.effect_se, rel=1e-12)
    assert r.pvalue == pytest.approx(2 * stats.norm.sf(abs(qb - qa) / r.effect_se), rel=1e-9)
    # relative effect: the delta method of Q_b / Q_a - 1
    rel_se = math.sqrt(se_b**2 / qa**2 + qb**2 * se_a**2 / qa**4)
    assert r.rel_effect == pytest.approx(qb / qa - 1, rel=1e-12)
    assert r.rel_effect_se == pytest.approx(rel_se, rel=1e-12)
    assert r.rel_effect_ci_upper == pytest.approx(qb / qa - 1 + Z * rel_se, rel=1e-12)


def test_standard_error_matches_a_bootstrap_of_the_same_data() -> None:
    n, rounds, q = 20_000, 600, 0.9
    data = _frame(n=n, seed=11)
    r = proxymetric.analyze(_spec(q), data={"u": data}).result("p")
    rng = np.random.default_rng(12)
    boot = np.zeros(rounds)
    for arm, sign in (("a", -1.0), ("b", 1.0)):
        x = data.latency[data.arm == arm].to_numpy()
        for i in range(rounds):
            boot[i] += sign * np.quantile(x[rng.integers(0, n, n)], q)
    se_boot = float(boot.std(ddof=1))
    k = 2 * Z * math.sqrt(n * q * (1 - q))  # ranks between the two order statistics
    sigma = math.sqrt(1 / (2 * (rounds - 1)) + 1 / (2 * k))  # two arms of equal weight
    assert abs(r.effect_se / se_boot - 1) < 4 * sigma, (r.effect_se, se_boot, sigma)


@pytest.mark.parametrize("q", [0.5, 0.95])
def test_aa_coverage_for_lognormal_latency(q: float) -> None:
    # The engine's order statistics are numpy's at the same levels (test above); here the
    # levels of `order_statistic_level` feed `numpy.quantile`, thousands of times.
    n, reps, level = 1000, 2000, 0.95
    rng = np.random.default_rng(21)
    covered = 0
    for _ in range(reps):
        arms = []
        for _ in range(2):
            x = rng.lognormal(0.0, 1.0, n)
            levels = [q, order_statistic_level(n, q, Z, -1), order_statistic_level(n, q, Z, 1)]
            value, low, high = np.quantile(x, levels)
            arms.append((float(value), float(high - low) / (2 * Z)))
        d = quantile_difference(arms[0][0], arms[0][1], arms[1][0], arms[1][1])
        covered += d.ci_lower <= 0 <= d.ci_upper
    tolerance = 3.5 * math.sqrt(level * (1 - level) / reps)
    assert abs(covered / reps - level) < tolerance, covered / reps


def test_order_statistic_levels_are_the_ranks_of_quantile_cont() -> None:
    # quantile_cont at level p reads the (1-based) rank 1 + p (n - 1)
    n, q = 101, 0.5
    half = Z * math.sqrt(n * q * (1 - q))
    assert 1 + order_statistic_level(n, q, Z, -1) * (n - 1) == pytest.approx(n * q - half)
    assert 1 + order_statistic_level(n, q, Z, 1) * (n - 1) == pytest.approx(n * q + half)
    assert order_statistic_level(10, 0.99, Z, 1) == 1.0  # clipped to the largest value


@pytest.mark.parametrize(("slower", "verdict"), [(1.0, "ship"), (1.3, "rollback")])
def test_p95_guardrail_in_the_ship_rule(slower: float, verdict: str) -> None:
    data = _frame(n=50_000, seed=8, slower=slower)
    result = proxymetric.analyze(_spec(0.95, guardrail=True), data={"u": data})
    g = result.result("p")
    assert g.role == "guardrail"
    assert g.margin == 0.05
    # H0 of non-inferiority, lower is better: rel_effect >= margin; one-sided z test
    ni = stats.norm.sf((0.05 - g.rel_effect) / g.rel_effect_se)
    assert g.noninferiority_pvalue == pytest.approx(ni, rel=1e-9)
    assert result.decision.verdict == verdict
    if verdict == "ship":
        assert g.noninferiority_pvalue is not None
        assert g.noninferiority_pvalue < 0.05
    else:
        assert g.better is False
        assert g.pvalue < 0.05


def test_margin_rule_rolls_back_beyond_the_margin_only() -> None:
    spec = _spec(0.95, guardrail=True)
    spec["experiments"]["e"]["guardrail_rule"] = "margin"
    # 3% slower: worse, but not shown beyond the 5% margin -> no rollback
    near = proxymetric.analyze(spec, data={"u": _frame(n=20_000, seed=9, slower=1.03)})
    assert near.decision.verdict != "rollback"
    far = proxymetric.analyze(spec, data={"u": _frame(n=20_000, seed=9, slower=1.3)})
    assert far.decision.verdict == "rollback"
    assert next(x.code for x in far.decision.reasons) == "guardrail_beyond_margin"


def test_quantile_row_in_reports_and_json() -> None:
    result = proxymetric.analyze(_spec(0.95, guardrail=True), data={"u": _frame()})
    md = to_markdown(result)
    assert "| p | guardrail |" in md
    assert "p95 of each arm." in md
    assert "a quantile of the values in each arm" in to_html(result)
    row = next(r for r in result.to_dict()["results"] if r["metric"] == "p")
    assert row["quantile"] == 0.95
    assert row["metric_type"] == "quantile"
    assert row["df"] is None  # a z test
    assert result.effect_covariance["b"]["p"]["p"] == pytest.approx(
        result.result("p").effect_se ** 2
    )
    assert math.isnan(result.effect_covariance["b"]["p"]["clicks"])


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        ({"q": None}, "needs `q` strictly between 0 and 1"),
        ({"q": 1.0}, "got `q: 1.0`"),
        ({"q": 0.0}, "got `q: 0.0`"),
        ({"covariate": "clicks"}, "no `covariate`"),
        ({"cap": 10.0}, "no `cap`"),
    ],
)
def test_spec_errors(metric: dict[str, Any], message: str) -> None:
    spec = _spec()
    spec["metrics"]["p"].update(metric)
    with pytest.raises(SpecError, match=message):
        proxymetric.analyze(spec, data={"u": _frame(n=50)})


def test_q_on_another_metric_type_is_an_error() -> None:
    spec = _spec()
    spec["metrics"]["clicks"]["q"] = 0.5
    with pytest.raises(SpecError, match="`q` is the level of a quantile metric"):
        proxymetric.analyze(spec, data={"u": _frame(n=50)})


def test_plan_sequential_and_combine_refuse_a_quantile_metric() -> None:
    data = {"u": _frame(n=200)}
    with pytest.raises(ProxymetricError, match="`plan` sizes tests of means"):
        plan(_spec(), data=data)
    spec = _spec()
    spec["experiments"]["e"].update(variants=["a", "b", "c"], combine={"bc": ["b", "c"]})
    frame = _frame(n=200)
    frame.loc[frame.index[::3], "arm"] = "c"
    with pytest.raises(ProxymetricError, match="cannot pool arms"):
        proxymetric.analyze(spec, data={"u": frame})


def test_missing_values_make_the_quantile_undefined_unless_filled() -> None:
    data = _frame(n=500)
    data.loc[data.index[::7], "latency"] = np.nan
    r = proxymetric.analyze(_spec(0.5), data={"u": data}).result("p")
    assert math.isnan(r.effect)
    assert math.isnan(r.control_mean)
    assert r.reason is not None
    assert "missing value(s)" in r.reason
    filled = proxymetric.analyze(_spec(0.5, fill_missing=0), data={"u": data}).result("p")
    a = data.latency[data.arm == "a"].fillna(0).to_numpy()
    assert filled.control_mean == pytest.approx(np.quantile(a, 0.5), rel=1e-12)


def test_segments_leave_the_quantile_metric_out() -> None:
    data = _frame(n=500)
    data["country"] = np.where(data.index % 2 == 0, "fr", "de")
    spec = _spec(0.5, guardrail=True)
    result = proxymetric.analyze(spec, data={"u": data}, segments=["country"])
    metrics = {s.metric for b in result.segments for s in b.results}
    assert metrics == {"clicks"}
    alone = proxymetric.analyze(spec, data={"u": data})
    assert result.result("p").effect == alone.result("p").effect

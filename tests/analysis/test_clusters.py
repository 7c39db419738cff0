"""Cluster randomization: randomized by store, measured per order (`analysis_unit`).

References: statsmodels' cluster-robust standard errors (an intercept-only OLS per arm with
`cov_type="cluster"`, CR0 without small-sample correction, times the per-arm factor G/(G-1)
that the delta method's sample variances carry), and an A/A simulation in which the naive
order-level test over-rejects while the clustered one keeps its level.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import proxymetric
from proxymetric.errors import DataError, SpecError


def _orders(
    seed: int, stores: int = 300, effect: float = 0.5, missing: bool = False
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(stores) < 0.5, "control", "treatment")
    level = rng.normal(0, 2, stores)
    parts = []
    for g in range(stores):
        n = int(rng.integers(1, 25))
        y = 10 + level[g] + (arm[g] == "treatment") * effect + rng.normal(0, 1, n)
        parts.append(pd.DataFrame({"store": g, "arm": arm[g], "revenue": y, "big": y > 11}))
    df = pd.concat(parts, ignore_index=True)
    df["order"] = np.arange(len(df))
    if missing:
        df.loc[3, "revenue"] = np.nan
    return df


def _spec(**metric: Any) -> dict[str, Any]:
    return {
        "sources": {
            "orders": {
                "table": "orders",
                "unit": "store",
                "variant": "arm",
                "analysis_unit": "order",
            }
        },
        "metrics": {
            "revenue": {"type": "mean", "source": "orders", "column": "revenue", **metric},
            "big_order": {"type": "proportion", "source": "orders", "column": "big"},
        },
        "experiments": {
            "e": {"control": "control", "primary": "revenue", "secondary": ["big_order"]}
        },
    }


def _cr0_variance_of_mean(y: pd.Series, groups: pd.Series) -> float:
    fit = sm.OLS(y.to_numpy(float), np.ones(len(y))).fit(
        cov_type="cluster", cov_kwds={"groups": groups.to_numpy(), "use_correction": False}
    )
    return float(fit.bse[0] ** 2)


@pytest.mark.parametrize("metric", ["revenue", "big_order"])
def test_the_effect_and_its_error_are_the_cluster_robust_ones(metric: str) -> None:
    df = _orders(1)
    column = {"revenue": "revenue", "big_order": "big"}[metric]
    result = proxymetric.analyze(_spec(), data={"orders": df}).result(metric)
    arms = {a: df[df.arm == a] for a in ("control", "treatment")}
    means = {a: float(d[column].mean()) for a, d in arms.items()}
    var = sum(
        _cr0_variance_of_mean(d[column].astype(float), d.store)
        * d.store.nunique()
        / (d.store.nunique() - 1)
        for d in arms.values()
    )
    assert result.effect == pytest.approx(means["treatment"] - means["control"], rel=1e-12)
    assert result.effect_se == pytest.approx(math.sqrt(var), rel=1e-9)
    assert result.metric_type == "ratio"
    assert result.test == "welch"  # never Fisher's exact test of rows that are not independent
    # the orders are not independent: the naive error is far smaller
    naive = math.sqrt(sum(float(d[column].var()) / len(d) for d in arms.values()))
    assert result.effect_se > 2 * naive


def test_the_sample_ratio_test_counts_randomization_units() -> None:
    df = _orders(2)
    result = proxymetric.analyze(_spec(), data={"orders": df})
    assert result.units == df.groupby("arm").store.nunique().to_dict()
    assert sum(result.units.values()) == 300 < len(df)


def test_a_missing_value_leaves_the_metric_undefined_unless_filled() -> None:
    df = _orders(3, missing=True)
    undefined = proxymetric.analyze(_spec(), data={"orders": df}).result("revenue")
    assert undefined.effect is None or math.isnan(undefined.effect)
    assert undefined.reason
    filled = proxymetric.analyze(_spec(fill_missing=0.0), data={"orders": df}).result("revenue")
    ref = df.fillna({"revenue": 0.0}).groupby("arm").revenue.mean()
    assert filled.effect == pytest.approx(ref["treatment"] - ref["control"], rel=1e-12)


def test_a_clustered_a_a_test_keeps_its_level_where_the_naive_one_does_not() -> None:
    # 200 A/A tests of 60 stores with a strong store effect (intra-class correlation 0.8):
    # the clustered test rejects at 5% within 3 binomial sd (0.015) of 0.05 (a bound of 0.10,
    # the t test with Welch's df is mildly conservative, so only the upper side is asserted
    # strictly), while the naive order-level test rejects far more often.
    rng = np.random.default_rng(7)
    clustered = naive = 0
    sims = 200
    for _ in range(sims):
        stores = 60
        arm = np.where(rng.permutation(stores) < stores // 2, "control", "treatment")
        sizes = rng.integers(5, 30, stores)
        level = rng.normal(0, 2, stores)
        store = np.repeat(np.arange(stores), sizes)
        y = level[store] + rng.normal(0, 1, sizes.sum())
        df = pd.DataFrame({"store": store, "arm": arm[store], "revenue": y, "big": y > 0})
        df["order"] = np.arange(len(df))
        res = proxymetric.analyze(_spec(), data={"orders": df}).result("revenue")
        clustered += res.pvalue < 0.05
        a, b = (df.revenue[df.arm == v] for v in ("control", "treatment"))
        z = (b.mean() - a.mean()) / math.sqrt(a.var() / len(a) + b.var() / len(b))
        naive += math.erfc(abs(z) / math.sqrt(2)) < 0.05
    assert clustered / sims <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / sims)
    assert naive / sims > 0.3


def test_a_store_in_two_variants_is_an_error() -> None:
    df = _orders(4)
    store = df.store.value_counts().index[0]  # a store with several orders
    first = df.index[df.store == store][0]
    df.loc[first, "arm"] = "treatment" if df.loc[first, "arm"] == "control" else "control"
    with pytest.raises(DataError, match="more than one variant"):
        proxymetric.analyze(_spec(), data={"orders": df})


def test_a_missing_analysis_unit_column_is_named() -> None:
    df = _orders(5).drop(columns="order")
    with pytest.raises(DataError, match="'order'"):
        proxymetric.analyze(_spec(), data={"orders": df})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"analysis_unit": "store"}, "is the randomization `unit`"),
        ({"unique": True}, "keep one"),
        ({"timestamp": "t"}, "applies to a unit table"),
    ],
)
def test_contradictory_declarations_are_spec_errors(change: dict[str, Any], message: str) -> None:
    spec = _spec()
    spec["sources"]["orders"].update(change)
    with pytest.raises(SpecError, match=message):
        proxymetric.analyze(spec, data={"orders": _orders(6)})


def test_a_cap_on_a_clustered_source_is_refused() -> None:
    with pytest.raises(SpecError, match="several rows per unit"):
        proxymetric.analyze(_spec(cap=20.0), data={"orders": _orders(6)})


def test_segments_of_a_clustered_source_are_its_stores_analysed_alone() -> None:
    # reference: the same analysis on each region's stores only
    df = _orders(8)
    df["region"] = np.where(df.store % 3 == 0, "north", "south")
    spec = _spec()
    spec["experiments"]["e"]["segments"] = {"columns": ["region"], "min_units": 10}
    result = proxymetric.analyze(spec, data={"orders": df})
    rows = [s for b in result.segments for s in b.results if s.metric == "revenue"]
    assert {s.segment for s in rows} == {"north", "south"}
    for s in rows:
        alone = proxymetric.analyze(_spec(), data={"orders": df[df.region == s.segment]})
        ref = alone.result("revenue")
        assert s.effect == pytest.approx(ref.effect, rel=1e-9)
        assert s.effect_se == pytest.approx(ref.effect_se, rel=1e-9)
        assert s.control_units + s.treatment_units == sum(alone.units.values())

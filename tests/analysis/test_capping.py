"""Capping (winsorization) of a mean metric: `cap:` in the spec, computed in the engine.

Reference: numpy on the same data. The capped values are ``np.minimum(y, cap)``, a percentile
cap is ``np.quantile`` of the pooled values (linear interpolation, DuckDB's exact
``quantile_cont``), the effect and its standard error are Welch's on the capped values, CUPED
is the difference of ``y - theta (x - mean x)`` with ``theta = cov(y, x) / var(x)`` of both arms
pooled, on capped ``y`` and uncapped ``x`` (Deng et al. 2013), and the share capped is the mean of ``y > cap``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import proxymetric
from proxymetric.errors import SpecError
from proxymetric.report import to_html, to_markdown


def _frame(n: int = 4000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(1.0, 1.0, n)
    arm = np.where(rng.random(n) < 0.5, "a", "b")
    y = 0.6 * x * rng.lognormal(0.0, 0.5, n) + (arm == "b") * 0.3
    return pd.DataFrame({"id": np.arange(n), "arm": arm, "y": y, "x": x})


def _spec(cap: Any, covariate: str | None = None) -> dict[str, Any]:
    metric: dict[str, Any] = {"type": "mean", "source": "u", "column": "y", "cap": cap}
    if covariate:
        metric["covariate"] = covariate
    return {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm"}},
        "metrics": {"y": metric},
        "experiments": {"e": {"control": "a", "primary": "y"}},
    }


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    return float(b.mean() - a.mean()), float(
        np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    )


@pytest.mark.parametrize("cap", [12.0, "p99", "p95.5"])
def test_capped_mean_and_variance_equal_numpy(cap: Any) -> None:
    data = _frame()
    y = data["y"].to_numpy()
    value = cap if isinstance(cap, float) else float(np.quantile(y, float(cap[1:]) / 100))
    capped = np.minimum(y, value)
    a, b = capped[data.arm == "a"], capped[data.arm == "b"]
    r = proxymetric.analyze(_spec(cap), data={"u": data}).result("y")
    assert r.cap == pytest.approx(value, rel=1e-12)
    effect, se = _welch(a, b)
    assert r.control_mean == pytest.approx(a.mean(), rel=1e-12)
    assert r.effect == pytest.approx(effect, rel=1e-9)
    assert r.effect_se == pytest.approx(se, rel=1e-9)
    assert r.control_share_capped == pytest.approx(np.mean(y[data.arm == "a"] > value))
    assert r.treatment_share_capped == pytest.approx(np.mean(y[data.arm == "b"] > value))
    assert r.treatment_share_capped is not None
    assert 0 < r.treatment_share_capped < 0.2


def test_cuped_on_the_capped_metric_equals_numpy() -> None:
    data = _frame()
    value = float(np.quantile(data["y"], 0.99))
    y = np.minimum(data["y"].to_numpy(), value)
    x = data["x"].to_numpy()
    # theta from both arms pooled as one sample (docs/architecture.md), then adjusted values.
    groups = [(data.arm == v).to_numpy() for v in ("a", "b")]
    theta = np.cov(y, x, ddof=1)[0, 1] / np.var(x, ddof=1)
    adjusted = y - theta * (x - x.mean())
    effect, se = _welch(adjusted[groups[0]], adjusted[groups[1]])
    r = proxymetric.analyze(_spec("p99", covariate="x"), data={"u": data}).result("y")
    assert r.cuped_theta == pytest.approx(theta, rel=1e-9)
    assert r.effect == pytest.approx(effect, rel=1e-9)
    assert r.effect_se == pytest.approx(se, rel=1e-9)


def test_the_share_capped_is_shown() -> None:
    data = _frame()
    result = proxymetric.analyze(_spec(12.0), data={"u": data})
    share = f"{np.mean(data.y[data.arm == 'a'] > 12.0):.1%}"
    assert f"capped at 12 ({share} of control units" in to_markdown(result)
    assert f"capped at 12 ({share} of control units" in to_html(result)


@pytest.mark.parametrize(
    ("cap", "message"),
    [("p100", "such as 'p99' or 'p99.9'; got 'p100'"), ("99%", "got '99%'")],
)
def test_a_bad_cap_is_refused(cap: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        proxymetric.analyze(_spec(cap), data={"u": _frame(100)})


def test_a_cap_on_a_proportion_is_refused() -> None:
    spec = _spec(1.0)
    spec["metrics"]["y"]["type"] = "proportion"
    with pytest.raises(SpecError, match="`cap` caps the values of a mean metric"):
        proxymetric.load_spec(spec)

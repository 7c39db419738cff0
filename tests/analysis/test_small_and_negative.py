"""The analysis with negative means, tiny variants and rare events: the decision follows the
statistics of ``proxymetric.stats`` (their references are in ``tests/stats``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import proxymetric


def _spec(**exp: Any) -> dict[str, Any]:
    return {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm"}},
        "metrics": {
            "y": {"type": "mean", "source": "u", "column": "y"},
            "profit": {"type": "mean", "source": "u", "column": "profit"},
            "bought": {"type": "proportion", "source": "u", "column": "bought"},
        },
        "experiments": {
            "e": {
                "control": "a",
                "primary": "y",
                "guardrails": [{"metric": "profit", "margin": 0.05}],
                **exp,
            }
        },
    }


def _exact(mean: float, sd: float, n: int, rng: np.random.Generator) -> np.ndarray:
    z = rng.normal(size=n)
    return np.asarray(mean + sd * (z - z.mean()) / z.std(ddof=1))


def _frame(arms: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    out = pd.concat(
        [pd.DataFrame({"arm": arm, **cols}) for arm, cols in arms.items()], ignore_index=True
    )
    out["id"] = np.arange(len(out))
    return out


def test_a_guardrail_loss_5_8_percent_worse_does_not_ship() -> None:
    # profit is a loss: -10 in the control, -10.58 in the treatment (5.8% worse), margin 5%.
    rng = np.random.default_rng(0)
    n = 1000
    bought = np.zeros(n)
    data = _frame(
        {
            "a": {"y": _exact(10, 2, n, rng), "profit": _exact(-10, 9, n, rng), "bought": bought},
            "b": {
                "y": _exact(11, 2, n, rng),
                "profit": _exact(-10.58, 9, n, rng),
                "bought": bought,
            },
        }
    )
    result = proxymetric.analyze(_spec(), data={"u": data})
    profit = result.result("profit")
    assert profit.rel_effect == pytest.approx(-0.058, rel=1e-9)
    assert profit.rel_effect_ci_upper < 0.05
    assert profit.noninferiority_pvalue is not None
    assert profit.noninferiority_pvalue > 0.5
    assert result.result("y").significant
    assert result.decision.verdict == "keep_testing"
    assert any(
        r.code == "guardrail_not_noninferior" and r.metric == "profit"
        for r in result.decision.reasons
    )


def test_two_identical_treatment_units_do_not_ship() -> None:
    rng = np.random.default_rng(1)
    data = _frame(
        {
            "a": {"y": rng.normal(10, 2, 400), "profit": rng.normal(5, 1, 400)},
            "b": {"y": np.array([14.0, 14.0]), "profit": np.array([6.0, 6.0])},
        }
    )
    data["bought"] = 0.0
    # The split expects a tiny treatment, so the sample ratio is as planned.
    result = proxymetric.analyze(_spec(split={"a": 0.995, "b": 0.005}), data={"u": data})
    assert not result.srm.mismatch
    y = result.result("y")
    assert math.isnan(y.pvalue)
    assert y.reason is not None
    assert "variant 'b' has 2 unit(s); a test needs at least 10 per variant" in y.reason
    assert result.decision.verdict == "keep_testing"


def test_min_units_per_arm_is_set_per_experiment() -> None:
    rng = np.random.default_rng(2)
    t = rng.normal(14, 2, 6)
    data = _frame(
        {
            "a": {"y": rng.normal(10, 2, 400), "profit": rng.normal(5, 1, 400)},
            "b": {"y": t, "profit": rng.normal(5, 1, 6)},
        }
    )
    data["bought"] = 0.0
    default = proxymetric.analyze(_spec(), data={"u": data}).result("y")
    assert math.isnan(default.pvalue)
    six = proxymetric.analyze(_spec(min_units_per_arm=6), data={"u": data}).result("y")
    ref = sps.ttest_ind(t, data.loc[data.arm == "a", "y"], equal_var=False).pvalue
    assert six.pvalue == pytest.approx(ref, rel=1e-9)
    with pytest.raises(proxymetric.ProxymetricError, match="min_units_per_arm"):
        proxymetric.analyze(_spec(min_units_per_arm=1), data={"u": data})


def test_rare_events_are_decided_by_fishers_exact_test() -> None:
    # 5 buyers of 1000 in the control, none of 1000 in the treatment: Welch's p = 0.025 rolled
    # back; Fisher's exact test gives 0.062.
    rng = np.random.default_rng(3)
    n = 1000
    data = _frame(
        {
            "a": {"y": rng.normal(10, 2, n), "profit": rng.normal(5, 1, n)},
            "b": {"y": rng.normal(10, 2, n), "profit": rng.normal(5, 1, n)},
        }
    )
    data["bought"] = 0.0
    data.loc[data.index[:5], "bought"] = 1.0
    result = proxymetric.analyze(_spec(primary="bought", guardrails=[]), data={"u": data})
    bought = result.result("bought")
    assert bought.test == "fisher_exact"
    assert bought.pvalue == pytest.approx(sps.fisher_exact([[0, n], [5, n - 5]]).pvalue, rel=1e-9)
    assert result.decision.verdict == "keep_testing"
    assert result.result("bought").to_dict()["test"] == "fisher_exact"

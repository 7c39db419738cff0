"""`covariate: none` turns off the pre-period covariate of any event metric, ratios included.

Reference: the delta method for a ratio of means (Deng, Knoblich and Lu, KDD 2018) computed
here with numpy on per-unit aggregates made with pandas (the ``by_hand`` of the event tests):
per arm, ``r = mean(num) / mean(den)`` and
``var(r) = (var(num) - 2 r cov(num, den) + r^2 var(den)) / (n mean(den)^2)``, sample moments.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

import proxymetric
from proxymetric.analysis.sequential import analyze_sequential
from proxymetric.design import plan

from .test_events import EVENT_SPEC, by_hand, make_logs


@pytest.fixture(scope="module")
def logs() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_logs(n_units=800, seed=3)


def _spec(covariate: str | None) -> dict[str, Any]:
    spec = copy.deepcopy(EVENT_SPEC)
    if covariate is not None:
        spec["metrics"]["purchase_rate"]["covariate"] = covariate
    return spec


def _delta_method(units: pd.DataFrame, arm: str) -> tuple[float, float]:
    """The ratio purchases / events of one arm and its squared standard error."""
    rows = units[units["arm"] == arm]
    num, den = rows["purchases"].to_numpy(), rows["events"].to_numpy()
    n = len(rows)
    r = num.mean() / den.mean()
    cov = np.cov(num, den, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r**2 * cov[1, 1]) / (n * den.mean() ** 2)
    return float(r), float(var)


def test_an_event_ratio_without_covariate_is_the_plain_delta_method(
    logs: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    assignments, events = logs
    data = {"assignments": assignments, "events": events}
    result = proxymetric.analyze(_spec("none"), data=data).result("purchase_rate")
    units = by_hand(assignments, events, window=7, pre=14)
    r_c, var_c = _delta_method(units, "control")
    r_t, var_t = _delta_method(units, "treatment")
    assert result.variance_reduction is None
    np.testing.assert_allclose(
        [result.control_mean, result.treatment_mean, result.effect, result.effect_se],
        [r_c, r_t, r_t - r_c, np.sqrt(var_c + var_t)],
        rtol=1e-9,
    )
    # With the default pre-period covariate the same metric is CUPED-adjusted: another number.
    cuped = proxymetric.analyze(_spec(None), data=data).result("purchase_rate")
    assert cuped.variance_reduction is not None
    assert cuped.effect_se != pytest.approx(result.effect_se, rel=1e-6)


def test_plan_and_sequential_accept_an_event_ratio_without_covariate(
    logs: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    assignments, events = logs
    data = {"assignments": assignments, "events": events}
    spec = _spec("none")
    spec["experiments"]["checkout"]["primary"] = "purchase_rate"
    spec["experiments"]["checkout"]["secondary"] = ["revenue"]
    planned = plan(spec, data=data).metrics[0]
    assert planned.metric == "purchase_rate"
    assert np.isnan(planned.cuped_correlation)
    assert planned.variance_reduction == 0.0
    sequential = analyze_sequential(spec, data=data)
    rate = next(r for r in sequential.results if r.metric == "purchase_rate")
    assert len(rate.looks) > 1

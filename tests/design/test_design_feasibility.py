"""Feasibility verdicts, with their numbers checked against the power calculator."""

from __future__ import annotations

import math

import pytest

from proxymetric.design import AccrualModel, feasibility, power_analysis
from proxymetric.errors import ProxymetricError
from proxymetric.report.plan import feasibility_message, feasibility_suggestions

# 2,000 new users on day 1, growing as d^0.8: 10,000 after 7.5 days, 50,070 after 56 days.
TRAFFIC = AccrualModel("power", 2000.0, 0.8, 14, 0.0)


def test_feasible() -> None:
    r = feasibility(TRAFFIC, "mean", 10.0, sd=10.0, target_rel_mde=0.06)
    assert r.verdict == "feasible"
    ref = power_analysis("mean", 10.0, sd=10.0, total_units=math.floor(2000 * 14**0.8))
    assert r.mde_at_planned_days == pytest.approx(ref.mde)
    assert r.mde_at_planned_days <= 0.6
    assert feasibility_message(r).startswith("feasible: 14 days bring")
    assert r.suggestions == ()
    # At least a week, in whole weeks: the days needed rounded up to a multiple of 7.
    assert r.proposed_days == max(7, 7 * math.ceil(r.days_needed / 7))


def test_feasible_only_with_cuped() -> None:
    # Plain MDE at 14 days is 4.36%; CUPED removing 40% of the variance gives 4.36% * sqrt(0.6).
    r = feasibility(
        TRAFFIC, "mean", 10.0, sd=10.0, target_rel_mde=0.04, cuped_variance_reduction=0.4
    )
    assert r.verdict == "feasible_with_cuped"
    assert r.rel_mde_with_cuped == pytest.approx(r.rel_mde_at_planned_days * math.sqrt(0.6))
    assert "feasible only with CUPED" in feasibility_message(r)
    assert "variance -40%" in feasibility_message(r)


def test_feasible_only_if_longer() -> None:
    r = feasibility(TRAFFIC, "mean", 10.0, sd=10.0, target_rel_mde=0.03)
    assert r.verdict == "feasible_if_longer"
    units = power_analysis("mean", 10.0, sd=10.0, rel_mde=0.03).total_units
    assert r.days_needed == math.ceil((units / 2000) ** (1 / 0.8))
    assert r.planned_days < r.days_needed <= r.max_days
    # The proposal is in whole weeks (at least one), never shorter than what is needed.
    assert r.proposed_days == 7 * math.ceil(r.days_needed / 7)
    assert f"run {r.proposed_days:.0f} days" in feasibility_message(r)
    plain = feasibility(TRAFFIC, "mean", 10.0, sd=10.0, target_rel_mde=0.03, whole_weeks=False)
    assert plain.proposed_days == r.days_needed


def test_not_feasible_300_employees() -> None:
    # The quoted example: 300 employees, CTR 5%, target +0.5 pp. 150 per arm detect only 9.47 pp.
    r = feasibility(AccrualModel.fixed(300), "proportion", 0.05, target_mde=0.005)
    assert r.verdict == "not_feasible"
    assert r.units_at_planned_days == 300
    assert r.mde_at_max_days == pytest.approx(
        power_analysis("proportion", 0.05, units_per_variant=150).mde
    )
    assert math.isnan(r.days_needed)  # 62,462 users will never be there
    # variance share a proxy must remove: 1 - (0.005 / 0.0947)^2
    assert r.variance_reduction_needed == pytest.approx(1 - (0.005 / r.mde_at_max_days) ** 2)
    assert "not feasible at this traffic" in feasibility_message(r)
    words = feasibility_suggestions(r)
    assert any("blind test or interleaving" in s for s in words)
    assert any("more sensitive proxy" in s for s in words)
    assert any("larger effect" in s for s in words)


def test_a_test_needing_days_is_proposed_for_at_least_a_week() -> None:
    # A huge effect needs under a day; the proposal is still one weekly cycle (min_days 7).
    r = feasibility(TRAFFIC, "mean", 10.0, sd=10.0, target_rel_mde=0.5)
    assert r.days_needed <= 1
    assert r.proposed_days == 7
    longer = feasibility(TRAFFIC, "mean", 10.0, sd=10.0, target_rel_mde=0.5, min_days=14)
    assert longer.proposed_days == 14


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give one of `target_mde` and `target_rel_mde`"),
        ({"target_mde": 0.1, "planned_days": 0}, "`planned_days` must be a positive whole number"),
        ({"target_mde": 0.1, "planned_days": 28, "max_days": 14}, "`max_days` == 14, must be >="),
        ({"target_mde": 0.1, "cuped_variance_reduction": 1.0}, "`cuped_variance_reduction` =="),
    ],
)
def test_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ProxymetricError) as info:
        feasibility(TRAFFIC, "mean", 10.0, sd=1.0, **kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)

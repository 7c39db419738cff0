"""The power curve against statsmodels' power of a two-sample z-test."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.power import NormalIndPower

from proxymetric.design import power_analysis
from proxymetric.design.curve import power_curve
from proxymetric.errors import ProxymetricError


@pytest.mark.parametrize(("ratio", "one_sided"), [(1.0, False), (0.5, False), (1.0, True)])
def test_the_curve_is_statsmodels_power_at_every_effect(ratio: float, one_sided: bool) -> None:
    r = power_analysis(
        "mean", 10.0, sd=4.0, units_per_variant=2000, treatment_ratio=ratio, one_sided=one_sided
    )
    curve = power_curve(r, [0.0, 0.01, 0.02, r.rel_mde, 0.05])
    for rel, power in zip(curve.rel_effects, curve.powers, strict=True):
        expected = NormalIndPower().power(
            effect_size=rel * 10.0 / 4.0,
            nobs1=r.control_units,
            alpha=0.05,
            ratio=r.treatment_units / r.control_units,
            alternative="larger" if one_sided else "two-sided",
        )
        assert power == pytest.approx(expected, abs=1e-9)
    assert curve.powers[3] == pytest.approx(r.power, abs=1e-9)  # through the result's point


def test_the_default_grid_runs_to_two_and_a_half_mdes() -> None:
    r = power_analysis("proportion", 0.05, units_per_variant=31231, mde=0.005)
    curve = power_curve(r)
    assert len(curve.powers) == 41
    assert curve.rel_effects[-1] == pytest.approx(2.5 * r.rel_mde)
    assert curve.powers == tuple(sorted(curve.powers))
    assert math.isclose(curve.powers[0], 0.05)


def test_bad_grids_are_one_line_errors() -> None:
    r = power_analysis("proportion", 0.05, mde=0.005)
    with pytest.raises(ProxymetricError, match=r"`points` must be an integer >= 2; got 1"):
        power_curve(r, points=1)
    with pytest.raises(ProxymetricError, match="`rel_effects` must be finite numbers"):
        power_curve(r, [float("nan")])

"""A loss as the baseline: relative MDEs are fractions of the baseline's magnitude.

docs/architecture.md: the relative effect of a negative control mean is (t - c) / |c|, so a
relative MDE of +10% on a baseline of -10 is an absolute effect of +1 (a smaller loss), with the
units of the same problem at a baseline of +10. Reference: statsmodels' NormalIndPower.
"""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.power import NormalIndPower

from proxymetric.design import power_analysis


def test_a_relative_mde_of_a_loss_is_a_fraction_of_its_magnitude() -> None:
    loss = power_analysis("mean", -10.0, sd=5.0, rel_mde=0.1)
    gain = power_analysis("mean", 10.0, sd=5.0, rel_mde=0.1)
    assert loss.mde == pytest.approx(1.0)
    assert loss.rel_mde == pytest.approx(0.1)
    assert loss.units_per_variant == gain.units_per_variant
    per_arm = NormalIndPower().solve_power(effect_size=1.0 / 5.0, alpha=0.05, power=0.8)
    assert loss.units_per_variant == math.ceil(per_arm)


def test_a_solved_mde_of_a_loss_reads_as_a_relative_improvement() -> None:
    r = power_analysis("mean", -10.0, sd=5.0, units_per_variant=400)
    assert r.mde > 0
    assert r.rel_mde == pytest.approx(r.mde / 10.0)

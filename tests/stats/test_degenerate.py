"""Degenerate inputs give a defined answer and a reason, never a crash or a silent number."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from proxymetric.stats import Moments, Statistic, compare


def _m(values: Sequence[Any] | np.ndarray, cols: tuple[str, ...] = ("y",)) -> Moments:
    return Moments.from_rows(list(cols), np.asarray(values, dtype=float).reshape(len(values), -1))


def test_fewer_than_two_units() -> None:
    cmp = compare(_m([1.0]), _m([1.0, 2.0, 3.0] * 4), Statistic("y"), control_name="a")
    assert math.isnan(cmp.difference.pvalue)
    assert math.isnan(cmp.difference.ci_lower)
    assert any("variant 'a' has 1 unit(s); a test needs at least 10" in r for r in cmp.reasons)


def test_zero_variance_in_both_arms() -> None:
    cmp = compare(_m([2.0] * 10), _m([3.0] * 10), Statistic("y"))
    assert cmp.difference.effect == 1.0
    assert math.isnan(cmp.difference.pvalue)
    assert any(
        "does not vary across the units of variant(s) 'control', 'treatment'" in r
        for r in cmp.reasons
    )


def test_zero_variance_in_one_arm_is_undefined() -> None:
    # A variance of 0 estimated from data is not a known variance: no test (docs/architecture.md).
    cmp = compare(_m([2.0] * 12), _m([3.0, 4.0, 5.0] * 4), Statistic("y"))
    assert cmp.difference.effect == 2.0
    assert math.isnan(cmp.difference.pvalue)
    assert any("does not vary across the units of variant(s) 'control'" in r for r in cmp.reasons)


def test_control_mean_zero_makes_relative_undefined() -> None:
    cmp = compare(_m([-1.0, 1.0, 0.0] * 4), _m([1.0, 2.0, 3.0] * 4), Statistic("y"))
    assert math.isfinite(cmp.difference.pvalue)
    assert math.isnan(cmp.relative.rel_effect)
    assert "the control mean is 0; the relative effect is undefined" in cmp.reasons


def test_means_of_opposite_sign_have_no_relative_effect() -> None:
    # docs/architecture.md: opposite signs leave the relative effect undefined, with a
    # reason; the absolute effect and its test stand.
    cmp = compare(_m([-1.0, -2.0, -3.0] * 4), _m([1.0, 2.0, 3.0] * 4), Statistic("y"))
    assert math.isnan(cmp.relative.rel_effect)
    assert math.isnan(cmp.relative.ci_lower)
    assert cmp.difference.effect == 4.0
    assert math.isfinite(cmp.difference.pvalue)
    assert any("opposite signs; the relative effect is undefined" in r for r in cmp.reasons)


def test_a_treatment_mean_of_0_has_no_log_interval() -> None:
    cmp = compare(_m([1.0, 2.0, 3.0] * 4), _m([-1.0, 1.0, 0.0] * 4), Statistic("y"))
    assert cmp.relative.rel_effect == -1.0
    assert math.isnan(cmp.relative.ci_lower)
    assert "the treatment mean is 0; the relative interval (on the log scale) is undefined" in (
        cmp.reasons
    )


def test_nan_in_the_inputs() -> None:
    cmp = compare(
        _m([1.0, math.nan, 2.0] * 4), _m([1.0, 2.0, 3.0] * 4), Statistic("y"), control_name="a"
    )
    assert math.isnan(cmp.difference.effect)
    assert math.isnan(cmp.difference.pvalue)
    assert any("undefined (NaN) statistics of y in variant 'a'" in r for r in cmp.reasons)


def test_summary_statistics_cannot_do_cuped() -> None:
    c = Moments.from_summary(100, {"y": 1.0, "x": 1.0}, {"y": 1.0, "x": 1.0})
    t = Moments.from_summary(100, {"y": 1.1, "x": 1.0}, {"y": 1.0, "x": 1.0})
    plain = compare(c, t, Statistic("y"))
    assert math.isfinite(plain.difference.pvalue)
    cuped = compare(c, t, Statistic("y"), Statistic("x"))
    assert math.isnan(cuped.difference.pvalue)
    assert any("covariances that summary statistics do not carry" in r for r in cuped.reasons)


def test_zero_denominator_ratio() -> None:
    c = _m([[1.0, 0.0], [2.0, 0.0]] * 5, ("n", "d"))
    t = _m([[1.0, 1.0], [2.0, 1.0]] * 5, ("n", "d"))
    cmp = compare(c, t, Statistic("n", "d"), control_name="a")
    assert math.isnan(cmp.difference.pvalue)
    assert any("the denominator 'd' averages 0 in variant 'a'" in r for r in cmp.reasons)

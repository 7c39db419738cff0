"""Small samples: a minimum number of units per variant, and no test on a variance of 0."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from proxymetric.errors import ProxymetricError
from proxymetric.stats import Moments, Statistic, compare
from proxymetric.stats.compare import MIN_UNITS_PER_ARM


def _m(values: np.ndarray | list[float], cols: tuple[str, ...] = ("y",)) -> Moments:
    data = np.asarray(values, dtype=float).reshape(len(values), -1)
    return Moments.from_rows(list(cols), data)


def test_two_identical_units_give_no_test() -> None:
    # The case: 2 treatment units with the same value gave p = 5e-16 and "ship".
    control = _m(np.random.default_rng(0).normal(10, 2, 500))
    cmp = compare(control, _m([14.0, 14.0]), Statistic("y"), treatment_name="b")
    assert math.isnan(cmp.difference.pvalue)
    assert math.isnan(cmp.difference.ci_lower)
    assert cmp.difference.effect == pytest.approx(14.0 - control.mean_of("y"))
    assert any("variant 'b' has 2 unit(s); a test needs at least 10" in r for r in cmp.reasons)


def test_the_minimum_is_10_units_per_variant_and_configurable() -> None:
    rng = np.random.default_rng(1)
    c, t = rng.normal(0, 1, 40), rng.normal(1, 1, 40)

    def p(n: int, min_units: int = MIN_UNITS_PER_ARM) -> float:
        return compare(_m(c), _m(t[:n]), Statistic("y"), min_units=min_units).difference.pvalue

    assert MIN_UNITS_PER_ARM == 10
    assert math.isnan(p(9))
    ref = sps.ttest_ind(t[:10], c, equal_var=False).pvalue  # the test, once it is reported
    assert p(10) == pytest.approx(ref, rel=1e-9)
    assert math.isnan(p(10, min_units=11))
    assert p(5, min_units=5) == pytest.approx(
        sps.ttest_ind(t[:5], c, equal_var=False).pvalue, rel=1e-9
    )
    for bad in (1, 0, 2.5, True):
        with pytest.raises(ProxymetricError, match="`min_units` must be a whole number >= 2"):
            compare(_m(c), _m(t), Statistic("y"), min_units=bad)  # type: ignore[arg-type]


def test_a_variant_without_variation_gives_no_test() -> None:
    rng = np.random.default_rng(2)
    varied, flat = _m(rng.normal(5, 1, 50)), _m([5.0] * 50)
    cmp = compare(varied, flat, Statistic("y"), treatment_name="b", margin=0.1)
    assert math.isnan(cmp.difference.pvalue)
    assert cmp.noninferiority_pvalue is not None
    assert math.isnan(cmp.noninferiority_pvalue)
    assert any("does not vary across the units of variant(s) 'b'" in r for r in cmp.reasons)


def test_a_ratio_that_is_the_same_for_every_unit_gives_no_test() -> None:
    # clicks = 0.7 * views for every unit: the delta-method variance cancels to rounding noise
    # (about 1e-17 here, not 0).
    rng = np.random.default_rng(3)
    views = rng.poisson(5, 60) + 1.0
    flat = _m(np.column_stack([0.7 * views, views]), ("n", "d"))
    varied = _m(np.column_stack([rng.poisson(10, 60).astype(float), views]), ("n", "d"))
    cmp = compare(varied, flat, Statistic("n", "d"))
    assert math.isnan(cmp.difference.pvalue)
    assert any("does not vary" in r for r in cmp.reasons)
    ok = compare(varied, varied, Statistic("n", "d"))
    assert math.isfinite(ok.difference.pvalue)


def test_a_proportion_without_events_is_tested_exactly() -> None:
    # A 0/1 metric with no event in one variant has no variance there: the exact test decides.
    none, some = _m([0.0] * 200), _m([1.0] * 12 + [0.0] * 188)
    cmp = compare(none, some, Statistic("y"), proportion=True)
    assert cmp.difference.test == "fisher_exact"
    ref = sps.fisher_exact([[12, 188], [0, 200]]).pvalue
    assert cmp.difference.pvalue == pytest.approx(ref, rel=1e-9)
    assert not any("does not vary" in r for r in cmp.reasons)

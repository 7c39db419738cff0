"""``analyze_sequential``: looks per snapshot (ASOS) and per day (checkout event logs).

References: the ASOS snapshots selected with pandas and passed to
``proxymetric.stats.sequential.sequential_test`` (itself checked against closed forms and by
simulation in tests/stats/test_sequential.py); the last look of the event logs against
``analyze()`` (the fixed-horizon analysis of the same query, unadjusted means and counts) and
the per-day counts against pandas. Tolerances: 1e-9 relative (same sums, different order).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxymetric import analyze
from proxymetric.analysis.sequential import analyze_sequential
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.stats.sequential import sequential_test, tuned_mixing_variance

from ..data.test_summary import ASOS, asos_spec

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT = ROOT / "examples" / "checkout-events" / "proxymetric.yaml"
COOKIE = ROOT / "examples" / "cookie-cats" / "proxymetric.yaml"


@pytest.fixture(scope="module")
def asos() -> pd.DataFrame:
    return pd.read_csv(ASOS, dtype={"experiment_id": str, "variant_id": str})


def test_asos_snapshots_against_sequential_test(asos: pd.DataFrame) -> None:
    # docs/sequential.md: experiment 058875, metric 4, 21 snapshots; the fixed-horizon test is
    # significant at 7 of them, the always-valid p-value never falls below 0.05.
    result = analyze_sequential(asos_spec("058875", (4, 1)))
    assert result.look_by == "snapshot"
    m4 = result.results[0]
    assert (m4.metric, m4.role, m4.variant) == ("m4", "primary", "1")
    rows = asos[
        (asos.experiment_id == "058875") & (asos.variant_id == "1") & (asos.metric_id == 4)
    ].sort_values("time_since_start")
    ref = sequential_test(
        rows.count_c,
        rows.mean_c,
        rows.variance_c,
        rows.count_t,
        rows.mean_t,
        rows.variance_t,
        planned_units=float(rows.count_c.iloc[-1] + rows.count_t.iloc[-1]),
    )
    assert len(m4.looks) == len(ref.looks) == 21
    assert m4.look_labels == tuple(f"{t:g}" for t in rows.time_since_start)
    np.testing.assert_allclose(
        [x.pvalue for x in m4.looks], [x.pvalue for x in ref.looks], rtol=1e-9
    )
    np.testing.assert_allclose(
        [x.gs_z_boundary for x in m4.looks], [x.gs_z_boundary for x in ref.looks], rtol=1e-9
    )
    assert sum(x.fixed_pvalue < 0.05 for x in m4.looks) == 7
    assert min(x.pvalue for x in m4.looks) > 0.05
    assert m4.mixing_variance == pytest.approx(ref.mixing_variance, rel=1e-12)
    assert [r.metric for r in result.results] == ["m4", "m1"]


def test_asos_mixing_variance_is_tunable(asos: pd.DataFrame) -> None:
    result = analyze_sequential(asos_spec("058875", (4, 1)), mixing_variance={"m4": 0.5})
    assert result.results[0].mixing_variance == 0.5
    assert result.results[1].mixing_variance != 0.5  # tuned: not given for m1
    rows = asos[
        (asos.experiment_id == "058875") & (asos.variant_id == "1") & (asos.metric_id == 4)
    ].sort_values("time_since_start")
    ref = sequential_test(
        rows.count_c,
        rows.mean_c,
        rows.variance_c,
        rows.count_t,
        rows.mean_t,
        rows.variance_t,
        mixing_variance=0.5,
    )
    np.testing.assert_allclose(
        [x.pvalue for x in result.results[0].looks], [x.pvalue for x in ref.looks], rtol=1e-9
    )


def test_planned_units_tune_the_mixing_variance_and_the_boundaries() -> None:
    spec = asos_spec("058875", (4,))
    spec["experiments"]["e"]["planned_units"] = 80_000_000
    result = analyze_sequential(spec).results[0]
    last = result.looks[-1]
    total = last.control_units + last.treatment_units
    assert result.planned_units == 80_000_000
    expected = tuned_mixing_variance(last.effect_se**2 * total / 80_000_000)
    assert result.mixing_variance == pytest.approx(expected, rel=1e-12)
    assert last.information_fraction == pytest.approx(total / 80_000_000, rel=1e-12)


@pytest.fixture(scope="module")
def checkout() -> Any:
    return analyze_sequential(CHECKOUT)


def test_checkout_last_look_is_the_fixed_horizon_analysis(checkout: Any) -> None:
    fixed = analyze(CHECKOUT)
    assert checkout.look_by == "day"
    assert checkout.primary == "revenue"
    for seq in checkout.results:
        ref = next(r for r in fixed.results if r.metric == seq.metric)
        last = seq.looks[-1]
        assert last.control_units == ref.control_units
        assert last.treatment_units == ref.treatment_units
        # CUPED-adjusted at every look, so the last look is the fixed-horizon estimate itself.
        assert last.control_mean == pytest.approx(ref.control_mean, rel=1e-9)
        assert last.treatment_mean == pytest.approx(ref.treatment_mean, rel=1e-9)
        assert last.effect == pytest.approx(ref.effect, rel=1e-9)


def test_checkout_looks_per_day_against_pandas(checkout: Any) -> None:
    assignments = pd.read_csv(
        ROOT / "examples" / "checkout-events" / "assignments.csv.gz", parse_dates=["assigned_at"]
    )
    per = assignments.groupby("user_id").agg(
        t0=("assigned_at", "min"), variant=("variant", "min"), n=("variant", "nunique")
    )
    per = per[per.n == 1]
    per["day"] = per.t0.dt.normalize().dt.date.astype(str)
    counts = per.groupby(["day", "variant"]).size().unstack(fill_value=0).cumsum()
    revenue = checkout.results[0]
    assert revenue.look_labels == tuple(counts.index)
    assert [x.control_units for x in revenue.looks] == counts["old_checkout"].tolist()
    assert [x.treatment_units for x in revenue.looks] == counts["new_checkout"].tolist()
    # Nested looks: the always-valid p-values never increase, the confidence sequence never
    # widens.
    p = [x.pvalue for x in revenue.looks]
    assert p == sorted(p, reverse=True)
    assert all(
        b.effect_ci_lower >= a.effect_ci_lower and b.effect_ci_upper <= a.effect_ci_upper
        for a, b in zip(revenue.looks, revenue.looks[1:], strict=False)
    )
    # The generated new checkout raises revenue: the retrospective O'Brien-Fleming boundary is
    # crossed before the last day, but the always-valid p-value never falls to alpha, and the
    # stopping rule is the always-valid one: no look could stop (one rule, never mixed).
    assert any(x.gs_reject for x in revenue.looks[:-1])
    assert min(p) > 0.05
    assert revenue.stop_look == 0
    assert not any(x.could_stop for x in revenue.looks)
    assert not revenue.planned_in_advance


def test_group_sequential_rule_needs_a_plan_and_then_stops_at_the_boundary() -> None:
    with pytest.raises(ProxymetricError, match="needs the experiment's `planned_units`"):
        analyze_sequential(CHECKOUT, stopping_rule="group_sequential")
    spec = yaml.safe_load(CHECKOUT.read_text())
    spec["experiments"]["new-checkout"]["planned_units"] = 2988  # the units at the last look
    spec["sources"]["assignments"]["path"] = str(CHECKOUT.parent / "assignments.csv.gz")
    spec["sources"]["events"]["path"] = str(CHECKOUT.parent / "events.csv.gz")
    result = analyze_sequential(spec, stopping_rule="group_sequential")
    revenue = result.results[0]
    assert revenue.planned_in_advance
    crossed = [x.look for x in revenue.looks if x.gs_reject]
    # Reference: the first look whose |z| reaches its boundary, read off the looks themselves.
    first = next(x.look for x in revenue.looks if abs(x.zstat) >= x.gs_z_boundary)
    assert crossed
    assert revenue.stop_look == first
    assert revenue.looks[first - 1].could_stop


def test_unit_table_has_no_looks() -> None:
    with pytest.raises(
        DataError, match="reads a unit table with no timestamps, so it has no looks"
    ):
        analyze_sequential(COOKIE)


def test_summary_without_snapshots_has_no_looks() -> None:
    spec = asos_spec("058875", (4,))
    del spec["sources"]["asos"]["summary"]["snapshot"]
    with pytest.raises(DataError, match="has no `snapshot` column, so it has only one look"):
        analyze_sequential(spec)


_EVENTS_SPEC = """
sources:
  assignments: {table: assignments, unit: user, variant: variant, timestamp: at}
  events: {table: events, unit: user, timestamp: ts}
metrics:
  spend: {type: mean, source: events, aggregate: sum, column: amount}
experiments:
  e: {assignment: assignments, control: a, primary: spend, window_days: 7}
"""


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.floats(0, 50, allow_nan=False)), min_size=8, max_size=40
    ),
    st.integers(0, 2**16),
)
def test_swapping_variants_flips_effects_and_keeps_pvalues(
    rows: list[tuple[int, float]], seed: int
) -> None:
    # Invariant: relabelling control and treatment negates every effect and confidence bound
    # and leaves the always-valid p-values unchanged.
    rng = np.random.default_rng(seed)
    variants = rng.permutation(["a", "b"] * (len(rows) // 2) + ["a"] * (len(rows) % 2))
    start = pd.Timestamp("2024-01-01 08:00")
    assignments = pd.DataFrame(
        {
            "user": range(len(rows)),
            "variant": variants,
            "at": [start + pd.Timedelta(days=d) for d, _ in rows],
        }
    )
    events = pd.DataFrame(
        {
            "user": range(len(rows)),
            "ts": [start + pd.Timedelta(days=d, hours=1) for d, _ in rows],
            "amount": [a for _, a in rows],
        }
    )
    spec = yaml.safe_load(_EVENTS_SPEC)
    data = {"assignments": assignments, "events": events}
    try:
        ab = analyze_sequential(spec, data=data, mixing_variance=1.0).results[0]
    except ProxymetricError:
        return  # too few units in a variant, or no look with 2 units and variance in each arm
    spec["experiments"]["e"]["control"] = "b"
    ba = analyze_sequential(spec, data=data, mixing_variance=1.0).results[0]
    assert ab.look_labels == ba.look_labels
    for x, y in zip(ab.looks, ba.looks, strict=True):
        assert y.effect == pytest.approx(-x.effect, abs=1e-9)
        assert y.pvalue == pytest.approx(x.pvalue, rel=1e-9)
        assert y.effect_ci_lower == pytest.approx(-x.effect_ci_upper, abs=1e-9)
        assert math.isclose(y.zstat, -x.zstat, abs_tol=1e-9)


def test_cuped_looks_keep_the_false_positive_rate() -> None:
    # A/A tests with a strong pre-period covariate, looked at 20 times. With CUPED at every look
    # (theta re-estimated from the units so far) the always-valid p-value must still reject at
    # most alpha of the time whenever it is looked at. 600 simulations: binomial sd at 0.05 is
    # 0.0089, tolerance 3 sd above alpha. The same looks without CUPED are the reference.
    from proxymetric.analysis.sequential import _arms
    from proxymetric.stats.estimators import Statistic
    from proxymetric.stats.moments import Moments
    from proxymetric.stats.sequential import sequential_test, tuned_mixing_variance

    rng = np.random.default_rng(21)
    y, x = Statistic("y"), Statistic("x")
    n_sim, looks, per_look = 600, 20, 60
    rejected = {"cuped": 0, "raw": 0}
    for _ in range(n_sim):
        arms = []
        for _arm in range(2):
            pre = rng.gamma(2.0, 5.0, looks * per_look)
            post = 0.8 * pre + rng.normal(0, 3, looks * per_look)
            data = np.column_stack([post, pre])
            arms.append(
                [Moments.from_rows(["y", "x"], data[: (k + 1) * per_look]) for k in range(looks)]
            )
        for mode, cov in (("cuped", x), ("raw", None)):
            est = [_arms(c, t, y, cov)[:2] for c, t in zip(arms[0], arms[1], strict=True)]
            rows = np.array(
                [[c.count, c.mean, c.variance, t.count, t.mean, t.variance] for c, t in est]
            )
            tau2 = tuned_mixing_variance(rows[-1, 2] / rows[-1, 0] + rows[-1, 5] / rows[-1, 3])
            result = sequential_test(*rows.T, alpha=0.05, mixing_variance=tau2)
            rejected[mode] += any(look.pvalue <= 0.05 for look in result.looks)
    tolerance = 3 * (0.05 * 0.95 / n_sim) ** 0.5
    assert rejected["cuped"] / n_sim <= 0.05 + tolerance
    assert rejected["raw"] / n_sim <= 0.05 + tolerance

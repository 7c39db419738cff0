"""The one reader of an experiment (totals, looks, accrual, first-seen units) against pandas.

Reference: every number is recomputed with pandas from the raw files (the unit table, or the
assignment and event logs) with the windows documented in proxymetric.data.events; moments are
compared to float precision (rtol 1e-9, the aggregation order of the engine and of pandas
differ only by rounding).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxymetric.data import AssignmentRequest, SourceResolver, event_moments
from proxymetric.data.sequential import daily_event_moments
from proxymetric.experiment import event_aggregates, read, resolve
from proxymetric.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
COOKIE = ROOT / "examples" / "cookie-cats"
CHECKOUT = ROOT / "examples" / "checkout-events"
RTOL = 1e-9


@pytest.fixture(scope="module")
def logs() -> tuple[pd.DataFrame, pd.DataFrame]:
    assignments = pd.read_csv(CHECKOUT / "assignments.csv.gz", parse_dates=["assigned_at"])
    events = pd.read_csv(CHECKOUT / "events.csv.gz", parse_dates=["ts"])
    return assignments, events


def _request(spec_path: Path) -> tuple[Any, AssignmentRequest, SourceResolver]:
    spec = load_spec(spec_path)
    exp = next(iter(spec.experiments.values()))
    assert exp.assignment is not None
    request = AssignmentRequest(
        exp.assignment, exp.window_days, exp.pre_period_days, exp.exposure_filter
    )
    return spec, request, SourceResolver(spec.base_dir)


def test_unit_table_moments_against_pandas() -> None:
    cols = ["retention_7", "retention_1", "sum_gamerounds"]
    pm = read(resolve(COOKIE / "proxymetric.yaml"), accrual=True, all_covariances=True)
    df = pd.read_csv(COOKIE / "cookie_cats.csv.gz")
    assert pm.new_units_per_day is None
    for variant, group in df.groupby("version"):
        m = pm.moments[str(variant)]
        values = group[cols].astype(float)
        assert m.count == len(group)
        np.testing.assert_allclose(m.mean, values.mean().to_numpy(), rtol=RTOL)
        np.testing.assert_allclose(m.covariance(), values.cov().to_numpy(), rtol=RTOL)


def _pandas_units(assignments: pd.DataFrame) -> pd.DataFrame:
    """Per user: first assignment time and variant; users with several variants are dropped."""
    per = assignments.groupby("user_id").agg(
        t0=("assigned_at", "min"), variant=("variant", "min"), n=("variant", "nunique")
    )
    return per[per.n == 1]


def _pandas_revenue(units: pd.DataFrame, events: pd.DataFrame, t0: str = "t0") -> pd.DataFrame:
    """Revenue in [t0, t0 + 14 days) and in [t0 - 14 days, t0), per unit (0 without events)."""
    joined = events.merge(units[[t0]], left_on="user_id", right_index=True)
    buy = (joined.event == "purchase") & (joined.amount > 0)
    after = (joined.ts >= joined[t0]) & (joined.ts < joined[t0] + pd.Timedelta(days=14))
    before = (joined.ts < joined[t0]) & (joined.ts >= joined[t0] - pd.Timedelta(days=14))
    out = pd.DataFrame(index=units.index)
    out["revenue"] = joined[buy & after].groupby("user_id").amount.sum()
    out["revenue__pre"] = joined[buy & before].groupby("user_id").amount.sum()
    return out.fillna(0.0)


def test_event_moments_and_accrual_against_pandas(logs: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    assignments, events = logs
    pm = read(resolve(CHECKOUT / "proxymetric.yaml"), accrual=True)

    units = _pandas_units(assignments)
    days = units.t0.dt.normalize().value_counts().sort_index()
    full = pd.date_range(days.index.min(), days.index.max(), freq="D")
    expected_days = days.reindex(full, fill_value=0).to_numpy()
    assert pm.first_day == full[0].date().isoformat()
    assert pm.new_units_per_day == tuple(int(x) for x in expected_days)

    revenue = _pandas_revenue(units, events)
    for variant, ids in units.groupby("variant").groups.items():
        m = pm.moments[str(variant)].select(["revenue", "revenue__pre"])
        values = revenue.loc[ids]
        assert m.count == len(ids)
        np.testing.assert_allclose(m.mean, values.mean().to_numpy(), rtol=RTOL)
        np.testing.assert_allclose(m.covariance(), values.cov().to_numpy(), rtol=RTOL)


def test_daily_moments_agree_with_the_event_query() -> None:
    # Reference: proxymetric.data.events.event_moments, the query analyze() runs; the per-day
    # moments merged over the days must give the same moments for every column.
    spec, request, resolver = _request(CHECKOUT / "proxymetric.yaml")
    exp = next(iter(spec.experiments.values()))
    aggregates = event_aggregates(resolve(spec))
    daily = daily_event_moments(resolver, spec.sources, request, aggregates)
    whole = event_moments(resolver, spec.sources, request, aggregates)
    assert set(daily.moments) == set(whole.moments)
    assert daily.multiple == whole.multiple
    for variant, m in whole.moments.items():
        total = daily.total(variant).select(m.columns)
        assert total.count == m.count
        np.testing.assert_allclose(total.mean, m.mean, rtol=RTOL, atol=1e-12)
        np.testing.assert_allclose(total.comoment, m.comoment, rtol=1e-8, atol=1e-6)
    counts = [m.count for m in daily.cumulative(exp.control)]
    assert counts == sorted(counts)


def test_first_event_units_against_pandas(logs: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    # A planned test with no assignment yet: each user of the event log from its first event.
    _, events = logs
    pm = read(resolve(CHECKOUT / "proxymetric.yaml"), first_seen=True)
    first = events.groupby("user_id").agg(first=("ts", "min"))
    days = first["first"].dt.normalize().value_counts().sort_index()
    full = pd.date_range(days.index.min(), days.index.max(), freq="D")
    assert pm.new_units_per_day == tuple(int(x) for x in days.reindex(full, fill_value=0))
    revenue = _pandas_revenue(first, events, t0="first")
    m = pm.moments["all"]
    assert m.count == len(first)
    assert m.mean_of("revenue") == pytest.approx(revenue.revenue.mean(), rel=RTOL)
    assert m.variance("revenue") == pytest.approx(revenue.revenue.var(), rel=RTOL)
    assert m.mean_of("revenue__pre") == 0.0  # nothing happens before a unit's first event


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),  # assignment day
            st.sampled_from(["a", "b"]),
            st.floats(0, 100, allow_nan=False),  # purchase amount one day after assignment
        ),
        min_size=2,
        max_size=30,
    )
)
def test_cumulative_looks_equal_moments_of_the_units_so_far(
    rows: list[tuple[int, str, float]],
) -> None:
    # Invariant: the look at the end of day d has the moments of exactly the units assigned by
    # then (reference: numpy on those units).
    start = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
    assignments = pd.DataFrame(
        {
            "user": range(len(rows)),
            "variant": [v for _, v, _ in rows],
            "at": [start + dt.timedelta(days=d) for d, _, _ in rows],
        }
    )
    events = pd.DataFrame(
        {
            "user": range(len(rows)),
            "ts": [start + dt.timedelta(days=d + 1) for d, _, _ in rows],
            "amount": [a for _, _, a in rows],
        }
    )
    spec = yaml.safe_load(
        """
sources:
  assignments: {table: assignments, unit: user, variant: variant, timestamp: at}
  events: {table: events, unit: user, timestamp: ts}
metrics:
  spend: {type: mean, source: events, aggregate: sum, column: amount}
experiments:
  e: {assignment: assignments, control: a, primary: spend, window_days: 7}
"""
    )
    loaded = load_spec(spec)
    exp = loaded.experiments["e"]
    request = AssignmentRequest("assignments", 7.0, exp.pre_period_days)
    resolver = SourceResolver(loaded.base_dir, {"assignments": assignments, "events": events})
    daily = daily_event_moments(
        resolver, loaded.sources, request, event_aggregates(resolve(loaded))
    )
    first = min(d for d, _, _ in rows)
    for variant, looks in ((v, daily.cumulative(v)) for v in daily.moments):
        for i, look in enumerate(looks):
            chosen = [a for d, v, a in rows if v == variant and d - first <= i]
            assert look.count == len(chosen)
            if chosen:
                assert look.mean_of("spend") == pytest.approx(np.mean(chosen), abs=1e-9)

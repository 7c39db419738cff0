"""The plan keeps its promise: at the planned MDE the test has the planned power (simulation).

Each test resamples units of the bundled data (the bootstrap stands in for the population the
plan's variance was estimated on), adds the planned MDE to the treatment arm, runs the test the
analysis runs (Welch z, two-sided at the planned level: 0.05 / 2, since both examples have two
success metrics that the analysis corrects with Holm, whose first step is alpha / 2; CUPED with
theta pooled over both arms for the checkout revenue) and counts rejections. With R simulated experiments the rejection rate has a
binomial standard deviation sqrt(0.8 * 0.2 / R); the tolerance is 4 of them (R = 2,000:
+-0.036), so a correct plan fails with probability below 1e-4. Seeds are fixed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from proxymetric.design import plan

ROOT = Path(__file__).resolve().parents[2]
COOKIE = ROOT / "examples" / "cookie-cats"
CHECKOUT = ROOT / "examples" / "checkout-events"
R = 2000
CHUNK = 100
TOL = 4 * np.sqrt(0.8 * 0.2 / R)
Z = stats.norm.isf(0.05 / 2 / 2)  # two-sided, alpha 0.05 / 2 success metrics


def _welch_rejects(c: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Two-sided Welch z test per row (one simulated experiment per row)."""
    se = np.sqrt(c.var(axis=1, ddof=1) / c.shape[1] + t.var(axis=1, ddof=1) / t.shape[1])
    return np.asarray(np.abs(t.mean(axis=1) - c.mean(axis=1)) / se > Z)


def test_mean_metric_power_on_cookie_cats() -> None:
    result = plan(COOKIE / "proxymetric.yaml", units_per_day=3000, days=[7])
    rounds = next(m for m in result.metrics if m.metric == "rounds")
    row = rounds.durations[0]
    n = row.units_per_variant
    df = pd.read_csv(COOKIE / "cookie_cats.csv.gz")
    pool = df.loc[df.version == "gate_30", "sum_gamerounds"].to_numpy(dtype=float)
    rng = np.random.default_rng(20240611)
    rejections = 0
    for _ in range(R // CHUNK):
        c = rng.choice(pool, size=(CHUNK, n))
        t = rng.choice(pool, size=(CHUNK, n)) + row.mde
        rejections += int(_welch_rejects(c, t).sum())
    assert rejections / R == pytest.approx(0.8, abs=TOL)


def test_proportion_power_on_cookie_cats() -> None:
    # The plan of a proportion assumes the treatment rate p + MDE with variance p'(1 - p').
    result = plan(COOKIE / "proxymetric.yaml", units_per_day=3000, days=[7])
    ret = result.metrics[0]
    row = ret.durations[0]
    n = row.units_per_variant
    df = pd.read_csv(COOKIE / "cookie_cats.csv.gz")
    pool = df.loc[df.version == "gate_30", "retention_7"].to_numpy(dtype=float)
    rng = np.random.default_rng(7)
    rejections = 0
    for _ in range(R // CHUNK):
        c = rng.choice(pool, size=(CHUNK, n))
        t = (rng.random((CHUNK, n)) < ret.baseline + row.mde).astype(float)
        rejections += int(_welch_rejects(c, t).sum())
    assert rejections / R == pytest.approx(0.8, abs=TOL)


def _control_revenue() -> np.ndarray:
    """Per control user of the checkout log: revenue in the 14 days after and before t0."""
    assignments = pd.read_csv(CHECKOUT / "assignments.csv.gz", parse_dates=["assigned_at"])
    events = pd.read_csv(CHECKOUT / "events.csv.gz", parse_dates=["ts"])
    per = assignments.groupby("user_id").agg(
        t0=("assigned_at", "min"), variant=("variant", "min"), n=("variant", "nunique")
    )
    units = per[(per.n == 1) & (per.variant == "old_checkout")]
    j = events.merge(units[["t0"]], left_on="user_id", right_index=True)
    j = j[(j.event == "purchase") & (j.amount > 0)]
    w = pd.Timedelta(days=14)
    out = pd.DataFrame(index=units.index)
    out["y"] = j[(j.ts >= j.t0) & (j.ts < j.t0 + w)].groupby("user_id").amount.sum()
    out["x"] = j[(j.ts < j.t0) & (j.ts >= j.t0 - w)].groupby("user_id").amount.sum()
    return out.fillna(0.0).to_numpy()


def test_cuped_power_on_the_checkout_log() -> None:
    result = plan(CHECKOUT / "proxymetric.yaml", days=[28])
    revenue = result.metrics[0]
    row = revenue.durations[0]
    assert revenue.variance_reduction > 0.1
    n = row.units_per_variant
    pool = _control_revenue()
    rng = np.random.default_rng(99)
    rejections = 0
    for _ in range(R // CHUNK):
        c = pool[rng.integers(0, len(pool), size=(CHUNK, n))]
        t = pool[rng.integers(0, len(pool), size=(CHUNK, n))]
        t[..., 0] += row.mde_with_cuped
        both = np.concatenate([c, t], axis=1)
        xc = both[..., 1] - both[..., 1].mean(axis=1, keepdims=True)
        yc = both[..., 0] - both[..., 0].mean(axis=1, keepdims=True)
        theta = (xc * yc).sum(axis=1) / (xc * xc).sum(axis=1)
        adj_c = c[..., 0] - theta[:, None] * c[..., 1]
        adj_t = t[..., 0] - theta[:, None] * t[..., 1]
        rejections += int(_welch_rejects(adj_c, adj_t).sum())
    assert rejections / R == pytest.approx(0.8, abs=TOL)

"""Event-level experiments: raw logs give the same numbers as hand-aggregated unit tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

import proxymetric
from proxymetric.errors import DataError, ProxymetricError

DAY = pd.Timedelta(days=1)
START = pd.Timestamp("2024-03-01")


def make_logs(n_units: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An assignment log and an event log with purchases and page views around assignment."""
    rng = np.random.default_rng(seed)
    units = np.arange(n_units)
    variant = rng.choice(["control", "treatment"], n_units)
    t0 = list(START + pd.to_timedelta(rng.uniform(0, 10, n_units), unit="D"))
    assignments = pd.DataFrame({"user": units, "arm": variant, "assigned_at": t0})
    activity = rng.gamma(1.0, 1.0, n_units)  # each user's propensity, shared pre and post
    rows = []
    for u in range(n_units):
        k = rng.poisson(6 * activity[u])
        offsets = rng.uniform(-20, 20, k)  # days relative to assignment
        for off in offsets:
            lift = 1.1 if (variant[u] == "treatment" and off >= 0) else 1.0
            if rng.random() < 0.3:
                rows.append((u, t0[u] + off * DAY, "purchase", rng.gamma(2, 20) * lift))
            else:
                rows.append((u, t0[u] + off * DAY, "view", 0.0))
    events = pd.DataFrame(rows, columns=["user", "ts", "event", "amount"])
    return assignments, events


def by_hand(
    assignments: pd.DataFrame, events: pd.DataFrame, window: float, pre: float
) -> pd.DataFrame:
    """The unit table of the same metrics, aggregated with pandas (the independent reference)."""
    e = events.merge(assignments[["user", "assigned_at"]], on="user")
    rel = (e["ts"] - e["assigned_at"]).dt.total_seconds() / 86400
    post = (rel >= 0) & (rel < window)
    before = (rel >= -pre) & (rel < 0)
    buy = e["event"] == "purchase"
    out = assignments[["user", "arm"]].copy().set_index("user")

    def per_user(mask: pd.Series, values: pd.Series, how: str) -> pd.Series:
        g = values[mask].groupby(e.loc[mask, "user"])
        s = (
            g.sum()
            if how == "sum"
            else g.count()
            if how == "count"
            else (g.count() > 0).astype(float)
        )
        return s.reindex(out.index, fill_value=0).astype(float)

    for suffix, mask in (("", post), ("_pre", before)):
        out[f"revenue{suffix}"] = per_user(mask & buy, e["amount"], "sum")
        out[f"buyer{suffix}"] = per_user(mask & buy, e["amount"], "any")
        out[f"purchases{suffix}"] = per_user(mask & buy, e["amount"], "count")
        out[f"events{suffix}"] = per_user(mask, e["amount"], "count")
    return out.reset_index()


EVENT_SPEC: dict[str, Any] = {
    "sources": {
        "assignments": {
            "table": "assignments",
            "unit": "user",
            "variant": "arm",
            "timestamp": "assigned_at",
        },
        "events": {"table": "events", "unit": "user", "timestamp": "ts"},
    },
    "metrics": {
        "revenue": {
            "type": "mean",
            "source": "events",
            "aggregate": "sum",
            "column": "amount",
            "filter": "event = 'purchase'",
        },
        "buyer": {"type": "proportion", "source": "events", "filter": "event = 'purchase'"},
        "purchase_rate": {
            "type": "ratio",
            "source": "events",
            "numerator": {"aggregate": "count", "filter": "event = 'purchase'"},
            "denominator": {"aggregate": "count"},
        },
    },
    "experiments": {
        "checkout": {
            "assignment": "assignments",
            "control": "control",
            "window_days": 7,
            "pre_period_days": 14,
            "primary": "revenue",
            "guardrails": [{"metric": "buyer", "margin": 0.05}],
            "secondary": ["purchase_rate"],
        }
    },
}

UNIT_SPEC: dict[str, Any] = {
    "sources": {"units": {"table": "units", "unit": "user", "variant": "arm"}},
    "metrics": {
        "revenue": {
            "type": "mean",
            "source": "units",
            "column": "revenue",
            "covariate": "revenue_pre",
        },
        "buyer": {
            "type": "proportion",
            "source": "units",
            "column": "buyer",
            "covariate": "buyer_pre",
        },
        "purchase_rate": {
            "type": "ratio",
            "source": "units",
            "numerator": "purchases",
            "denominator": "events",
            "numerator_covariate": "purchases_pre",
            "denominator_covariate": "events_pre",
        },
    },
    "experiments": {
        "checkout": {
            "control": "control",
            "primary": "revenue",
            "guardrails": [{"metric": "buyer", "margin": 0.05}],
            "secondary": ["purchase_rate"],
        }
    },
}


@pytest.fixture(scope="module")
def logs() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_logs()


def numbers(result: proxymetric.ExperimentResult) -> np.ndarray:
    """The numbers that must agree between two analyses of the same data (any engine)."""
    return np.array(
        [
            x
            for r in result.results
            for x in (
                r.control_mean,
                r.treatment_mean,
                r.effect,
                r.effect_se,
                r.pvalue,
                r.rel_effect_ci_lower,
                r.rel_effect_ci_upper,
                r.variance_reduction or 0.0,
                r.noninferiority_pvalue or 0.0,
            )
        ]
    )


def test_event_analysis_equals_unit_analysis_of_hand_aggregates(
    logs: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    assignments, events = logs
    event_result = proxymetric.analyze(
        EVENT_SPEC, data={"assignments": assignments, "events": events}
    )
    units = by_hand(assignments, events, window=7, pre=14)
    unit_result = proxymetric.analyze(UNIT_SPEC, data={"units": units})
    assert event_result.units == unit_result.units
    np.testing.assert_allclose(numbers(event_result), numbers(unit_result), rtol=1e-9)
    # The pre-period shares each user's propensity by construction, so CUPED must help.
    reduction = event_result.result("revenue").variance_reduction
    assert reduction is not None
    assert reduction > 0


def test_event_analysis_from_a_duckdb_file(
    tmp_path: Path, logs: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    assignments, events = logs
    db = tmp_path / "warehouse.db"
    with duckdb.connect(str(db)) as con:
        con.register("a", assignments)
        con.register("e", events)
        con.execute("CREATE TABLE assignments AS SELECT * FROM a")
        con.execute("CREATE TABLE events AS SELECT * FROM e")
    spec = {
        **EVENT_SPEC,
        "sources": {
            k: {**v, "connection": f"duckdb://{db}"} for k, v in EVENT_SPEC["sources"].items()
        },
    }
    reference = proxymetric.analyze(EVENT_SPEC, data={"assignments": assignments, "events": events})
    np.testing.assert_allclose(numbers(proxymetric.analyze(spec)), numbers(reference), rtol=1e-9)


def _edge_case(
    offsets_days: list[float], window: float = 7, pre: float = 14
) -> tuple[float, float]:
    """Revenue and its pre-period value of one treated unit whose events sit at the offsets."""
    t0 = pd.Timestamp("2024-05-01 12:00:00")
    assignments = pd.DataFrame(
        {
            "user": [1, 2, 3, 4],
            "arm": ["control", "control", "treatment", "treatment"],
            "assigned_at": [t0] * 4,
        }
    )
    events = pd.DataFrame(
        {
            "user": [3] * len(offsets_days) + [1, 2, 4],
            "ts": [t0 + pd.Timedelta(days=d) for d in offsets_days] + [t0] * 3,
            "event": "purchase",
            "amount": [10.0**i for i in range(len(offsets_days))] + [1.0, 2.0, 3.0],
        }
    )
    spec = {**EVENT_SPEC, "metrics": {"revenue": EVENT_SPEC["metrics"]["revenue"]}}
    spec["experiments"] = {
        "checkout": {
            **EVENT_SPEC["experiments"]["checkout"],
            "guardrails": [],
            "secondary": [],
            "window_days": window,
            "pre_period_days": pre,
        }
    }
    from proxymetric.data import SourceResolver, event_moments
    from proxymetric.data.events import AssignmentRequest
    from proxymetric.experiment import event_aggregates, resolve

    loaded = proxymetric.load_spec(spec)
    resolver = SourceResolver(Path.cwd(), {"assignments": assignments, "events": events})
    aggs = event_aggregates(resolve(loaded, "checkout"))
    vm = event_moments(
        resolver, loaded.sources, AssignmentRequest("assignments", window, pre), aggs
    )
    m = vm.moments["treatment"]  # users 3 (the offsets) and 4 (one purchase of 3 at t0)
    return m.mean_of("revenue") * 2 - 3.0, m.mean_of("revenue__pre") * 2


def test_window_edges() -> None:
    # At t0: analysis. At t0 + 7 days exactly: neither. Just before t0: pre-period only.
    # At t0 - 14 days exactly: pre-period. Before that: ignored.
    revenue, pre = _edge_case([0.0, 7.0, -1e-6, -14.0, -14.5, 6.999])
    assert revenue == pytest.approx(1.0 + 1e5)  # offsets 0 and 6.999 (amounts 10^0 and 10^5)
    assert pre == pytest.approx(100.0 + 1000.0)  # offsets -1e-6 and -14 (10^2 and 10^3)


def test_no_window_counts_every_later_event() -> None:
    revenue, _ = _edge_case([0.0, 30.0, 365.0], window=1e6)
    assert revenue == pytest.approx(1.0 + 10.0 + 100.0)


def test_units_with_no_events_count_as_zero(logs: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    assignments, events = logs
    quiet = events[events.user >= 100]  # users 0..99 have no events at all
    result = proxymetric.analyze(EVENT_SPEC, data={"assignments": assignments, "events": quiet})
    assert sum(result.units.values()) == len(assignments)


def test_units_in_several_variants_are_excluded_and_counted(
    logs: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    assignments, events = logs
    dupes = assignments.iloc[:25].assign(
        arm=lambda d: np.where(d.arm == "control", "treatment", "control")
    )
    same = assignments.iloc[25:30]  # re-assigned to the same variant: kept, first time counts
    result = proxymetric.analyze(
        EVENT_SPEC, data={"assignments": pd.concat([assignments, dupes, same]), "events": events}
    )
    assert "25 unit(s) were assigned to more than one variant and were left out" in result.warnings
    assert sum(result.units.values()) == len(assignments) - 25


def test_exposure_filter(logs: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    assignments, events = logs
    assignments = assignments.assign(platform=np.where(assignments.user % 3 == 0, "ios", "web"))
    spec = {
        **EVENT_SPEC,
        "experiments": {
            "checkout": {
                **EVENT_SPEC["experiments"]["checkout"],
                "exposure_filter": "platform = 'ios'",
            }
        },
    }
    result = proxymetric.analyze(spec, data={"assignments": assignments, "events": events})
    assert sum(result.units.values()) == int((assignments.user % 3 == 0).sum())


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        ("1=1; DROP TABLE events", "a filter must be exactly one SQL expression"),
        ("amount > (SELECT max(amount) FROM events)", "a subquery"),
        ("user IN (SELECT user FROM events)", "a subquery"),
        ("EXISTS (SELECT 1)", "a subquery"),
        ("read_csv('/etc/passwd') IS NOT NULL", "function"),
        ("system('rm -rf /') = 0", "unknown function 'system'"),
        (
            "amout > 0",
            "unknown column 'amout' in filter 'amout > 0'; columns: user, ts, event, amount; did you mean 'amount'?",
        ),
        ("e.amount > 0", "qualified column"),
        ("amount", "is not a boolean expression"),
        ("amount >", "cannot parse filter"),
    ],
)
def test_hostile_filters_are_rejected_and_nothing_runs(
    tmp_path: Path, logs: tuple[pd.DataFrame, pd.DataFrame], flt: str, message: str
) -> None:
    assignments, events = logs
    db = tmp_path / "w.db"
    with duckdb.connect(str(db)) as con:
        con.register("a", assignments.iloc[:50])
        con.register("e", events.iloc[:500])
        con.execute("CREATE TABLE assignments AS SELECT * FROM a")
        con.execute("CREATE TABLE events AS SELECT * FROM e")
    spec = {
        **EVENT_SPEC,
        "sources": {
            k: {**v, "connection": f"duckdb://{db}"} for k, v in EVENT_SPEC["sources"].items()
        },
    }
    spec["metrics"] = {
        **EVENT_SPEC["metrics"],
        "revenue": {**EVENT_SPEC["metrics"]["revenue"], "filter": flt},
    }
    with pytest.raises(DataError) as info:
        proxymetric.analyze(spec)
    assert message in str(info.value)
    assert "metric 'revenue'" in str(info.value)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (500,)


def test_spec_errors_for_event_metrics() -> None:
    bad = {
        **EVENT_SPEC,
        "experiments": {
            "checkout": {
                k: v for k, v in EVENT_SPEC["experiments"]["checkout"].items() if k != "assignment"
            }
        },
    }
    with pytest.raises(ProxymetricError, match="name its assignment log with `assignment: SOURCE`"):
        proxymetric.load_spec(bad)
    bad = {
        **EVENT_SPEC,
        "metrics": {
            **EVENT_SPEC["metrics"],
            "revenue": {"type": "mean", "source": "events", "column": "amount"},
        },
    }
    with pytest.raises(ProxymetricError, match="needs `aggregate`"):
        proxymetric.load_spec(bad)
    bad = {
        **EVENT_SPEC,
        "metrics": {
            **EVENT_SPEC["metrics"],
            "revenue": {"type": "mean", "source": "events", "aggregate": "sum"},
        },
    }
    with pytest.raises(ProxymetricError, match="aggregate `sum` needs a `column`"):
        proxymetric.load_spec(bad)


def test_missing_event_column(logs: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    assignments, events = logs
    with pytest.raises(DataError, match="column 'amount' not found in source 'events'"):
        proxymetric.analyze(
            EVENT_SPEC, data={"assignments": assignments, "events": events.drop(columns="amount")}
        )

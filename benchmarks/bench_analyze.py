"""Benchmark `proxymetric.analyze` against the bare-scan limit and against tea-tasting.

Generates data at the chosen scale into DuckDB files under `benchmarks/_data/` (kept between
runs), then times, side by side in one run (median of --repeat runs, warm):

Unit level (--units, default 10 million; three metrics, two with CUPED):
  (a) proxymetric.analyze on the DuckDB table (spec, one query, statistics, decision);
  (b) the scan limit: one SQL query of the raw sums and cross-products the statistics need;
  (c) the same moments with the engine's `var_samp`/`covar_samp` aggregates;
  (d) tea-tasting analysing the same table through Ibis (if installed: `make bench`).
Segments (--units; the same three metrics, with a `country` of 7 values and a `device` of 3):
  the analysis with segments (one column, two; a declared mapping of the countries, bins of a
  numeric column) against the same analysis without them.
Fixed overhead (10,000 units): the analysis against the raw-sum query alone, both opening the
DuckDB file on each call.

Event level (--events rows, --event-units units; four metrics with pre-period CUPED):
  (a) proxymetric.analyze on the assignment and event logs;
  (b) one hand-written SQL query doing the same joins, windows and aggregations.

Peak memory: each scale is analysed in a fresh process at 1/10 and at full size; the peak
resident memory of the process and the peak of Python's own heap (tracemalloc) are printed.

    .venv/bin/python benchmarks/bench_analyze.py                 # full scale
    .venv/bin/python benchmarks/bench_analyze.py --units 1000000 --events 5000000 --event-units 500000
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

DATA = Path(__file__).resolve().parent / "_data"


# ----------------------------------------------------------------------------- data
def _generate(name: str, statements: list[str]) -> Path:
    """Run ``statements`` into a new DuckDB file ``name`` (kept; renamed into place when done)."""
    path = DATA / f"{name}.duckdb"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(tmp)) as con:
        for sql in statements:
            con.execute(sql)
    tmp.rename(path)
    return path


def make_units(n: int) -> Path:
    return _generate(
        f"units_{n}",
        [
            f"""
            CREATE TABLE units AS
            SELECT i AS user_id,
                   CASE WHEN hash(i) % 2 = 0 THEN 'A' ELSE 'B' END AS arm,
                   x1, 0.8 * x1 + 5 * random() + CASE WHEN hash(i) % 2 = 0 THEN 0 ELSE 0.02 END AS y1,
                   x2, 0.5 * x2 + 2 * random() AS y2,
                   random() < 0.2 AS y3
            FROM (SELECT i, 10 * random() AS x1, 3 * random() AS x2 FROM range({n}) t(i))
            """
        ],
    )


def make_segmented_units(n: int) -> Path:
    return _generate(
        f"segmented_units_{n}",
        [
            f"""
            CREATE TABLE units AS
            SELECT i AS user_id,
                   CASE WHEN hash(i) % 2 = 0 THEN 'A' ELSE 'B' END AS arm,
                   ['us', 'us', 'us', 'de', 'de', 'fr', 'br', 'jp', 'is', 'lu'][1 + CAST(hash(i + 1) % 10 AS BIGINT)]
                       AS country,
                   ['ios', 'android', 'web'][1 + CAST(hash(i + 2) % 3 AS BIGINT)] AS device,
                   x1, 0.8 * x1 + 5 * random() + CASE WHEN hash(i) % 2 = 0 THEN 0 ELSE 0.02 END AS y1,
                   x2, 0.5 * x2 + 2 * random() AS y2,
                   random() < 0.2 AS y3
            FROM (SELECT i, 10 * random() AS x1, 3 * random() AS x2 FROM range({n}) t(i))
            """
        ],
    )


def make_events(n_events: int, n_units: int) -> Path:
    return _generate(
        f"events_{n_events}_{n_units}",
        [
            f"""
            CREATE TABLE assignments AS
            SELECT i AS user_id,
                   CASE WHEN hash(i) % 2 = 0 THEN 'A' ELSE 'B' END AS arm,
                   TIMESTAMP '2024-01-15' + to_microseconds(CAST(random() * 14 * 86400e6 AS BIGINT)) AS assigned_at
            FROM range({n_units}) t(i)
            """,
            f"""
            CREATE TABLE events AS
            SELECT CAST(floor(random() * {n_units}) AS BIGINT) AS user_id,
                   TIMESTAMP '2024-01-01' + to_microseconds(CAST(random() * 42 * 86400e6 AS BIGINT)) AS ts,
                   CASE WHEN random() < 0.1 THEN 'purchase' ELSE 'view' END AS event,
                   round(random() * 100, 2) AS amount
            FROM range({n_events}) t(i)
            """,
        ],
    )


# ----------------------------------------------------------------------------- specs and SQL
def unit_spec(db: Path, unique: bool = True) -> dict[str, Any]:
    # `unique`: the table's ids are its key; False counts the distinct units (a second query).
    return {
        "sources": {
            "units": {
                "table": "units",
                "connection": f"duckdb://{db}",
                "unit": "user_id",
                "variant": "arm",
                "unique": unique,
            }
        },
        "metrics": {
            "y1": {"type": "mean", "source": "units", "column": "y1", "covariate": "x1"},
            "y2": {"type": "mean", "source": "units", "column": "y2", "covariate": "x2"},
            "y3": {"type": "proportion", "source": "units", "column": "y3"},
        },
        "experiments": {
            "e": {
                "control": "A",
                "primary": "y1",
                "guardrails": [{"metric": "y3", "margin": 0.05}],
                "secondary": ["y2"],
            }
        },
    }


# The scan limit: one pass computing the raw sums and cross-products the statistics need (the
# cheapest aggregate that carries the information; not numerically stable for large means).
UNIT_RAW_SQL = """
SELECT arm, count(*) AS n,
       sum(y1), sum(x1), sum(y1 * y1), sum(x1 * x1), sum(y1 * x1),
       sum(y2), sum(x2), sum(y2 * y2), sum(x2 * x2), sum(y2 * x2),
       sum(CAST(y3 AS DOUBLE))
FROM units GROUP BY arm
"""

# What a person would write for the same statistics with the engine's variance aggregates:
# per metric its count, means, variances and the covariance of the metric with its covariate.
UNIT_SQL = """
SELECT arm, count(*) AS n,
       avg(y1), avg(x1), var_samp(y1), var_samp(x1), covar_samp(y1, x1),
       avg(y2), avg(x2), var_samp(y2), var_samp(x2), covar_samp(y2, x2),
       avg(CAST(y3 AS DOUBLE)), var_samp(CAST(y3 AS DOUBLE))
FROM units GROUP BY arm
"""


def event_spec(db: Path) -> dict[str, Any]:
    conn = f"duckdb://{db}"
    purchase = "event = 'purchase'"
    return {
        "sources": {
            "assignments": {
                "table": "assignments",
                "connection": conn,
                "unit": "user_id",
                "variant": "arm",
                "timestamp": "assigned_at",
            },
            "events": {"table": "events", "connection": conn, "unit": "user_id", "timestamp": "ts"},
        },
        "metrics": {
            "revenue": {
                "type": "mean",
                "source": "events",
                "aggregate": "sum",
                "column": "amount",
                "filter": purchase,
            },
            "orders": {
                "type": "mean",
                "source": "events",
                "aggregate": "count",
                "filter": purchase,
            },
            "buyer": {"type": "proportion", "source": "events", "filter": purchase},
            "conversion": {
                "type": "ratio",
                "source": "events",
                "numerator": {"aggregate": "count", "filter": purchase},
                "denominator": {"aggregate": "count"},
            },
        },
        "experiments": {
            "e": {
                "assignment": "assignments",
                "control": "A",
                "window_days": 14,
                "pre_period_days": 14,
                "primary": "revenue",
                "guardrails": [{"metric": "buyer", "margin": 0.05}],
                "secondary": ["orders", "conversion"],
            }
        },
    }


EVENT_SQL = """
WITH a AS (
    SELECT user_id, min(arm) AS arm, count(DISTINCT arm) AS nv, min(assigned_at) AS t0
    FROM assignments GROUP BY user_id
), e AS (
    SELECT e.user_id,
           sum(amount) FILTER (WHERE ts >= t0 AND event = 'purchase') AS rev,
           sum(amount) FILTER (WHERE ts < t0 AND event = 'purchase') AS rev_pre,
           count(*) FILTER (WHERE ts >= t0 AND event = 'purchase') AS ord,
           count(*) FILTER (WHERE ts < t0 AND event = 'purchase') AS ord_pre,
           count(*) FILTER (WHERE ts >= t0) AS ev,
           count(*) FILTER (WHERE ts < t0) AS ev_pre
    FROM events e JOIN a ON e.user_id = a.user_id
    WHERE ts >= t0 - INTERVAL 14 DAY AND ts < t0 + INTERVAL 14 DAY
    GROUP BY e.user_id
), u AS (
    SELECT a.arm,
           coalesce(rev, 0) AS rev, coalesce(rev_pre, 0) AS rev_pre,
           coalesce(ord, 0) AS ord, coalesce(ord_pre, 0) AS ord_pre,
           CAST(coalesce(ord, 0) > 0 AS DOUBLE) AS buy, CAST(coalesce(ord_pre, 0) > 0 AS DOUBLE) AS buy_pre,
           coalesce(ev, 0) AS ev, coalesce(ev_pre, 0) AS ev_pre
    FROM a LEFT JOIN e ON a.user_id = e.user_id
    WHERE nv = 1
)
SELECT arm, count(*),
       avg(rev), avg(rev_pre), var_samp(rev), var_samp(rev_pre), covar_samp(rev, rev_pre),
       avg(ord), avg(ord_pre), var_samp(ord), var_samp(ord_pre), covar_samp(ord, ord_pre),
       avg(buy), avg(buy_pre), var_samp(buy), var_samp(buy_pre), covar_samp(buy, buy_pre),
       avg(ev), avg(ev_pre), var_samp(ev), var_samp(ev_pre),
       covar_samp(ord, ev), covar_samp(ord, ord_pre), covar_samp(ord, ev_pre),
       covar_samp(ev, ord_pre), covar_samp(ev, ev_pre), covar_samp(ord_pre, ev_pre)
FROM u GROUP BY arm
"""


# ----------------------------------------------------------------------------- timing
def side_by_side(contenders: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median time of each contender, run in turns (ABCABC...) so that a shared machine's
    changing load falls on all of them alike. Each is run once first to warm caches."""
    for fn in contenders.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def time_units(db: Path, repeat: int, tea: bool) -> dict[str, float]:
    import proxymetric

    spec = unit_spec(db)
    checked = unit_spec(db, unique=False)
    con = duckdb.connect(str(db), read_only=True)
    contenders: dict[str, Callable[[], object]] = {
        "proxymetric": lambda: proxymetric.analyze(spec),
        "  + unit check": lambda: proxymetric.analyze(checked),
        "raw-sum scan": lambda: con.execute(UNIT_RAW_SQL).fetchall(),
        "var_samp SQL": lambda: con.execute(UNIT_SQL).fetchall(),
    }
    if tea:
        import ibis
        import tea_tasting as tt

        table = ibis.duckdb.connect(str(db), read_only=True).table("units")
        table = table.mutate(y3=table.y3.cast("int8"))
        experiment = tt.Experiment(
            y1=tt.Mean("y1", covariate="x1"),
            y2=tt.Mean("y2", covariate="x2"),
            y3=tt.Mean("y3"),
            variant="arm",
        )
        contenders["tea-tasting"] = lambda: experiment.analyze(table, control="A")
    return side_by_side(contenders, repeat)


def time_segments(db: Path, repeat: int) -> dict[str, float]:
    import proxymetric

    spec = unit_spec(db)
    declared = unit_spec(db)
    regions = {"americas": ["us", "br"], "europe": ["de", "fr", "is", "lu"]}
    declared["experiments"]["e"]["segments"] = [
        {"name": "region", "column": "country", "values": regions},
        {"name": "x1_band", "column": "x1", "bins": [2.5, 5, 7.5]},
    ]
    return side_by_side(
        {
            "no segments": lambda: proxymetric.analyze(spec),
            "segments: country": lambda: proxymetric.analyze(spec, segments=["country"]),
            "  + device": lambda: proxymetric.analyze(spec, segments=["country", "device"]),
            "declared: region (values)": lambda: proxymetric.analyze(declared, segments=["region"]),
            "declared: x1 bins": lambda: proxymetric.analyze(declared, segments=["x1_band"]),
        },
        repeat,
    )


def time_quantiles(db: Path, repeat: int) -> dict[str, float]:
    import proxymetric

    spec = unit_spec(db)
    with_p95 = unit_spec(db)
    with_p95["metrics"]["p95"] = {
        "type": "quantile",
        "q": 0.95,
        "source": "units",
        "column": "y2",
        "direction": "decrease",
    }
    with_p95["experiments"]["e"]["guardrails"].append({"metric": "p95", "margin": 0.05})
    from proxymetric.data import quantiles

    def sorting_every_value() -> object:
        # the query before the band: one sort of each arm's values
        saved = quantiles.BAND_MIN_VALUES
        quantiles.BAND_MIN_VALUES = 2**62
        try:
            return proxymetric.analyze(with_p95)
        finally:
            quantiles.BAND_MIN_VALUES = saved

    return side_by_side(
        {
            "no quantile": lambda: proxymetric.analyze(spec),
            "  + p95 guardrail": lambda: proxymetric.analyze(with_p95),
            "  + p95, full sort": sorting_every_value,
        },
        repeat,
    )


def time_events(db: Path, repeat: int) -> dict[str, float]:
    import proxymetric

    spec = event_spec(db)
    con = duckdb.connect(str(db), read_only=True)
    return side_by_side(
        {
            "proxymetric": lambda: proxymetric.analyze(spec),
            "hand-written SQL": lambda: con.execute(EVENT_SQL).fetchall(),
        },
        repeat,
    )


def memory_child(kind: str, db: str) -> None:
    """Analyse once in this (fresh) process and print its peak memory as JSON."""
    import proxymetric

    tracemalloc.start()
    spec = unit_spec(Path(db)) if kind == "units" else event_spec(Path(db))
    proxymetric.analyze(spec)
    _, python_peak = tracemalloc.get_traced_memory()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rss_mb": rss_kb / 1024, "python_heap_mb": python_peak / 2**20}))


def measure_memory(kind: str, db: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", kind, str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def time_small(db: Path, repeat: int) -> dict[str, float]:
    """Fixed overhead: a small analysis against the query alone, each opening the file cold
    (as every call of `analyze` does)."""
    import proxymetric

    spec = unit_spec(db)

    def query_alone() -> object:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute(UNIT_RAW_SQL).fetchall()

    return side_by_side(
        {"proxymetric": lambda: proxymetric.analyze(spec), "raw-sum scan": query_alone}, repeat
    )


def report(title: str, times: dict[str, float], base_name: str = "raw-sum scan") -> None:
    base = times[base_name]
    print(f"\n{title}")
    for name, t in times.items():
        print(f"  {name:<18} {t:8.3f} s   {t / base:5.2f}x the {base_name}")
    if "tea-tasting" in times:
        print(
            f"  proxymetric is {times['tea-tasting'] / times['proxymetric']:.1f}x faster than tea-tasting"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000_000)
    parser.add_argument("--events", type=int, default=50_000_000)
    parser.add_argument("--event-units", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-events", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--segments-only", action="store_true")
    parser.add_argument("--quantiles-only", action="store_true")
    parser.add_argument("--memory-child", nargs=2, metavar=("KIND", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    try:
        import tea_tasting  # noqa: F401

        tea = True
    except ImportError:
        tea = False
        print("tea-tasting is not installed (`make bench` installs it); skipping it")
    print(f"generating data into {DATA} (kept between runs) ...", flush=True)
    if args.quantiles_only:
        report(
            f"quantiles: {args.units:,} units, 3 metrics (2 with CUPED), and a p95 guardrail",
            time_quantiles(make_units(args.units), args.repeat),
            "no quantile",
        )
        return
    report(
        f"segments: {args.units:,} units, 3 metrics (2 with CUPED), 10 countries, 3 devices",
        time_segments(make_segmented_units(args.units), args.repeat),
        "no segments",
    )
    if args.segments_only:
        return
    units_db = make_units(args.units)
    small_units_db = make_units(args.units // 10)
    report(
        f"unit level: {args.units:,} units, 3 metrics (2 with CUPED)",
        time_units(units_db, args.repeat, tea),
    )
    small_db = make_units(10_000)
    report(
        "fixed overhead: 10,000 units, each call opening the DuckDB file",
        time_small(small_db, max(args.repeat, 20)),
    )
    for db, n in ((small_units_db, args.units // 10), (units_db, args.units)):
        if args.skip_memory:
            break
        m = measure_memory("units", db)
        print(
            f"  peak memory at {n:>12,} units: process {m['rss_mb']:7.1f} MB, Python heap {m['python_heap_mb']:6.1f} MB"
        )
    if args.skip_events:
        return
    events_db = make_events(args.events, args.event_units)
    small_events_db = make_events(args.events // 10, args.event_units // 10)
    report(
        f"event level: {args.events:,} events, {args.event_units:,} units, 4 metrics with pre-period CUPED",
        time_events(events_db, args.repeat),
        "hand-written SQL",
    )
    for db, n in ((small_events_db, args.events // 10), (events_db, args.events)):
        if args.skip_memory:
            break
        m = measure_memory("events", db)
        print(
            f"  peak memory at {n:>12,} events: process {m['rss_mb']:7.1f} MB, Python heap {m['python_heap_mb']:6.1f} MB"
        )


if __name__ == "__main__":
    main()

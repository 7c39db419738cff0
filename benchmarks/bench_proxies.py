"""Benchmark: proxy validation over 10,000 experiments x 10 metrics.

Three timings, best of ``--repeat`` runs:

1. ``validate_proxies`` on an :class:`EffectTable` already in memory (the statistics: naive,
   total-covariance and cross-fold covariances, composite weights, 5-fold cross-validation);
2. building that table from long-format rows (one per experiment and metric, with the 45 measured
   noise covariances per experiment), what a registry read hands over;
3. reading those rows from a SQLite registry and building the table (``table_from_registry``).

Run: ``.venv/bin/python benchmarks/bench_proxies.py``. Figures are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from proxymetric.proxies import effect_table, table_from_registry, validate_proxies
from proxymetric.registry import Registry
from proxymetric.registry import _schema as schema


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--metrics", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    k, m = args.experiments, args.metrics
    rng = np.random.default_rng(0)
    a = rng.normal(size=(m, m))
    true_cov = (a @ a.T + np.eye(m)) * 1e-4
    b = rng.normal(size=(m, m))
    psi = b @ b.T + np.eye(m)
    units = rng.uniform(10_000, 40_000, size=k)
    tau = rng.multivariate_normal(np.zeros(m), true_cov, size=k)
    noise = rng.standard_normal((k, m)) @ np.linalg.cholesky(psi).T / np.sqrt(units)[:, None]
    y = tau + noise
    s = psi[None] / units[:, None, None]
    names = [f"m{j}" for j in range(m)]
    labels = [f"e{i:05d}/treatment" for i in range(k)]
    long_label = [lab for lab in labels for _ in names]
    long_metric = names * k
    se = np.sqrt(np.einsum("kii->ki", s)).ravel()
    pairs = [(p, q) for p in range(m) for q in range(p + 1, m)]
    covs = (
        [lab for lab in labels for _ in pairs],
        [names[p] for _ in range(k) for p, _ in pairs],
        [names[q] for _ in range(k) for _, q in pairs],
        np.array([s[i, p, q] for i in range(k) for p, q in pairs]),
    )

    def build() -> object:
        return effect_table(
            long_label, long_metric, y.ravel(), se, np.repeat(units, m), covariances=covs
        )

    table = effect_table(
        long_label, long_metric, y.ravel(), se, np.repeat(units, m), covariances=covs
    )
    t_stats = _best(lambda: validate_proxies(table, "m0"), args.repeat)
    t_build = _best(build, args.repeat)

    with tempfile.TemporaryDirectory() as tmp:
        reg = Registry(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        with reg._engine.begin() as conn:  # bulk load for the benchmark only
            conn.execute(
                sa.insert(schema.records),
                [
                    {
                        "id": i + 1,
                        "kind": "import",
                        "experiment": f"e{i:05d}",
                        "created_at": "2026-01-01T00:00:00",
                        "tool_version": "bench",
                        "noise_covariance": "measured",
                        "payload": "{}",
                    }
                    for i in range(k)
                ],
            )
            conn.execute(
                sa.insert(schema.effects),
                [
                    {
                        "record_id": i + 1,
                        "variant": "treatment",
                        "metric": names[j],
                        "effect": float(y[i, j]),
                        "effect_se": float(np.sqrt(s[i, j, j])),
                        "control_units": int(units[i] / 2),
                        "treatment_units": int(units[i] - int(units[i] / 2)),
                    }
                    for i in range(k)
                    for j in range(m)
                ],
            )
            conn.execute(
                sa.insert(schema.noise_covariances),
                [
                    {
                        "record_id": i + 1,
                        "variant": "treatment",
                        "metrics": json.dumps(names),
                        "covariance": s[i].astype("<f8").tobytes(),
                    }
                    for i in range(k)
                ],
            )
        t_load = time.perf_counter() - t0
        t_read = _best(lambda: table_from_registry(reg), args.repeat)
        reg.close()

    print(f"{k:,} experiments x {m} metrics (best of {args.repeat})")
    print(f"  validate_proxies on the table in memory: {t_stats * 1e3:8.1f} ms")
    print(f"  effect_table from long rows:             {t_build * 1e3:8.1f} ms")
    print(f"  table_from_registry (SQLite read+build): {t_read * 1e3:8.1f} ms")
    print(f"  (bulk-loading the SQLite file:           {t_load * 1e3:8.1f} ms, once)")
    print(f"  registry read + validation:              {(t_read + t_stats) * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()

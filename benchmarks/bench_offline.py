"""Offline evaluation at scale: ranking metrics over 1 million users x top-100 lists.

    .venv/bin/python benchmarks/bench_offline.py                      # 1M users x 100
    .venv/bin/python benchmarks/bench_offline.py --units 100000 --bootstrap 200

Generates one model's top-100 lists (in the usual export order: by user, then by decreasing
score) over a 50,000-item catalogue and 10 relevant items per user, then times
:func:`proxymetric.offline.evaluate` end to end (identifier encoding, ranking, all rating,
ranking and list metrics) and, separately, the same on shuffled rows (which need a full sort).
Memory is the peak of what ``evaluate`` allocates above its inputs (tracemalloc, which numpy
reports its arrays to) and the process's peak RSS (inputs included: 2.4 GB at 1M x 100).

Peers: ``--peer`` times scikit-learn's ``ndcg_score`` on a dense user x item matrix;
``--ranx N`` times ranx (``Qrels``/``Run`` from data frames, then ``evaluate``, twice, the
second run with its numba functions compiled) on the first N users of the same lists, for
the same six ranking metrics, against proxymetric on the same rows, and prints both values.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np


def _lists(n_units: int, length: int, n_items: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units, dtype=np.int64), length)
    item = rng.integers(0, n_items, unit.size)
    # distinct items within a list: offset a random start by a per-unit stride
    start = rng.integers(0, n_items, n_units)
    item = (np.repeat(start, length) + np.tile(np.arange(length), n_units) * 7) % n_items
    score = -np.tile(np.arange(length, dtype=np.float64), n_units)  # sorted, decreasing
    return {"unit": unit, "item": item, "score": score}


def _truth(n_units: int, per_unit: int, n_items: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed + 1)
    unit = np.repeat(np.arange(n_units, dtype=np.int64), per_unit)
    start = rng.integers(0, n_items, n_units)
    item = (np.repeat(start, per_unit) + np.tile(np.arange(per_unit), n_units) * 11) % n_items
    rating = rng.integers(1, 6, unit.size).astype(np.float64)
    return {"unit": unit, "item": item, "rating": rating, "relevance": rating}


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--length", type=int, default=100)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--relevant", type=int, default=10)
    parser.add_argument("--bootstrap", type=int, default=0)
    parser.add_argument("--shuffled", action="store_true", help="also time shuffled rows")
    parser.add_argument("--peer", action="store_true", help="also time sklearn ndcg_score")
    parser.add_argument("--ranx", type=int, default=0, help="also time ranx on N users")
    args = parser.parse_args()

    from proxymetric.offline import evaluate

    predictions = _lists(args.units, args.length, args.items, seed=0)
    truth = _truth(args.units, args.relevant, args.items, seed=0)
    print(
        f"{args.units:,} users x top-{args.length} = {predictions['unit'].size:,} rows; "
        f"{truth['unit'].size:,} truth rows; {args.items:,} items"
    )
    t0 = time.perf_counter()
    floor = np.bincount(predictions["unit"], weights=predictions["score"])
    print(f"floor, one weighted bincount over the rows: {time.perf_counter() - t0:.1f} s")
    del floor
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    res = evaluate(predictions, truth, k=args.length, n_bootstrap=args.bootstrap)
    t1, c1 = time.perf_counter(), time.process_time()
    above = tracemalloc.get_traced_memory()[1] / 1024**3
    tracemalloc.stop()
    m = res.models["model"]
    print(
        f"evaluate (sorted rows, {args.bootstrap} bootstrap): {t1 - t0:.1f} s "
        f"({c1 - c0:.1f} s CPU); ndcg@{args.length} = {m[f'ndcg@{args.length}'].value:.4f}; "
        f"peak above inputs {above:.2f} GB; peak RSS {_peak_gb():.1f} GB"
    )
    for k in (10,):
        t0 = time.perf_counter()
        evaluate(predictions, truth, k=k, n_bootstrap=args.bootstrap)
        print(f"evaluate at k={k}: {time.perf_counter() - t0:.1f} s")
    if args.shuffled:
        perm = np.random.default_rng(1).permutation(predictions["unit"].size)
        shuffled = {c: v[perm] for c, v in predictions.items()}
        del perm
        t0 = time.perf_counter()
        evaluate(shuffled, truth, k=args.length, n_bootstrap=args.bootstrap)
        print(
            f"evaluate (shuffled rows): {time.perf_counter() - t0:.1f} s; "
            f"peak RSS {_peak_gb():.1f} GB"
        )
    if args.ranx:
        _ranx(predictions, truth, args.ranx, args.length)
    if args.peer:
        from sklearn.metrics import ndcg_score

        n_u, n_i = 20_000, 1_000
        rng = np.random.default_rng(2)
        rel = rng.integers(0, 4, (n_u, n_i)) * (rng.random((n_u, n_i)) < 0.05)
        rel[:, 0] += 1  # every user has a relevant item
        score = rng.random((n_u, n_i))
        uu, ii = np.meshgrid(np.arange(n_u), np.arange(n_i), indexing="ij")
        nz = rel.ravel() > 0
        t0 = time.perf_counter()
        want = ndcg_score(rel, score, k=100)
        t1 = time.perf_counter()
        got = (
            evaluate(
                {"unit": uu.ravel(), "item": ii.ravel(), "score": score.ravel()},
                {"unit": uu.ravel()[nz], "item": ii.ravel()[nz], "relevance": rel.ravel()[nz]},
                k=100,
                n_bootstrap=0,
            )
            .models["model"]["ndcg@100"]
            .value
        )
        t2 = time.perf_counter()
        print(
            f"peer, {n_u:,} users x {n_i:,} items (dense, unsorted), ndcg@100: "
            f"sklearn {t1 - t0:.2f} s, proxymetric {t2 - t1:.2f} s "
            f"(values {want:.6f} / {got:.6f})"
        )


def _ranx(predictions: dict[str, np.ndarray], truth: dict[str, np.ndarray], n: int, k: int) -> None:
    """Time ranx and proxymetric on the lists and truth of the first ``n`` users."""
    import pandas as pd
    from ranx import Qrels, Run
    from ranx import evaluate as ranx_evaluate

    from proxymetric.offline import evaluate

    p = {c: v[predictions["unit"] < n] for c, v in predictions.items()}
    t = {c: v[truth["unit"] < n] for c, v in truth.items()}
    names = ["ndcg", "precision", "recall", "mrr", "map", "hit_rate"]
    metrics = [f"{name}@{k}" for name in names]

    def frame(unit: np.ndarray, item: np.ndarray, score: np.ndarray) -> pd.DataFrame:
        ids = {
            "q_id": pd.Series(unit.astype(str).astype(object), dtype=object),
            "doc_id": pd.Series(item.astype(str).astype(object), dtype=object),
        }
        return pd.DataFrame({**ids, "score": score})

    c0 = time.process_time()
    run_frame = frame(p["unit"], p["item"], p["score"])
    qrels_frame = frame(t["unit"], t["item"], t["relevance"].astype(np.int64))
    c1 = time.process_time()
    qrels, run = Qrels.from_df(qrels_frame), Run.from_df(run_frame)
    c2 = time.process_time()
    want = ranx_evaluate(qrels, run, metrics)
    c3 = time.process_time()
    want = ranx_evaluate(qrels, run, metrics)
    c4 = time.process_time()
    got = evaluate(p, t, k=k, n_bootstrap=0).models["model"]
    c5 = time.process_time()
    print(
        f"peer ranx, {n:,} users x top-{k} ({p['unit'].size:,} rows), CPU: data frames "
        f"{c1 - c0:.1f} s, Qrels/Run {c2 - c1:.1f} s, evaluate {c3 - c2:.1f} s (first, with "
        f"compilation) / {c4 - c3:.1f} s (compiled); proxymetric end to end {c5 - c4:.1f} s"
    )
    assert isinstance(want, dict)
    for name in metrics:
        print(f"  {name}: ranx {want[name]:.9f}, proxymetric {got[name].value:.9f}")


if __name__ == "__main__":
    main()

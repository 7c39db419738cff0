"""A classifier's evaluation at scale: 1 million scored examples, two models, 1,000 rounds.

    .venv/bin/python benchmarks/bench_classifier.py
    .venv/bin/python benchmarks/bench_classifier.py --examples 100000 --bootstrap 200

Generates two correlated models' probabilities for one million labelled examples (10%
positives), then times :func:`proxymetric.classifier.evaluate_classifier` end to end: DeLong's
AUC intervals and test, every score metric, operating points at a threshold and at a target
recall, groups, calibration, production prevalence and the paired bootstrap with 1,000 rounds.
The time without the bootstrap is shown separately, and scikit-learn's metrics on the same
data as a peer of the point estimates.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np


def _examples(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.1
    z = rng.normal(1.5 * y - 1.0, 1.0)
    a = 1 / (1 + np.exp(-z))
    b = 1 / (1 + np.exp(-(z + rng.normal(0, 0.5, n))))
    group = rng.choice(np.array(["en", "fr", "de"]), n)
    return {
        "model": np.repeat(np.array(["a", "b"]), n),
        "score": np.r_[a, b],
        "label": np.r_[y, y],
        "group": np.r_[group, group],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=1_000_000)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from proxymetric.classifier import evaluate_classifier, read_examples

    ex = read_examples(_examples(args.examples, seed=0))
    kwargs = {"thresholds": [0.5], "target_recall": [0.8], "prevalence": 0.01}
    evaluate_classifier(ex, bootstrap=0, **kwargs)  # warm-up: imports
    for _ in range(args.repeat):
        t = time.perf_counter()
        evaluate_classifier(ex, bootstrap=0, **kwargs)
        no_boot = time.perf_counter() - t
        t = time.perf_counter()
        r = evaluate_classifier(ex, bootstrap=args.bootstrap, **kwargs)
        full = time.perf_counter() - t
        cells = next(n.values["cells"] for n in r.notes if n.code == "bootstrap_binned")
        print(
            f"{args.examples:,} examples x 2 models: without bootstrap {no_boot:.2f} s; "
            f"with {args.bootstrap} bootstrap rounds {full:.2f} s ({int(cells):,} cells)"
        )
    try:
        from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
    except ImportError:
        return
    t = time.perf_counter()
    for s in ex.scores:
        roc_auc_score(ex.labels, s)
        average_precision_score(ex.labels, s)
        brier_score_loss(ex.labels, s)
    print(f"scikit-learn AUC, AP and Brier of both models (no intervals): "
          f"{time.perf_counter() - t:.2f} s")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak resident memory {peak:.2f} GB")


if __name__ == "__main__":
    main()

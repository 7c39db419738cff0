"""MovieLens: is the model with the lowest RMSE also the best at ranking and at coverage?

Splits the bundled MovieLens latest-small ratings in time, trains the baselines and a small
matrix-factorisation model, evaluates them offline and prints which model wins on each metric.

    python examples/movielens/run.py                 # per-user temporal split (default)
    python examples/movielens/run.py --split global  # one global time cut-off
    python examples/movielens/run.py --out /tmp/ml   # also write the CLI's input files

An item is relevant when the user rated it 4 or more in the test period; every movie the user
has not rated in training is a candidate, so the lists are ranked over the whole catalogue.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from proxymetric.offline import (
    BiasModel,
    ItemMean,
    MatrixFactorization,
    MostPopular,
    OfflineResult,
    evaluate,
    predictions_table,
    temporal_split,
)
from proxymetric.report.offline import to_markdown

DATA = Path(__file__).resolve().parents[1] / "data" / "movielens"
BASELINE = "bias"


def load(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (ratings with unit, item, rating, timestamp; movies with item, features)."""
    ratings = pd.read_csv(data_dir / "ratings.csv.gz").rename(
        columns={"userId": "unit", "movieId": "item"}
    )
    movies = pd.read_csv(data_dir / "movies.csv.gz").rename(
        columns={"movieId": "item", "genres": "features"}
    )
    movies["features"] = movies["features"].replace("(no genres listed)", "")
    return ratings, movies[["item", "features"]]


def run(
    *,
    data_dir: Path = DATA,
    split: str = "per-unit",
    test_fraction: float = 0.2,
    k: int = 10,
    n_bootstrap: int = 1000,
    out: Path | None = None,
) -> OfflineResult:
    """Train the models, evaluate them, and return the :class:`OfflineResult`."""
    ratings, movies = load(data_dir)
    train, test = temporal_split(ratings, test_fraction=test_fraction, per_unit=split == "per-unit")
    models = {
        "most_popular": MostPopular().fit(train),
        "item_mean": ItemMean().fit(train),
        "bias": BiasModel().fit(train),
        "matrix_factorization": MatrixFactorization(n_factors=8, reg=0.2, seed=0).fit(train),
    }
    predictions = predictions_table(models, test, k=k)
    truth = {"unit": test["unit"], "item": test["item"], "rating": test["rating"]}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(predictions).to_csv(out / "predictions.csv.gz", index=False)
        pd.DataFrame(truth).to_csv(out / "truth.csv.gz", index=False)
        pd.DataFrame(train)[["unit", "item"]].to_csv(out / "train.csv.gz", index=False)
        movies.to_csv(out / "movies.csv.gz", index=False)
    return evaluate(
        predictions,
        truth,
        k=k,
        relevance_threshold=4.0,
        baseline=BASELINE,
        n_bootstrap=n_bootstrap,
        item_features=movies,
        interactions=train,
    )


def winners(result: OfflineResult) -> dict[str, str]:
    """Return the best model of each metric (lowest RMSE/MAE/popularity, highest otherwise)."""
    best: dict[str, str] = {}
    names = {n for metrics in result.models.values() for n in metrics}
    for name in sorted(names):
        scored = {m: metrics[name].value for m, metrics in result.models.items() if name in metrics}
        lower_is_better = name in ("rmse", "mae") or name.startswith("popularity")
        pick = min if lower_is_better else max
        best[name] = pick(scored, key=lambda m: scored[m])
    return best


def main(argv: Sequence[str] | None = None) -> OfflineResult:
    """Parse the command line, run the evaluation, print it; return the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DATA)
    parser.add_argument("--split", choices=["per-unit", "global"], default="per-unit")
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--n-bootstrap", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    missing = [
        name for name in ("ratings.csv.gz", "movies.csv.gz") if not (args.data_dir / name).is_file()
    ]
    if missing:
        parser.error(
            f"--data-dir {args.data_dir} has no {' or '.join(missing)}; the bundled MovieLens "
            f"latest-small data is in {DATA}"
        )
    result = run(
        data_dir=args.data_dir,
        split=args.split,
        test_fraction=args.test_fraction,
        k=args.k,
        n_bootstrap=args.n_bootstrap,
        out=args.out,
    )
    print(to_markdown(result))
    print()
    best = winners(result)
    for name in ("rmse", f"ndcg@{args.k}", f"recall@{args.k}", f"coverage@{args.k}"):
        print(f"best {name}: {best[name]}")
    for c in result.comparisons:
        if c.metric == "rmse":
            print(f"rmse of {c.model} - {c.baseline}: {c.difference:+.4f} (p = {c.pvalue:.3f})")
    same = best["rmse"] == best[f"ndcg@{args.k}"]
    print(f"the lowest-RMSE model is {'also' if same else 'not'} the best ranker by NDCG")
    return result


if __name__ == "__main__":
    main()

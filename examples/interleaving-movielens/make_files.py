"""Write the small example files of the guides from MovieLens (deterministic).

* ``judgments.csv``: a blind side-by-side test. For 300 users, three simulated raters each
  see two recommenders' top-10 lists (EASE, item-kNN, popularity; a random pair per user, in a
  random order) and prefer the list whose movies the user rated higher afterwards (the
  held-out ratings); ana and ben vote at random 15% of the time, chloe (a sloppy rater)
  50% of the time. Raters tag a list
  ``popular titles`` when most of it is among the 100 most-rated movies, ``niche`` when none
  is, and leave a note naming the best held-out movie the winning list found.
* ``rankings.csv``: EASE (ranker a) and popularity (ranker b) top-10 lists of 50 users.
* ``clicks.csv``: the team-draft interleaving of those lists for all 610 users, one session
  each, with clicks from the simulation's click model.

    python examples/interleaving-movielens/make_files.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from simulate import (
    LIST_LENGTH,
    NOISE_CLICK,
    _examine,
    click_probability,
    load,
    recommend,
    split,
)

from proxymetric.interleaving import team_draft

HERE = Path(__file__).resolve().parent


def item_knn(history: pd.DataFrame, n_users: int, n_movies: int) -> np.ndarray:
    """Top-10 unseen movies by cosine item-item similarity over the 2000 most-rated movies."""
    seen = sparse.csr_matrix(
        (np.ones(len(history)), (history["user"], history["movie"])), shape=(n_users, n_movies)
    )
    counts = np.asarray(seen.sum(axis=0)).ravel()
    candidates = np.argsort(-counts, kind="stable")[:2000]
    x = seen[:, candidates].toarray()
    norms = np.sqrt(x.sum(axis=0)) + 1e-12
    sim = (x.T @ x) / np.outer(norms, norms)
    np.fill_diagonal(sim, 0.0)
    scores = x @ sim
    scores[x > 0] = -np.inf
    return candidates[np.argsort(-scores, axis=1, kind="stable")[:, :LIST_LENGTH]]


def main() -> None:
    rng = np.random.default_rng(2026)
    ratings = load()
    titles = pd.read_csv(HERE.parent / "data" / "movielens" / "movies.csv.gz")
    movie_ids = ratings.drop_duplicates("movie").set_index("movie")["movieId"]
    title_of = titles.set_index("movieId")["title"]
    n_users = int(ratings["user"].max()) + 1
    n_movies = int(ratings["movie"].max()) + 1
    history, held_out = split(ratings)
    lists = recommend(history, n_users, n_movies)
    lists["item-kNN"] = item_knn(history, n_users, n_movies)
    counts = np.bincount(history["movie"], minlength=n_movies)
    top100 = set(np.argsort(-counts, kind="stable")[:100].tolist())
    rated = sparse.csr_matrix(
        (held_out["rating"], (held_out["user"], held_out["movie"])), shape=(n_users, n_movies)
    )

    names = ["EASE", "item-kNN", "popularity"]
    rows = []
    for user in rng.choice(n_users, 300, replace=False).tolist():
        a, b = rng.choice(3, 2, replace=False)
        value = {}
        for k in (a, b):
            r = rated[user, lists[names[k]][user]].toarray().ravel()
            value[k] = float((r * (r >= 3.5)).sum())
        truth = "a" if value[a] > value[b] else "b" if value[b] > value[a] else "tie"
        for rater, sloppiness in (("ana", 0.15), ("ben", 0.15), ("chloe", 0.5)):
            vote = truth if rng.random() > sloppiness else str(rng.choice(["a", "b", "tie"]))
            winner = {"a": a, "b": b}.get(vote)
            tags = []
            for k in (a, b):
                share = np.mean([m in top100 for m in lists[names[k]][user].tolist()])
                if share > 0.5 and k == (b if vote == "a" else a):
                    tags.append("popular titles")
                if share == 0 and k == winner:
                    tags.append("niche")
            note = ""
            if winner is not None and rng.random() < 0.3:
                lst = lists[names[winner]][user]
                r = rated[user, lst].toarray().ravel()
                if r.max() >= 4:
                    best = int(lst[int(np.argmax(r))])
                    note = f"found {title_of[movie_ids[best]]}"
            rows.append(
                {
                    "item": f"user{user}",
                    "system_a": names[a],
                    "system_b": names[b],
                    "winner": vote,
                    "rater": rater,
                    "position": "a" if rng.random() < 0.5 else "b",
                    "tags": ";".join(sorted(set(tags))),
                    "note": note,
                }
            )
    with (HERE / "judgments.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    with (HERE / "rankings.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["unit", "ranker", "item", "rank"])
        for user in range(50):
            for ranker, name in (("a", "EASE"), ("b", "popularity")):
                for rank, movie in enumerate(lists[name][user].tolist(), start=1):
                    writer.writerow([f"user{user}", ranker, int(movie_ids[movie]), rank])

    attract = click_probability(held_out, n_users, n_movies)
    examine = _examine(LIST_LENGTH)
    with (HERE / "clicks.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["unit", "list", "item", "team", "clicked"])
        for user in range(n_users):
            inter = team_draft(
                lists["EASE"][user].tolist(),
                lists["popularity"][user].tolist(),
                seed=f"clicks:{user}",
                length=LIST_LENGTH,
            )
            rel = attract[user, list(inter.items)].toarray().ravel()
            p = np.where(rel > 0, rel, NOISE_CLICK) * examine
            clicked = rng.random(LIST_LENGTH) < p
            for movie, team, c in zip(inter.items, inter.teams, clicked, strict=True):
                writer.writerow([f"user{user}", 1, int(movie_ids[movie]), team, int(c)])


if __name__ == "__main__":
    main()

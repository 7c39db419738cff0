"""Interleaving versus an A/B test on MovieLens: how many users does each need?

Set-up (run ``python examples/interleaving-movielens/simulate.py``):

1. MovieLens latest-small (610 users, 100,836 ratings). Each user's ratings are split by time:
   the earliest 80% are the history the recommenders see, the latest 20% are held out and
   stand for what the user would like now.
2. Two recommenders produce a top-10 list of unseen movies for every user: **EASE** (Steck,
   WWW 2019: a closed-form item-item linear model over the 2000 most-rated movies) and
   **popularity** (the most-rated movies the user has not seen).
3. Simulated users scan a list top-down (examination probability 1 / log2(position + 1)) and
   click a held-out movie with probability (rating - 2.5) / 2.5 when rated above 2.5 (1 for a
   5, 0.6 for a 4), and any other movie with probability 0.02.
4. A/B test: each user sees one recommender's list; the metric is clicks per user (Welch
   t-test). Users needed: ``2 (z_{1-a/2} + z_power)^2 (v_A + v_B) / (m_A - m_B)^2`` from the
   exact mean and variance of clicks per user over the population of simulated users.
5. Interleaving: each user sees the team-draft interleaving of the two lists (seeded by user
   and round) and prefers the recommender with more credited clicks. Users needed:
   :func:`proxymetric.interleaving.units_needed` with the observed preference and the share of
   users without a preference (no click, or equal credit), estimated over many rounds.
6. Both planned sizes are then checked by simulating whole experiments of that many users,
   drawn with replacement from the 610, and counting how often the test rejects at 5%.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.stats import norm, ttest_ind

from proxymetric.interleaving import preference_from_counts, team_draft, units_needed

DATA = Path(__file__).resolve().parents[1] / "data" / "movielens" / "ratings.csv.gz"
LIST_LENGTH = 10
NOISE_CLICK = 0.02

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Outcome:
    """What the simulation found, for one pair of recommenders."""

    better: str
    worse: str
    users_in_data: int
    sessions_per_user: float
    ab_clicks_per_user_better: float
    ab_clicks_per_user_worse: float
    ab_users_needed: int
    ab_power_at_plan: float
    interleaving_preference: float
    interleaving_no_preference_share: float
    interleaving_users_needed: int
    interleaving_power_at_plan: float
    ratio: float


def load(path: Path = DATA, max_users: int | None = None) -> pd.DataFrame:
    """Return the ratings with integer user and movie codes, sorted by user and time."""
    ratings = pd.read_csv(path)
    if max_users is not None:
        keep = np.sort(ratings["userId"].unique())[:max_users]
        ratings = ratings[ratings["userId"].isin(keep)]
    ratings = ratings.sort_values(["userId", "timestamp", "movieId"], kind="stable")
    ratings["user"] = pd.factorize(ratings["userId"], sort=True)[0]
    ratings["movie"] = pd.factorize(ratings["movieId"], sort=True)[0]
    return ratings.reset_index(drop=True)


def split(ratings: pd.DataFrame, held_out: float = 0.2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (history, held-out): each user's latest ``held_out`` share of ratings is held out."""
    rank = ratings.groupby("user").cumcount()
    size = ratings.groupby("user")["movie"].transform("size")
    test = rank >= np.ceil((1.0 - held_out) * size)
    return ratings[~test], ratings[test]


def recommend(
    history: pd.DataFrame, n_users: int, n_movies: int, ridge: float = 500.0
) -> dict[str, IntArray]:
    """Return top-10 lists of unseen movies per user for EASE and popularity.

    EASE (Steck, "Embarrassingly shallow autoencoders for sparse data", WWW 2019) learns an
    item-item weight matrix in closed form, ``B = I - P / diag(P)`` with
    ``P = (X^T X + ridge I)^-1``, over the 2000 most-rated movies.
    """
    seen = sparse.csr_matrix(
        (np.ones(len(history)), (history["user"], history["movie"])), shape=(n_users, n_movies)
    )
    counts = np.asarray(seen.sum(axis=0)).ravel()
    popular = np.argsort(-counts, kind="stable")
    candidates = popular[:2000]
    x = seen[:, candidates].toarray()
    gram = x.T @ x + ridge * np.eye(candidates.size)
    inv = np.linalg.inv(gram)
    weights = -inv / np.diag(inv)[None, :]
    np.fill_diagonal(weights, 0.0)
    ease_scores = x @ weights
    ease_scores[x > 0] = -np.inf
    ease = candidates[np.argsort(-ease_scores, axis=1, kind="stable")[:, :LIST_LENGTH]]
    pop_scores = np.where(x > 0, -np.inf, counts[candidates][None, :])
    pop = candidates[np.argsort(-pop_scores, axis=1, kind="stable")[:, :LIST_LENGTH]]
    return {"EASE": ease, "popularity": pop}


def click_probability(held_out: pd.DataFrame, n_users: int, n_movies: int) -> sparse.csr_matrix:
    """Return the (users x movies) click probability of a held-out movie when examined."""
    attract = np.clip((held_out["rating"].to_numpy() - 2.5) / 2.5, 0.0, 1.0)
    return sparse.csr_matrix(
        (attract, (held_out["user"], held_out["movie"])), shape=(n_users, n_movies)
    )


def _examine(length: int) -> FloatArray:
    return 1.0 / np.log2(np.arange(length) + 2.0)


def list_click_probs(lists: IntArray, attract: sparse.csr_matrix) -> FloatArray:
    """Return P(click) of each position of each user's list."""
    users = np.repeat(np.arange(lists.shape[0]), lists.shape[1])
    rel = np.asarray(attract[users, lists.ravel()]).reshape(lists.shape)
    rel = np.where(rel > 0, rel, NOISE_CLICK)
    return rel * _examine(lists.shape[1])[None, :]


def ab_plan(
    p_better: FloatArray, p_worse: FloatArray, alpha: float, power: float, sessions: IntArray
) -> int:
    """Return total users an A/B test on clicks per user needs (two equal arms)."""
    means, variances = [], []
    for p in (p_better, p_worse):
        per_user = sessions * p.sum(axis=1)
        means.append(per_user.mean())
        # law of total variance over users and click draws
        variances.append(per_user.var() + (sessions * (p * (1 - p)).sum(axis=1)).mean())
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    per_arm = z**2 * (variances[0] + variances[1]) / (means[0] - means[1]) ** 2
    return 2 * math.ceil(per_arm)


def ab_power(
    p_better: FloatArray,
    p_worse: FloatArray,
    users: int,
    rng: np.random.Generator,
    reps: int,
    sessions: IntArray,
) -> float:
    """Return the share of simulated A/B tests of ``users`` users that reject at 5%."""
    half = users // 2
    rejected = 0
    for _ in range(reps):
        a = rng.integers(0, p_better.shape[0], half)
        b = rng.integers(0, p_worse.shape[0], half)
        ca = rng.binomial(sessions[a, None], p_better[a]).sum(axis=1)
        cb = rng.binomial(sessions[b, None], p_worse[b]).sum(axis=1)
        rejected += ttest_ind(ca, cb, equal_var=False).pvalue < 0.05
    return rejected / reps


def interleaving_outcomes(
    lists_a: IntArray,
    lists_b: IntArray,
    attract: sparse.csr_matrix,
    rounds: int,
    rng: np.random.Generator,
    sessions: IntArray,
) -> IntArray:
    """Return per (round, user) outcome: 1 prefers a, -1 prefers b, 0 no preference.

    In each of its ``sessions[u]`` sessions user ``u`` sees a fresh team-draft interleaving
    (its own seed); credit is summed over the sessions.
    """
    n_users = lists_a.shape[0]
    examine = _examine(LIST_LENGTH)
    out = np.zeros((rounds, n_users), dtype=np.int64)
    for r in range(rounds):
        credit = np.zeros(n_users, dtype=np.int64)
        for session in range(int(sessions.max())):
            active = np.flatnonzero(sessions > session)
            items = np.empty((active.size, LIST_LENGTH), dtype=np.int64)
            team_a = np.empty((active.size, LIST_LENGTH), dtype=bool)
            for k, u in enumerate(active.tolist()):
                inter = team_draft(
                    lists_a[u].tolist(),
                    lists_b[u].tolist(),
                    seed=f"{r}:{u}:{session}",
                    length=LIST_LENGTH,
                )
                items[k] = inter.items
                team_a[k] = np.array(inter.teams) == "a"
            users = np.repeat(active, LIST_LENGTH)
            rel = np.asarray(attract[users, items.ravel()]).reshape(items.shape)
            p = np.where(rel > 0, rel, NOISE_CLICK) * examine[None, :]
            clicks = rng.random(p.shape) < p
            credit[active] += (clicks & team_a).sum(axis=1) - (clicks & ~team_a).sum(axis=1)
        out[r] = np.sign(credit)
    return out


def interleaving_power(
    outcomes: IntArray, users: int, rng: np.random.Generator, reps: int
) -> float:
    """Return the share of simulated interleaving tests of ``users`` users that reject at 5%."""
    flat = outcomes.ravel()
    rejected = 0
    for _ in range(reps):
        draw = flat[rng.integers(0, flat.size, users)]
        res = preference_from_counts(
            int((draw == 1).sum()), int((draw == -1).sum()), int((draw == 0).sum()), n_bootstrap=1
        )
        rejected += res.pvalue < 0.05
    return rejected / reps


def run(
    max_users: int | None = None,
    rounds: int = 20,
    reps: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
    power: float = 0.8,
    sessions: int = 1,
    activity: bool = False,
) -> Outcome:
    """Run the whole simulation and return what it found.

    ``sessions`` is the number of lists each user sees during the test (the same list again in
    the A/B test, a fresh interleaving each time in the interleaving test). With ``activity``
    a user instead sees one list per 20 movies rated in their history (rounded up), so heavy
    users see many lists and light users one, as engagement varies in real products.
    """
    rng = np.random.default_rng(seed)
    ratings = load(max_users=max_users)
    n_users = int(ratings["user"].max()) + 1
    n_movies = int(ratings["movie"].max()) + 1
    history, held_out = split(ratings)
    lists = recommend(history, n_users, n_movies)
    attract = click_probability(held_out, n_users, n_movies)
    p = {name: list_click_probs(lst, attract) for name, lst in lists.items()}
    if activity:
        rated = np.bincount(history["user"].to_numpy(), minlength=n_users)
        per_user = np.maximum(1, np.ceil(rated / 20.0)).astype(np.int64)
    else:
        per_user = np.full(n_users, sessions, dtype=np.int64)
    means = {name: float((per_user * v.sum(axis=1)).mean()) for name, v in p.items()}
    better, worse = sorted(means, key=lambda k: -means[k])
    ab_users = ab_plan(p[better], p[worse], alpha, power, per_user)
    outcomes = interleaving_outcomes(lists[better], lists[worse], attract, rounds, rng, per_user)
    wins_a = float((outcomes == 1).mean())
    wins_b = float((outcomes == -1).mean())
    preference = wins_a / (wins_a + wins_b)
    no_pref = 1.0 - wins_a - wins_b
    il_users = units_needed(preference, alpha=alpha, power=power, tie_rate=no_pref).units
    return Outcome(
        better=better,
        worse=worse,
        users_in_data=n_users,
        sessions_per_user=float(per_user.mean()),
        ab_clicks_per_user_better=means[better],
        ab_clicks_per_user_worse=means[worse],
        ab_users_needed=ab_users,
        ab_power_at_plan=ab_power(p[better], p[worse], ab_users, rng, reps, per_user),
        interleaving_preference=preference,
        interleaving_no_preference_share=no_pref,
        interleaving_users_needed=il_users,
        interleaving_power_at_plan=interleaving_power(outcomes, il_users, rng, reps),
        ratio=ab_users / il_users,
    )


def main(argv: list[str] | None = None) -> None:
    """Command line: print the outcome as a short report or as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=None, help="use only the first N users")
    parser.add_argument("--rounds", type=int, default=20, help="interleaving rounds per user")
    parser.add_argument("--reps", type=int, default=200, help="simulated experiments per check")
    parser.add_argument("--sessions", type=int, default=1, help="lists each user sees")
    parser.add_argument(
        "--activity", action="store_true", help="lists per user grow with the user's activity"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    out = run(
        args.users,
        args.rounds,
        args.reps,
        args.seed,
        sessions=args.sessions,
        activity=args.activity,
    )
    if args.json:
        print(json.dumps(asdict(out), indent=2))
        return
    print(
        f"{out.better} vs {out.worse} on {out.users_in_data} MovieLens users, "
        f"{out.sessions_per_user:.1f} lists per user on average"
    )
    print(
        f"A/B test on clicks per user: {out.ab_clicks_per_user_better:.2f} vs "
        f"{out.ab_clicks_per_user_worse:.2f}; needs {out.ab_users_needed:,} users "
        f"(simulated power {out.ab_power_at_plan:.0%})"
    )
    print(
        f"interleaving: {out.interleaving_preference:.1%} of users with a preference prefer "
        f"{out.better}, {out.interleaving_no_preference_share:.0%} show none; needs "
        f"{out.interleaving_users_needed:,} users "
        f"(simulated power {out.interleaving_power_at_plan:.0%})"
    )
    print(f"interleaving needs {out.ratio:.1f}x fewer users")


if __name__ == "__main__":
    main()

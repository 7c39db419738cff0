"""Team-draft interleaving: the properties of Radlinski, Kurup and Joachims (CIKM 2008)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxymetric.errors import DataError, ProxymetricError
from proxymetric.interleaving import interleave_table, preference_from_counts, team_draft

rankings = st.lists(st.integers(0, 30), max_size=15, unique=True)


@settings(max_examples=200, deadline=None)
@given(a=rankings, b=rankings, seed=st.integers(0, 2**32 - 1) | st.text(max_size=8))
def test_team_draft_properties(a: list[int], b: list[int], seed: int | str) -> None:
    """Every item once; teams balanced; picks follow each ranker's order; deterministic."""
    out = team_draft(a, b, seed=seed)
    assert sorted(out.items) == sorted(set(a) | set(b))
    assert team_draft(a, b, seed=seed) == out
    placed: set[int] = set()
    count = {"a": 0, "b": 0}
    for item, team in zip(out.items, out.teams, strict=True):
        ranking = a if team == "a" else b
        other = b if team == "a" else a
        if item in ranking:
            # the team picked its highest-ranked item not yet shown
            assert item == next(x for x in ranking if x not in placed)
            # balance: the picking team was not ahead, unless the other had nothing new
            if count[team] > count["b" if team == "a" else "a"]:
                assert all(x in placed for x in other)
        else:
            # a ranker that ran out of items lets the other pick for it: never happens
            pytest.fail("an item was credited to a ranker that does not rank it")
        placed.add(item)
        count[team] += 1
    if all(x in b for x in a) and all(x in a for x in b):
        assert abs(count["a"] - count["b"]) <= 1


@settings(max_examples=100, deadline=None)
@given(a=rankings, b=rankings, seed=st.integers(0, 1000), k=st.integers(0, 30))
def test_prefix_property(a: list[int], b: list[int], seed: int, k: int) -> None:
    """A shorter list is a prefix of a longer one for the same seed."""
    full = team_draft(a, b, seed=seed)
    short = team_draft(a, b, seed=seed, length=k)
    assert short.items == full.items[:k]
    assert short.teams == full.teams[:k]


def test_seed_matters_and_coin_is_fair() -> None:
    """Simulation: who picks first is a fair coin. Over 4000 seeds the share of lists that
    start with team a has standard error 0.0079; accept 0.5 +- 4 SE."""
    first = [team_draft([1, 2], [3, 4], seed=s).teams[0] for s in range(4000)]
    share = np.mean([t == "a" for t in first])
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / 4000)


def test_random_clicks_give_no_preference() -> None:
    """Simulation (A/A): users click one position uniformly at random, so credit is blind to
    the rankers. Over 400 experiments of 300 users the sign test must reject at about 5%:
    binomial SE sqrt(.05*.95/400) = 0.011, accept 0.05 +- 3 SE (the exact test is slightly
    conservative, so the lower bound is 0)."""
    rng = np.random.default_rng(10)
    a = list(range(10))
    b = list(range(9, -1, -1))
    lists = [team_draft(a, b, seed=s, length=6) for s in range(64)]
    team_at = np.array([[t == "a" for t in x.teams] for x in lists])
    rejections = 0
    for _ in range(400):
        which = rng.integers(0, 64, 300)
        pos = rng.integers(0, 6, 300)
        credit_a = team_at[which, pos]
        wins_a = int(credit_a.sum())
        res = preference_from_counts(wins_a, 300 - wins_a, 0, n_bootstrap=1)
        rejections += res.pvalue < 0.05
    assert rejections / 400 < 0.05 + 3 * np.sqrt(0.05 * 0.95 / 400)


def test_interleave_table_per_unit() -> None:
    table = {
        "unit": ["u1"] * 6 + ["u2"] * 4,
        "ranker": ["a", "a", "a", "b", "b", "b", "A", "a", "b", "b"],
        "item": ["x", "y", "z", "z", "w", "x", "p", "q", "q", "r"],
        "rank": [1, 2, 3, 1, 2, 3, 2, 1, 1, 2],
    }
    out = interleave_table(table, seed=3)
    u1 = out["unit"] == "u1"
    assert sorted(out["item"][u1].tolist()) == ["w", "x", "y", "z"]
    assert out["position"][u1].tolist() == [1, 2, 3, 4]
    again = interleave_table(table, seed=3)
    assert all((out[k] == again[k]).all() for k in out)
    expected = team_draft(["q", "p"], ["q", "r"], seed="3:u2")
    assert tuple(out["item"][~u1].tolist()) == expected.items


def test_bad_rankings() -> None:
    with pytest.raises(ProxymetricError, match=r"`ranking_a` lists item 'x' twice"):
        team_draft(["x", "x"], ["y"], seed=1)
    with pytest.raises(ProxymetricError, match=r"`length` must be an integer >= 0; got -1"):
        team_draft(["x"], ["y"], seed=1, length=-1)
    with pytest.raises(ProxymetricError, match=r"`seed` must be an integer or a string"):
        team_draft(["x"], ["y"], seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(DataError, match=r"column `ranker` must hold 'a' or 'b'; got 'c'"):
        interleave_table({"unit": [1], "ranker": ["c"], "item": ["x"], "rank": [1]})
    with pytest.raises(DataError, match=r"no column 'rank'; columns that exist: unit, ranker"):
        interleave_table({"unit": [1], "ranker": ["a"], "item": ["x"]})


def _rankings(ranks: list[object]) -> dict[str, list[object]]:
    return {
        "unit": ["q1", "q1", "q2", "q2"],
        "ranker": ["a", "a", "b", "b"],
        "item": ["x", "y", "x", "y"],
        "rank": ranks,
    }


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ([1, 2, 0, 1], "got 0 for unit 'q2', ranker 'b' (1 bad row(s))"),
        ([-1, 2, 1, 2], "got -1 for unit 'q1', ranker 'a'"),
        ([1, 2.5, 1, 2], "got 2.5 for unit 'q1', ranker 'a'"),
        ([1, 2, float("nan"), 2], "got a missing value for unit 'q2', ranker 'b'"),
        ([1, 2, float("inf"), 2], "got inf for unit 'q2', ranker 'b'"),
    ],
)
def test_ranks_must_be_whole_numbers_from_one(ranks: list[object], message: str) -> None:
    with pytest.raises(DataError, match="column `rank` must hold whole numbers >= 1") as info:
        interleave_table(_rankings(ranks))
    assert message in str(info.value)


def test_ranks_of_one_list_must_be_distinct() -> None:
    # q1/a gives rank 1 to two items; q2/b's 2 and 2 are fine only in different lists.
    with pytest.raises(DataError) as info:
        interleave_table(_rankings([1, 1, 1, 2]))
    assert str(info.value) == (
        "column `rank` repeats rank 1 for unit 'q1', ranker 'a' (items 'x' and 'y'); the ranks "
        "of one list must be distinct (1 repeat(s))"
    )
    table = {
        "unit": ["q1", "q1", "q2", "q2"],
        "ranker": ["a", "b", "a", "b"],
        "item": ["x", "y", "x", "y"],
        "rank": [1, 1, 1, 1],
    }
    assert interleave_table(table)["item"].tolist() != []  # equal ranks across lists are fine

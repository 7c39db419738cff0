"""Baselines against closed forms, pandas and simulated low-rank data; the temporal split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxymetric.offline import (
    BiasModel,
    ItemMean,
    MatrixFactorization,
    MostPopular,
    predictions_table,
    temporal_split,
)


def _ratings(seed: int, n_units: int = 30, n_items: int = 20, density: float = 0.4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mask = rng.random((n_units, n_items)) < density
    u, i = np.nonzero(mask)
    rating = rng.integers(1, 6, u.size).astype(float)
    return pd.DataFrame({"unit": u + 100, "item": i * 7, "rating": rating})


def test_item_mean_matches_pandas() -> None:
    # reference: pandas groupby mean; damped mean (sum + d * mu) / (n + d) by its closed form
    df = _ratings(0)
    model = ItemMean().fit(df)
    means = df.groupby("item")["rating"].mean()
    np.testing.assert_allclose(
        model.predict(np.full(means.size, 100), means.index), means.to_numpy(dtype=float)
    )
    damped = ItemMean(damping=5).fit(df)
    g = df.groupby("item")["rating"]
    want = (g.sum() + 5 * df["rating"].mean()) / (g.count() + 5)
    np.testing.assert_allclose(
        damped.predict(np.full(want.size, 100), want.index), want.to_numpy(dtype=float)
    )
    # an unknown item gets the global mean
    assert damped.predict([100], [-1])[0] == pytest.approx(df["rating"].mean())


def test_bias_model_converges_to_the_ridge_solution() -> None:
    # reference: the closed-form ridge solution of r - mu = b_u + b_i with penalties
    # reg_unit * |b_u|^2 + reg_item * |b_i|^2, solved densely with numpy.linalg.solve
    df = _ratings(1)
    reg_u, reg_i = 3.0, 5.0
    model = BiasModel(reg_item=reg_i, reg_unit=reg_u, n_iter=500).fit(df)
    units, u = np.unique(df["unit"], return_inverse=True)
    items, i = np.unique(df["item"], return_inverse=True)
    x = np.zeros((len(df), units.size + items.size))
    x[np.arange(len(df)), u] = 1.0
    x[np.arange(len(df)), units.size + i] = 1.0
    penalty = np.r_[np.full(units.size, reg_u), np.full(items.size, reg_i)]
    y = df["rating"].to_numpy() - df["rating"].mean()
    beta = np.linalg.solve(x.T @ x + np.diag(penalty), x.T @ y)
    np.testing.assert_allclose(model.unit_bias_, beta[: units.size], atol=1e-8)
    np.testing.assert_allclose(model.item_bias_, beta[units.size :], atol=1e-8)


def test_matrix_factorisation_recovers_a_low_rank_matrix() -> None:
    # simulation: ratings = 3 + b_u + b_i + P Q^T + noise (sd 0.3) with rank 3, half observed.
    # A least-squares fit with d = 4 parameters per unit and per item, from n_u = 40 and
    # n_i = 75 ratings, has expected held-out RMSE about 0.3 sqrt(1 + d/n_u + d/n_i) = 0.322;
    # the held-out RMSE's own sampling sd is 0.3 / sqrt(2 * 6000) < 0.003, so a 10% margin
    # (0.355) only fails if the fit is clearly off. The bias model cannot represent P Q^T.
    rng = np.random.default_rng(4)
    n_u, n_i, f = 150, 80, 3
    p, q = rng.normal(0, 0.8, (n_u, f)), rng.normal(0, 0.8, (n_i, f))
    truth = 3 + rng.normal(0, 0.5, n_u)[:, None] + rng.normal(0, 0.5, n_i)[None, :] + p @ q.T
    observed = truth + rng.normal(0, 0.3, truth.shape)
    u, i = np.meshgrid(np.arange(n_u), np.arange(n_i), indexing="ij")
    train = rng.random(truth.shape) < 0.5
    df = {"unit": u[train], "item": i[train], "rating": observed[train]}
    mf = MatrixFactorization(n_factors=f, reg=0.01, n_iter=30, seed=1).fit(df)
    pred = mf.predict(u[~train], i[~train])
    rmse = float(np.sqrt(np.mean((pred - observed[~train]) ** 2)))
    assert rmse < 1.1 * 0.3 * np.sqrt(1 + 4 / 40 + 4 / 75)
    bias = BiasModel().fit(df).predict(u[~train], i[~train])
    assert float(np.sqrt(np.mean((bias - observed[~train]) ** 2))) > 0.6
    # the fit is deterministic for a given seed
    again = MatrixFactorization(n_factors=f, reg=0.01, n_iter=30, seed=1).fit(df)
    np.testing.assert_array_equal(again.predict(u[~train], i[~train]), pred)


def test_most_popular_recommends_unseen_items_by_count() -> None:
    # reference: pandas value_counts, ties broken by item identifier, seen items removed
    df = _ratings(2)
    model = MostPopular().fit(df)
    recs = pd.DataFrame(model.recommend([100, 101, 999], k=5))
    counts = df["item"].value_counts()
    for unit, got in recs.groupby("unit"):
        seen = set(df.loc[df["unit"] == unit, "item"])
        ranking = sorted((c for c in counts.index if c not in seen), key=lambda j: (-counts[j], j))
        assert got["item"].tolist() == ranking[:5]
        assert got["score"].tolist() == [counts[j] for j in ranking[:5]]
    assert np.isnan(model.predict([100], [0])).all()


def test_recommend_returns_at_most_the_unseen_items() -> None:
    df = pd.DataFrame({"unit": [1, 1, 2], "item": [1, 2, 1], "rating": [5.0, 3.0, 4.0]})
    recs = BiasModel().fit(df).recommend([1, 2], k=10)
    assert recs["unit"].tolist() == [2]  # unit 1 has seen the whole catalogue
    assert recs["item"].tolist() == [2]


def test_predictions_table_has_one_row_per_model_and_pair() -> None:
    df = _ratings(3)
    train, test = temporal_split(df.assign(timestamp=np.arange(len(df))), per_unit=True)
    models = {"pop": MostPopular().fit(train), "bias": BiasModel().fit(train)}
    table = pd.DataFrame(predictions_table(models, test, k=4))
    assert not table.duplicated(["model", "unit", "item"]).any()
    for name in models:
        rows = table[table["model"] == name]
        assert (rows.dropna(subset=["score"]).groupby("unit").size() <= 4).all()
        pairs = rows.merge(pd.DataFrame(test), on=["unit", "item"])
        assert len(pairs) == len(test["unit"])  # every test pair is present
    assert table.loc[table["model"] == "bias", "predicted_rating"].notna().all()
    assert table.loc[table["model"] == "pop", "predicted_rating"].isna().all()


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    fraction=st.floats(0.05, 0.95),
    per_unit=st.booleans(),
)
def test_temporal_split_partitions_rows_without_looking_ahead(
    seed: int, fraction: float, per_unit: bool
) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    data = {
        "unit": rng.integers(0, 6, n),
        "item": np.arange(n),
        "timestamp": rng.integers(0, 30, n),
    }
    train, test = temporal_split(data, test_fraction=fraction, per_unit=per_unit)
    assert sorted(np.r_[train["item"], test["item"]].tolist()) == list(range(n))
    if not per_unit:
        assert test["item"].size == 0 or train["timestamp"].max() < test["timestamp"].min()
        return
    for unit in np.unique(data["unit"]):
        tr = train["timestamp"][train["unit"] == unit]
        te = test["timestamp"][test["unit"] == unit]
        size = tr.size + te.size
        assert tr.size >= 1
        assert te.size == min(int(np.ceil(fraction * size)), size - 1)
        if te.size:
            assert tr.max() <= te.min()

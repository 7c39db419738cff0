"""Bradley-Terry fit: maximum likelihood, sandwich errors, bootstrap coverage, bad input."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxymetric.errors import DataError
from proxymetric.pairwise import SCORE_SCALE, Judgments, bradley_terry
from proxymetric.pairwise.bradley_terry import _aggregate, _bootstrap, _draw_counts, _item_patterns

Simulate = Callable[..., tuple[Judgments, npt.NDArray[np.float64]]]  # see conftest.py


def _count_matrix(j: Judgments) -> np.ndarray:
    """Wins of row over column with ties as half wins, computed row by row (independent)."""
    s = len(j.systems)
    mat = np.zeros((s, s))
    for a, b, y in zip(j.system_a, j.system_b, j.outcome, strict=True):
        mat[a, b] += y
        mat[b, a] += 1.0 - y
    return mat


def test_strengths_match_choix_maximum_likelihood(simulate_judgments: Simulate) -> None:
    """Reference: choix.ilsr_pairwise_dense (Maystre & Grossglauser 2015), an independent MLE
    of the same model; tolerance 1e-6 as the issue asks (both fits converge far tighter)."""
    import choix

    rng = np.random.default_rng(7)
    j, _ = simulate_judgments(rng, rng.normal(0, 1, 8), 3000, tie_rate=0.15)
    fit = bradley_terry(j, n_bootstrap=10)
    ref = choix.ilsr_pairwise_dense(_count_matrix(j), tol=1e-13, max_iter=10_000)
    ref = ref - ref.mean()
    ours = {s.system: s.strength for s in fit.systems}
    np.testing.assert_allclose([ours[name] for name in j.systems], ref, atol=1e-6)
    # the score is the strength on the Elo-like scale, centred on 1000
    for s in fit.systems:
        assert s.score == pytest.approx(1000 + SCORE_SCALE * s.strength, abs=1e-9)
    assert pytest.approx(400 / np.log(10)) == SCORE_SCALE


def test_sandwich_matches_statsmodels_cluster_robust(simulate_judgments: Simulate) -> None:
    """Reference: statsmodels GLM (binomial, logit) on one row per judgment with the first
    system as reference level, cluster-robust covariance by item without small-sample
    correction. Contrasts s_k - s_0 must agree in estimate and standard error to 1e-6."""
    import statsmodels.api as sm

    rng = np.random.default_rng(11)
    j, _ = simulate_judgments(rng, rng.normal(0, 0.8, 5), 1500, tie_rate=0.1, per_item=3)
    fit = bradley_terry(j, n_bootstrap=10)
    s = len(j.systems)
    x = np.zeros((len(j), s))
    x[np.arange(len(j)), j.system_a] += 1.0
    x[np.arange(len(j)), j.system_b] -= 1.0
    model = sm.GLM(j.outcome, x[:, 1:], family=sm.families.Binomial())
    res = model.fit(
        cov_type="cluster", cov_kwds={"groups": j.item, "use_correction": False}, tol=1e-12
    )
    by_name = {r.system: r for r in fit.systems}
    strength = np.array([by_name[n].strength for n in j.systems])
    np.testing.assert_allclose(strength[1:] - strength[0], res.params, atol=1e-6)
    # our covariance is of centred strengths; rebuild contrast variances from the scores' SEs
    # by comparing the sandwich variance of each centred strength with statsmodels' contrasts
    cov_sm = np.zeros((s, s))
    cov_sm[1:, 1:] = res.cov_params()
    centre = np.eye(s) - 1.0 / s
    cov_centred = centre @ cov_sm @ centre.T
    se = np.array([by_name[n].score_se for n in j.systems]) / SCORE_SCALE
    np.testing.assert_allclose(se, np.sqrt(np.diag(cov_centred)), rtol=1e-6)


@pytest.mark.parametrize("per_item", [1, 4])
def test_intervals_cover_known_strengths(per_item: int, simulate_judgments: Simulate) -> None:
    """Simulation: 300 data sets from known strengths (4 systems, 1000 judgments, 10% ties).
    Bootstrap and sandwich 95% intervals of the centred scores must cover at about 95%: the
    coverage averaged over the 4 systems has a standard error at most sqrt(.95*.05/300) =
    0.0126, so we accept 0.95 +- 3 * 0.0126 (about 0.912 to 0.988)."""
    rng = np.random.default_rng(2024)
    truth = np.array([0.6, 0.2, -0.1, -0.7])
    reps = 300
    boot_cover = np.zeros(truth.size)
    sand_cover = np.zeros(truth.size)
    for _ in range(reps):
        j, centred = simulate_judgments(rng, truth, 1000, tie_rate=0.1, per_item=per_item)
        fit = bradley_terry(j, n_bootstrap=200, seed=int(rng.integers(1 << 31)))
        score = 1000 + SCORE_SCALE * centred
        for r in fit.systems:
            k = int(r.system)
            boot_cover[k] += r.score_ci_lower <= score[k] <= r.score_ci_upper
            sand_cover[k] += r.score_sandwich_ci_lower <= score[k] <= r.score_sandwich_ci_upper
    tol = 3 * np.sqrt(0.95 * 0.05 / reps)
    assert abs(boot_cover.mean() / reps - 0.95) < tol
    assert abs(sand_cover.mean() / reps - 0.95) < tol


def test_bootstrap_is_reproducible_and_ranks_are_consistent(simulate_judgments: Simulate) -> None:
    rng = np.random.default_rng(3)
    j, _ = simulate_judgments(rng, np.array([1.0, 0.5, 0.45, -1.0]), 800)
    first = bradley_terry(j, n_bootstrap=300, seed=5)
    again = bradley_terry(j, n_bootstrap=300, seed=5)
    assert first == again
    ranks = [s.rank for s in first.systems]
    assert ranks == [1, 2, 3, 4]
    for s in first.systems:
        assert s.rank_ci_lower <= s.rank <= s.rank_ci_upper
        assert s.score_ci_lower < s.score < s.score_ci_upper
    # the two close systems can swap ranks, the clear best and worst cannot
    by = {s.system: s for s in first.systems}
    assert (by["0"].rank_ci_lower, by["0"].rank_ci_upper) == (1, 1)
    assert (by["3"].rank_ci_lower, by["3"].rank_ci_upper) == (4, 4)
    assert by["1"].rank_ci_upper == 3
    assert by["2"].rank_ci_lower == 2


def test_win_rates_and_counts_by_hand() -> None:
    """Closed form: counts and win rates of a tiny table, computed by hand."""
    j = Judgments.from_table(
        {
            "item": [1, 2, 3, 4, 5],
            "system_a": ["x", "y", "x", "z", "x"],
            "system_b": ["y", "x", "z", "x", "y"],
            "winner": ["a", "a", "tie", "b", "b"],
        }
    )
    fit = bradley_terry(j, n_bootstrap=20, ridge=0.01)
    by = {s.system: s for s in fit.systems}
    # x: beat y (1), lost to y (2), tied z (3), beat z (4), lost to y (5)
    assert (by["x"].wins, by["x"].losses, by["x"].ties, by["x"].judgments) == (2, 2, 1, 5)
    assert by["x"].win_rate == pytest.approx(2.5 / 5)
    assert by["y"].win_rate == pytest.approx(2 / 3)
    names, mat = fit.win_rate_matrix()
    k = {n: i for i, n in enumerate(names)}
    assert mat[k["x"], k["y"]] == pytest.approx(1 / 3)
    assert mat[k["y"], k["x"]] == pytest.approx(2 / 3)
    assert mat[k["x"], k["z"]] == pytest.approx(0.75)
    assert np.isnan(mat[k["y"], k["z"]])
    pair = next(p for p in fit.pairs if {p.system_a, p.system_b} == {"x", "z"})
    assert (pair.judgments, pair.ties) == (2, 1)


def test_item_patterns_preserve_totals(simulate_judgments: Simulate) -> None:
    """Pooling items with the same judgments must keep every pair's totals (exact check)."""
    rng = np.random.default_rng(4)
    for per_item in (1, 3):
        j, _ = simulate_judgments(rng, rng.normal(0, 1, 6), 2000, tie_rate=0.2, per_item=per_item)
        agg = _aggregate(j)
        patterns, freq = _item_patterns(agg)
        totals = np.asarray(patterns.T @ freq)
        w, n = agg.totals()
        np.testing.assert_allclose(totals, np.concatenate([w, n]))
        assert freq.sum() == j.n_items


@pytest.mark.parametrize("by_index", [True, False])
@pytest.mark.parametrize("freq", [[1.0, 1.0, 2.0, 3.0], [1.0] * 5])
def test_index_draws_have_the_multinomial_distribution(
    freq: list[float], by_index: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reference: scipy.stats.multinomial.pmf. Each round's pattern counts, drawn by index or
    with numpy's multinomial, must follow multinomial(total, freq / total) exactly: 20,000 rounds
    over every possible count vector (120 and 126 of them), a chi-square test of goodness of fit
    (cells with an expected count below 5 pooled) must not reject at 1e-3 (fixed seed). Drawing
    in calls of 1,000 items exercises the loop over calls with a remainder."""
    from scipy import stats

    module = sys.modules[_draw_counts.__module__]  # the package exports the function
    monkeypatch.setattr(module, "_DRAWS_PER_CALL", 1000)
    f = np.array(freq)
    total, rounds = int(f.sum()), 20_000
    counts = _draw_counts(np.random.default_rng(5), f, rounds, np.float32, by_index)
    assert counts.shape == (f.size, rounds)
    assert counts.flags.c_contiguous
    assert (counts.sum(axis=0) == total).all()
    cells = [c for c in itertools.product(range(total + 1), repeat=f.size) if sum(c) == total]
    expected = stats.multinomial.pmf(np.array(cells), total, f / total) * rounds
    index = {c: k for k, c in enumerate(cells)}
    observed = np.bincount(
        [index[tuple(int(x) for x in col)] for col in counts.T], minlength=len(cells)
    )
    small = expected < 5
    obs = np.r_[observed[~small], observed[small].sum()] if small.any() else observed
    exp = np.r_[expected[~small], expected[small].sum()] if small.any() else expected
    assert stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue > 1e-3


def test_index_draws_give_the_multinomial_bootstrap_spread(simulate_judgments: Simulate) -> None:
    """Simulation: the bootstrap with items drawn by index and with numpy's multinomial draws
    (independent seeds, 4,000 rounds each, 300 items of 5 judgments) give the same spread and
    centre of the strengths. The log ratio of two independent sample sds of B rounds has a
    standard error sqrt(2 (kurtosis - 1) / (4 B)) (delta method; kurtosis estimated from the
    rounds, about 3), about 0.016; a mean difference has the standard error
    sqrt((sd_1^2 + sd_2^2) / B). Both must be within 4 standard errors for every system."""
    from scipy import stats

    rng = np.random.default_rng(11)
    j, _ = simulate_judgments(
        rng, np.array([0.8, 0.3, 0.0, -0.2, -0.9]), 1500, tie_rate=0.1, per_item=5
    )
    agg = _aggregate(j)
    theta = np.array(
        [
            s.strength
            for s in sorted(bradley_terry(j, n_bootstrap=1).systems, key=lambda s: int(s.system))
        ]
    )
    rounds = 4000
    new = _bootstrap(agg, theta, rounds, np.random.default_rng(1), 0.0, by_index=True)
    old = _bootstrap(agg, theta, rounds, np.random.default_rng(2), 0.0, by_index=False)
    sd_new, sd_old = new.std(axis=0, ddof=1), old.std(axis=0, ddof=1)
    kurtosis = stats.kurtosis(np.vstack([new, old]), axis=0, fisher=False)
    se_log_ratio = np.sqrt(2.0 * (kurtosis - 1.0) / (4.0 * rounds))
    assert (np.abs(np.log(sd_new / sd_old)) < 4.0 * se_log_ratio).all()
    se_mean = np.sqrt((sd_new**2 + sd_old**2) / rounds)
    assert (np.abs(new.mean(axis=0) - old.mean(axis=0)) < 4.0 * se_mean).all()


@pytest.mark.parametrize(("extra", "by_index"), [(0, True), (1, False)])
def test_counts_are_drawn_by_index_up_to_eight_items_per_pattern(
    extra: int, by_index: bool
) -> None:
    """The cheaper draw is chosen by items per distinct pattern: by index up to 8 (both ways
    are exact, see above; 8 is where the index draw stops being cheaper). 3 systems, each
    (pair, outcome) pattern 8 times: 72 items in 9 patterns; one more item tips it over."""
    pairs = [(0, 1), (0, 2), (1, 2)]
    rows = [(a, b, y) for a, b in pairs for y in (1.0, 0.5, 0.0) for _ in range(8)]
    rows += [(0, 1, 1.0)] * extra
    a, b, y = (np.array(col) for col in zip(*rows, strict=True))
    agg = _aggregate(Judgments.from_codes(a, b, y, np.arange(len(rows))))
    assert _item_patterns(agg)[1].size == 9
    theta = np.zeros(3)
    chosen = _bootstrap(agg, theta, 20, np.random.default_rng(3), 0.0)
    forced = _bootstrap(agg, theta, 20, np.random.default_rng(3), 0.0, by_index=by_index)
    other = _bootstrap(agg, theta, 20, np.random.default_rng(3), 0.0, by_index=not by_index)
    np.testing.assert_array_equal(chosen, forced)
    assert not np.allclose(chosen, other)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1))
def test_invariant_to_row_order_and_side_swap(seed: int, simulate_judgments: Simulate) -> None:
    """Property: shuffling rows, or swapping system_a/system_b with the outcome flipped,
    changes neither strengths nor the (seeded) bootstrap intervals."""
    rng = np.random.default_rng(seed)
    j, _ = simulate_judgments(rng, rng.normal(0, 1, 4), 200, tie_rate=0.2)
    base = bradley_terry(j, n_bootstrap=30, ridge=0.01)
    order = rng.permutation(len(j))
    swap = rng.random(len(j)) < 0.5
    a = np.where(swap, j.system_b, j.system_a)[order]
    b = np.where(swap, j.system_a, j.system_b)[order]
    y = np.where(swap, 1.0 - j.outcome, j.outcome)[order]
    other = bradley_terry(Judgments.from_codes(a, b, y, j.item[order]), n_bootstrap=30, ridge=0.01)
    for x, z in zip(base.systems, other.systems, strict=True):
        assert x.system == z.system
        assert x.strength == pytest.approx(z.strength, abs=1e-9)
        assert x.score_se == pytest.approx(z.score_se, rel=1e-9)
        assert x.wins == z.wins
        assert x.ties == z.ties


def test_self_comparison_is_rejected() -> None:
    with pytest.raises(DataError, match=r"1 judgments compare a system with itself .*'x'"):
        Judgments.from_table(
            {"item": [1, 2], "system_a": ["x", "x"], "system_b": ["y", "x"], "winner": ["a", "a"]}
        )


def test_unknown_winner_is_rejected() -> None:
    with pytest.raises(DataError, match=r"`winner` must hold 'a', 'b' or 'tie'; got 'left'"):
        Judgments.from_table(
            {"item": [1], "system_a": ["x"], "system_b": ["y"], "winner": ["left"]}
        )


def test_missing_column_lists_existing_columns() -> None:
    with pytest.raises(DataError, match=r"no column 'winner'; columns that exist: item"):
        Judgments.from_table({"item": [1], "system_a": ["x"], "system_b": ["y"], "win": ["a"]})


def test_disconnected_graph_is_rejected() -> None:
    j = Judgments.from_table(
        {
            "item": [1, 2, 3, 4],
            "system_a": ["x", "y", "u", "v"],
            "system_b": ["y", "x", "v", "u"],
            "winner": ["a", "a", "a", "a"],
        }
    )
    with pytest.raises(DataError, match=r"comparison graph is disconnected \(2 groups"):
        bradley_terry(j, n_bootstrap=10)


def test_undefeated_system_needs_a_prior() -> None:
    j = Judgments.from_table(
        {
            "item": [1, 2, 3],
            "system_a": ["x", "x", "y"],
            "system_b": ["y", "z", "z"],
            "winner": ["a", "a", "tie"],
        }
    )
    with pytest.raises(DataError, match=r"not identifiable: x never lost"):
        bradley_terry(j, n_bootstrap=10)
    fit = bradley_terry(j, n_bootstrap=10, ridge=0.5)
    assert fit.systems[0].system == "x"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_bootstrap": 0}, r"`n_bootstrap` must be an integer >= 1; got 0"),
        ({"confidence_level": 1.5}, r"`confidence_level` == 1.5, must be < 1"),
        ({"ridge": -1.0}, r"`ridge` == -1.0, must be >= 0"),
    ],
)
def test_bad_parameters(kwargs: dict[str, float], message: str) -> None:
    j = Judgments.from_codes([0, 1], [1, 0], [1.0, 1.0])
    with pytest.raises(ValueError, match=message):
        bradley_terry(j, **kwargs)  # type: ignore[arg-type]

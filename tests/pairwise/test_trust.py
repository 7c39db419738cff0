"""Rater agreement, position bias and rater checks against independent references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxymetric.pairwise import (
    Judgments,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    position_bias,
    rater_agreement,
    rater_checks,
)
from proxymetric.stats.binomial import holm, sign_test, wilson_interval


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=2, max_size=60),
)
def test_cohen_kappa_matches_statsmodels(pairs: list[tuple[int, int]]) -> None:
    """Reference: statsmodels.stats.inter_rater.cohens_kappa on the 3x3 contingency table."""
    from statsmodels.stats.inter_rater import cohens_kappa

    x = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    table = np.zeros((3, 3))
    np.add.at(table, (x, y), 1)
    ours = cohen_kappa(x, y, 3)
    expected_agreement = (table.sum(0) @ table.sum(1)) / len(pairs) ** 2
    if expected_agreement >= 1:
        assert np.isnan(ours)
        return
    assert ours == pytest.approx(cohens_kappa(table, return_results=False), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda m: st.lists(
            st.tuples(st.integers(0, m), st.integers(0, m)).filter(lambda t: t[0] + t[1] <= m),
            min_size=2,
            max_size=30,
        ).map(lambda rows: [[a, b, m - a - b] for a, b in rows])
    )
)
def test_fleiss_kappa_matches_statsmodels(counts: list[list[int]]) -> None:
    """Reference: statsmodels.stats.inter_rater.fleiss_kappa (method='fleiss')."""
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    table = np.array(counts, dtype=float)
    p = table.sum(0) / table.sum()
    if p @ p >= 1:
        return
    assert fleiss_kappa(table) == pytest.approx(sm_fleiss(table), abs=1e-12)


def test_krippendorff_alpha_published_example() -> None:
    """Reference: Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the
    nominal example with 4 observers, 12 units and missing values: alpha = 0.743."""
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
        [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
    ]
    counts = np.zeros((12, 5))
    for row in data:
        for unit, value in enumerate(row):
            if value:
                counts[unit, value - 1] += 1
    assert krippendorff_alpha(counts) == pytest.approx(0.743, abs=5e-4)


def _repeated_judgments(
    rng: np.random.Generator, n_units: int, raters: int, noise: float
) -> dict[str, list[object]]:
    """Each unit judged by every rater; a rater copies the unit's true outcome or, with
    probability ``noise``, votes at random."""
    truth = rng.choice(["a", "b", "tie"], size=n_units, p=[0.45, 0.4, 0.15])
    rows: dict[str, list[object]] = {
        k: [] for k in ("item", "system_a", "system_b", "winner", "rater")
    }
    for r in range(raters):
        random_vote = rng.random(n_units) < noise
        votes = np.where(random_vote, rng.choice(["a", "b", "tie"], size=n_units), truth)
        rows["item"] += list(range(n_units))
        rows["system_a"] += ["x"] * n_units
        rows["system_b"] += ["y"] * n_units
        rows["winner"] += votes.tolist()
        rows["rater"] += [f"r{r}"] * n_units
    return rows


def test_agreement_on_judgments_matches_statsmodels() -> None:
    """Reference: statsmodels cohens_kappa (two raters) and fleiss_kappa (three raters) on the
    tables built from the same judgments with statsmodels' aggregate_raters."""
    from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    rng = np.random.default_rng(1)
    two = _repeated_judgments(rng, 300, 2, 0.3)
    agreement = rater_agreement(Judgments.from_table(two))
    codes: dict[object, int] = {"a": 0, "b": 1, "tie": 2}
    votes = np.array([codes[w] for w in two["winner"]]).reshape(2, 300)
    table = np.zeros((3, 3))
    np.add.at(table, (votes[0], votes[1]), 1)
    assert agreement.units == 300
    assert agreement.raters == 2
    assert agreement.cohen_kappa == pytest.approx(cohens_kappa(table, return_results=False))

    three = _repeated_judgments(rng, 300, 3, 0.3)
    agreement3 = rater_agreement(Judgments.from_table(three))
    votes3 = np.array([codes[w] for w in three["winner"]]).reshape(3, 300).T
    counts, _ = aggregate_raters(votes3, n_cat=3)
    assert np.isnan(agreement3.cohen_kappa)
    assert agreement3.fleiss_kappa == pytest.approx(sm_fleiss(counts))
    # with every unit rated by all raters and no missing votes, alpha is close to Fleiss'
    # kappa: alpha = kappa + (1 - kappa) / (N m) (Krippendorff 2004, sec. 11.3.2)
    n_pairable = 300 * 3
    assert agreement3.krippendorff_alpha == pytest.approx(
        agreement3.fleiss_kappa + (1 - agreement3.fleiss_kappa) / n_pairable, abs=1e-12
    )


def test_agreement_is_invariant_to_the_order_outputs_were_shown() -> None:
    """A unit's category does not depend on which system is called a: swapping sides of one
    rater's votes (and flipping the winner) must not change kappa."""
    rng = np.random.default_rng(2)
    rows = _repeated_judgments(rng, 200, 2, 0.2)
    base = rater_agreement(Judgments.from_table(rows)).cohen_kappa
    flip: dict[object, str] = {"a": "b", "b": "a", "tie": "tie"}
    n = 200
    rows["system_a"][n:], rows["system_b"][n:] = rows["system_b"][n:], rows["system_a"][n:]
    rows["winner"][n:] = [flip[w] for w in rows["winner"][n:]]
    assert rater_agreement(Judgments.from_table(rows)).cohen_kappa == pytest.approx(base)


def test_position_bias_matches_scipy_and_statsmodels() -> None:
    """Reference: scipy.stats.binomtest (two-sided, p = 0.5) and statsmodels
    proportion_confint(method='wilson') on the count of first-shown wins."""
    from scipy.stats import binomtest
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(3)
    n = 500
    first_is_a = rng.random(n) < 0.5
    first_wins = rng.random(n) < 0.58
    a_won = first_wins == first_is_a
    winner = np.where(a_won, "a", "b").astype(object)
    winner[:40] = "tie"
    table = {
        "item": np.arange(n),
        "system_a": ["x"] * n,
        "system_b": ["y"] * n,
        "winner": winner,
        "position": np.where(first_is_a, "a", "y"),  # by letter or by system name
    }
    bias = position_bias(Judgments.from_table(table))
    assert bias is not None
    k = int(first_wins[40:].sum())
    assert (bias.judgments, bias.first_wins) == (n - 40, k)
    assert bias.pvalue == pytest.approx(binomtest(k, n - 40).pvalue, rel=1e-10)
    lo, hi = proportion_confint(k, n - 40, alpha=0.05, method="wilson")
    assert (bias.share_first_wins_ci_lower, bias.share_first_wins_ci_upper) == pytest.approx(
        (lo, hi), rel=1e-10
    )


@pytest.mark.parametrize(("k", "n"), [(0, 1), (3, 10), (50, 100), (71, 120), (120, 120)])
def test_sign_test_and_wilson_reference(k: int, n: int) -> None:
    """Reference: scipy.stats.binomtest and statsmodels proportion_confint (wilson)."""
    from scipy.stats import binomtest
    from statsmodels.stats.proportion import proportion_confint

    assert sign_test(k, n) == pytest.approx(binomtest(k, n).pvalue, rel=1e-10)
    lo, hi = proportion_confint(k, n, alpha=0.1, method="wilson")
    assert wilson_interval(k, n, 0.9) == pytest.approx((lo, hi), rel=1e-10, abs=1e-12)


def test_holm_matches_statsmodels() -> None:
    """Reference: statsmodels.stats.multitest.multipletests(method='holm')."""
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(4).random(17) ** 3
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], rtol=1e-12)


def test_a_random_rater_is_flagged_and_careful_ones_are_not() -> None:
    """Simulation: 6 raters judge the same 300 units; five copy the true outcome with 10%
    random votes, one votes at random. A careful vote is right with probability 0.933, so two
    careful raters agree with probability about 0.875 and a careful and the random rater with
    1/3: careful raters share about (4 * 0.875 + 1/3) / 5 = 0.77 of the others' votes, the
    random one 1/3. With 300 units the random rater's z statistic is far beyond any level;
    the careful raters sit near their expectation."""
    rng = np.random.default_rng(5)
    rows = _repeated_judgments(rng, 300, 6, 0.1)
    rows["winner"][:300] = rng.choice(["a", "b", "tie"], size=300).tolist()
    checks = {c.rater: c for c in rater_checks(Judgments.from_table(rows))}
    assert checks["r0"].flagged
    assert checks["r0"].agreement == pytest.approx(1 / 3, abs=0.06)
    assert checks["r0"].pvalue_adjusted < 1e-6
    assert not any(checks[f"r{r}"].flagged for r in range(1, 6))
    assert all(checks[f"r{r}"].agreement == pytest.approx(0.77, abs=0.05) for r in range(1, 6))


def test_checks_without_optional_columns() -> None:
    j = Judgments.from_table({"item": [1], "system_a": ["x"], "system_b": ["y"], "winner": ["a"]})
    assert position_bias(j) is None
    assert rater_checks(j) == ()
    assert rater_agreement(j).units == 0


def test_bad_position_value() -> None:
    with pytest.raises(ValueError, match=r"column `position` must say .* got 'left' in 1 rows"):
        Judgments.from_table(
            {
                "item": [1],
                "system_a": ["x"],
                "system_b": ["y"],
                "winner": ["a"],
                "position": ["left"],
            }
        )


def test_rater_check_is_calibrated_when_raters_are_alike() -> None:
    """Simulation (null): 5 interchangeable raters (15% random votes) on 200 units, 200 data
    sets. Each rater's unadjusted p-value must fall below 0.05 at about 5%: 1000 rater-tests,
    binomial SE sqrt(.05*.95/1000) = 0.0069 (raters of a data set are correlated, so we allow
    4 SE: 0.05 +- 0.028). The normal approximation is checked here too."""
    rng = np.random.default_rng(12)
    hits = []
    for _ in range(200):
        rows = _repeated_judgments(rng, 200, 5, 0.15)
        hits += [c.pvalue < 0.05 for c in rater_checks(Judgments.from_table(rows))]
    assert np.mean(hits) == pytest.approx(0.05, abs=4 * np.sqrt(0.05 * 0.95 / 1000))


def test_rater_check_permutation_moments_by_brute_force() -> None:
    """Reference: the exact permutation distribution, enumerated. On 3 units with votes
    (a, a, b), (a, b, tie) and (b, b, b) by raters r0, r1, r2, every relabelling of raters
    within units (6^3 = 216) gives r0 a score; its mean must equal `expected` and its
    variance the one used in the z statistic."""
    import itertools

    votes = [["a", "a", "b"], ["a", "b", "tie"], ["b", "b", "b"]]
    rows: dict[str, list[object]] = {
        k: [] for k in ("item", "system_a", "system_b", "winner", "rater")
    }
    for u, unit_votes in enumerate(votes):
        for r, v in enumerate(unit_votes):
            rows["item"].append(u)
            rows["system_a"].append("x")
            rows["system_b"].append("y")
            rows["winner"].append(v)
            rows["rater"].append(f"r{r}")
    check = rater_checks(Judgments.from_table(rows))[0]

    def score(unit_votes: list[str], k: int) -> float:
        return (unit_votes.count(unit_votes[k]) - 1) / 2

    totals = [
        sum(score(votes[u], perm[u][0]) for u in range(3))
        for perm in itertools.product(list(itertools.permutations(range(3))), repeat=3)
    ]
    observed = sum(score(votes[u], 0) for u in range(3))
    assert check.agreement == pytest.approx(observed / 3)
    assert check.expected == pytest.approx(np.mean(totals) / 3)
    z = (observed - np.mean(totals)) / np.std(totals)
    from scipy.stats import norm

    assert check.pvalue == pytest.approx(norm.cdf(z))

"""PPI and PPI++ against ppi_py (the authors' package), and by simulation with a biased judge."""

from __future__ import annotations

import itertools
import math
import os

import numpy as np
import numpy.typing as npt
import pytest

from proxymetric.errors import DataError, ProxymetricError
from proxymetric.judges import ppi_bradley_terry, ppi_difference, ppi_mean, ppi_ratio
from proxymetric.pairwise import SCORE_SCALE

# ppi_py compiles its logistic statistics with numba, which takes half a minute on first use;
# run them as plain Python (the same code, milliseconds at these sizes).
os.environ.setdefault("NUMBA_DISABLE_JIT", "1")
ppi_py = pytest.importorskip("ppi_py")

FloatArray = npt.NDArray[np.float64]


def _labels(
    seed: int,
    m: int = 3000,
    share: float = 0.1,
    p: float = 0.3,
    sens: float = 0.9,
    fpr: float = 0.2,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Human labels y ~ Bernoulli(p), a judge with sensitivity ``sens`` and false-positive
    rate ``fpr`` (so biased upwards for p = 0.3), and a uniformly random labelled subset."""
    rng = np.random.default_rng(seed)
    y = rng.binomial(1, p, m).astype(float)
    f = np.where(y == 1, rng.random(m) < sens, rng.random(m) < fpr).astype(float)
    lab = rng.random(m) < share
    return y, f, lab


@pytest.mark.parametrize("level", [0.9, 0.95])
@pytest.mark.parametrize("tuned", [True, False])
def test_mean_matches_ppi_py(level: float, tuned: bool) -> None:
    """Reference: ppi_py.ppi_mean_pointestimate / ppi_mean_ci (lam=None: PPI++, lam=1: PPI)
    and ppi_py.classical_mean_ci for the human-only interval."""
    y, f, lab = _labels(1)
    r = ppi_mean(np.where(lab, y, np.nan), f, confidence_level=level, power_tuning=tuned)
    lam = None if tuned else 1.0
    alpha = 1 - level
    est = ppi_py.ppi_mean_pointestimate(y[lab], f[lab], f[~lab], lam=lam)
    lo, hi = ppi_py.ppi_mean_ci(y[lab], f[lab], f[~lab], alpha=alpha, lam=lam)
    assert r.estimate == pytest.approx(float(est[0]), abs=1e-12)
    assert r.estimate_ci_lower == pytest.approx(float(lo[0]), abs=1e-12)
    assert r.estimate_ci_upper == pytest.approx(float(hi[0]), abs=1e-12)
    clo, chi = ppi_py.classical_mean_ci(y[lab], alpha=alpha)
    assert (r.human_estimate_ci_lower, r.human_estimate_ci_upper) == pytest.approx(
        (clo, chi), abs=1e-12
    )
    jlo, jhi = ppi_py.classical_mean_ci(f, alpha=alpha)  # the naive judge-only interval
    assert (r.judge_estimate_ci_lower, r.judge_estimate_ci_upper) == pytest.approx(
        (jlo, jhi), abs=1e-12
    )
    assert r.human_labels == int(lab.sum())
    assert r.judge_labels == y.size
    # the judge is worth more than the human labels alone: the interval is narrower
    assert r.estimate_se < r.human_estimate_se
    assert r.effective_human_labels == pytest.approx(
        r.human_labels * (r.human_estimate_se / r.estimate_se) ** 2
    )


def test_paired_difference_matches_ppi_py_on_the_differences() -> None:
    """Reference: ppi_py.ppi_mean_ci on the per-item differences (a paired design)."""
    ya, fa, lab = _labels(2, p=0.4)
    yb, fb, _ = _labels(3, p=0.3)
    ha, hb = np.where(lab, ya, np.nan), np.where(lab, yb, np.nan)
    r = ppi_difference(ha, hb, fa, fb, confidence_level=0.9)
    d, fd = ya - yb, fa - fb
    lo, hi = ppi_py.ppi_mean_ci(d[lab], fd[lab], fd[~lab], alpha=0.1)
    assert (r.estimate_ci_lower, r.estimate_ci_upper) == pytest.approx(
        (float(lo[0]), float(hi[0])), abs=1e-12
    )
    assert r.estimate == pytest.approx(
        float(ppi_py.ppi_mean_pointestimate(d[lab], fd[lab], fd[~lab])[0])
    )


def _comparisons(
    seed: int, m: int = 3000, share: float = 0.1, fav: float = 0.0, noise: float = 0.2
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray, FloatArray, npt.NDArray[np.bool_]
]:
    """Four systems with true strengths; people follow Bradley-Terry; the judge copies people
    except on a share ``noise`` of comparisons where it prefers system 3 with probability 0.5 +
    ``fav`` (a judge biased towards one system)."""
    rng = np.random.default_rng(seed)
    strength = np.array([0.0, 0.5, -0.3, 0.2])
    a = rng.integers(0, 4, m)
    b = (a + rng.integers(1, 4, m)) % 4
    y = (rng.random(m) < 1 / (1 + np.exp(-(strength[a] - strength[b])))).astype(float)
    p3 = np.where(a == 3, 0.5 + fav, np.where(b == 3, 0.5 - fav, 0.5))
    f = np.where(rng.random(m) < noise, (rng.random(m) < p3).astype(float), y)
    return a, b, y, f, rng.random(m) < share


# ppi_py starts its logistic fit with scikit-learn's LogisticRegression(penalty=None), which
# scikit-learn 1.8 deprecates; the warning is the reference's, not ours.
@pytest.mark.filterwarnings("ignore:'penalty' was deprecated:FutureWarning")
@pytest.mark.parametrize("tuned", [True, False])
def test_bradley_terry_matches_ppi_py_logistic(tuned: bool) -> None:
    """Reference: ppi_py.ppi_logistic_pointestimate / ppi_logistic_ci on the +1/-1 design
    without intercept, system 'w' as the reference (its column dropped); the human-only scores
    against ppi_logistic_ci with lam=0."""
    a, b, y, f, lab = _comparisons(4)
    names = np.array(["w", "x", "y", "z"])
    r = ppi_bradley_terry(
        names[a], names[b], f, np.where(lab, y, np.nan), confidence_level=0.9,
        power_tuning=tuned, reference="w",
    )  # fmt: skip
    x = np.zeros((a.size, 4))
    x[np.arange(a.size), a] = 1.0
    x[np.arange(a.size), b] = -1.0
    x = x[:, 1:]
    args = (x[lab], y[lab], f[lab], x[~lab], f[~lab])
    est = ppi_py.ppi_logistic_pointestimate(*args, lam=None if tuned else 1.0)
    lo, hi = ppi_py.ppi_logistic_ci(*args, alpha=0.1, lam=r.lam)
    by = {s.system: s for s in r.systems}
    got = np.array([(by[n].score - 1000) / SCORE_SCALE for n in "xyz"])
    np.testing.assert_allclose(got, est, atol=1e-6)
    got_lo = np.array([(by[n].score_ci_lower - 1000) / SCORE_SCALE for n in "xyz"])
    got_hi = np.array([(by[n].score_ci_upper - 1000) / SCORE_SCALE for n in "xyz"])
    np.testing.assert_allclose(got_lo, lo, atol=1e-6)
    np.testing.assert_allclose(got_hi, hi, atol=1e-6)
    hlo, _hhi = ppi_py.ppi_logistic_ci(*args, alpha=0.1, lam=0.0)
    got_hlo = np.array([(by[n].human_score_ci_lower - 1000) / SCORE_SCALE for n in "xyz"])
    np.testing.assert_allclose(got_hlo, hlo, atol=1e-6)
    assert by["w"].score == 1000.0
    assert by["w"].score_se == 0.0
    if not tuned:
        assert r.lam == 1.0


def test_centred_scores_are_a_shift_of_the_reference_scores() -> None:
    """Closed form: centring subtracts the mean strength; the variances follow C Sigma C^T."""
    a, b, y, f, lab = _comparisons(5)
    names = np.array(["w", "x", "y", "z"])
    ref = ppi_bradley_terry(names[a], names[b], f, np.where(lab, y, np.nan), power_tuning=False,
                            reference="w")  # fmt: skip
    cen = ppi_bradley_terry(names[a], names[b], f, np.where(lab, y, np.nan), power_tuning=False)
    r_scores = {s.system: s.score for s in ref.systems}
    shift = np.mean(list(r_scores.values())) - 1000.0
    for s in cen.systems:
        assert s.score == pytest.approx(r_scores[s.system] - shift, abs=1e-8)
    assert sum(s.score for s in cen.systems) == pytest.approx(4000.0)


def test_mean_coverage_with_a_biased_judge() -> None:
    """Simulation: 400 data sets from a judge biased upwards (true share 0.30, the judge's 0.41).
    The corrected 90% interval covers 0.30 at its level (binomial sd of the coverage over 400
    runs is 0.015; tolerance 3 sd = 0.045); the naive judge-only interval almost never does."""
    runs, truth = 400, 0.3
    covered = naive = 0
    for seed in range(runs):
        y, f, lab = _labels(100 + seed, m=2000, share=0.1)
        r = ppi_mean(np.where(lab, y, np.nan), f, confidence_level=0.9)
        covered += r.estimate_ci_lower <= truth <= r.estimate_ci_upper
        naive += r.judge_estimate_ci_lower <= truth <= r.judge_estimate_ci_upper
    assert abs(covered / runs - 0.9) < 0.045
    assert naive / runs < 0.05


def test_bradley_terry_coverage_with_a_judge_biased_towards_one_system() -> None:
    """Simulation: 200 data sets where the judge favours system 3 on a fifth of comparisons.
    The corrected 90% interval of the score gap between systems 3 and 0 covers the truth at its
    level (binomial sd over 200 runs 0.021; tolerance 3 sd = 0.064); the judge-only one does
    not."""
    runs = 200
    truth = SCORE_SCALE * 0.2  # strength 0.2 of system 3 against 0.0 of system 0
    covered = naive = 0
    names = np.array(["s0", "s1", "s2", "s3"])
    for seed in range(runs):
        a, b, y, f, lab = _comparisons(500 + seed, m=2000, share=0.15, fav=0.4, noise=0.3)
        r = ppi_bradley_terry(names[a], names[b], f, np.where(lab, y, np.nan),
                              confidence_level=0.9, reference="s0")  # fmt: skip
        s3 = next(s for s in r.systems if s.system == "s3")
        covered += s3.score_ci_lower <= 1000 + truth <= s3.score_ci_upper
        naive += s3.judge_score_ci_lower <= 1000 + truth <= s3.judge_score_ci_upper
    assert abs(covered / runs - 0.9) < 0.064
    assert naive / runs < 0.2


def test_the_interval_narrows_as_the_judge_improves() -> None:
    """Over 50 data sets per judge, the mean width falls as sensitivity rises and the
    false-positive rate falls; a judge of pure noise leaves PPI++ at the human-only width
    (lam near 0; within 3% on average)."""
    widths = []
    for sens, fpr in [(0.5, 0.5), (0.7, 0.3), (0.85, 0.15), (0.97, 0.03)]:
        w = h = 0.0
        for seed in range(50):
            y, f, lab = _labels(900 + seed, m=2000, share=0.1, sens=sens, fpr=fpr)
            r = ppi_mean(np.where(lab, y, np.nan), f)
            w += r.estimate_ci_upper - r.estimate_ci_lower
            h += r.human_estimate_ci_upper - r.human_estimate_ci_lower
        widths.append(w / 50)
        if sens == 0.5:
            assert w / h < 1.03
    assert all(x > y for x, y in itertools.pairwise(widths))
    assert widths[-1] < 0.5 * widths[0]


def test_without_unlabelled_items_the_estimate_is_the_human_mean() -> None:
    """Closed form: with every item labelled by people, PPI++ has lam = 0: the human mean."""
    r = ppi_mean([1, 0, 1, 1], [1, 1, 1, 0])
    assert r.lam == 0.0
    assert r.estimate == 0.75
    assert r.estimate_se == r.human_estimate_se


@pytest.mark.parametrize(
    ("human", "judge", "message"),
    [
        ([1, math.nan, math.nan], [1, 0, 1], "at least 2 items need a human label; got 1"),
        ([1, 0], [1, math.nan], "`judge` must label every item"),
        ([1, 0, 1], [1, 0], "equally long"),
    ],
)
def test_bad_labels_are_named(human: list[float], judge: list[float], message: str) -> None:
    with pytest.raises(DataError, match=message):
        ppi_mean(human, judge)


def test_bad_level_and_reference_are_named() -> None:
    with pytest.raises(ProxymetricError, match=r"`confidence_level` == 1\.5"):
        ppi_mean([1, 0], [1, 0], confidence_level=1.5)
    with pytest.raises(ProxymetricError, match="`reference` 'q' is not a judged system"):
        ppi_bradley_terry(["a", "b"], ["b", "a"], [1, 0], [1, 0], reference="q")
    with pytest.raises(DataError, match="do not connect every system"):
        ppi_bradley_terry(["a", "c"], ["b", "d"], [1, 0], [1, 0])
    with pytest.raises(DataError, match="must lie in"):
        ppi_bradley_terry(["a", "b"], ["b", "a"], [2, 0], [1, 0])


def test_ratio_parts_match_ppi_py_two_dimensional_mean() -> None:
    """Reference: ppi_py.ppi_mean_pointestimate / ppi_mean_ci on the 2-d mean (numerator,
    denominator) with lam_optim_mode='element' (one lam per coordinate, as here): the ratio is
    the ratio of its coordinates and each coordinate's interval is the same."""
    y, f, lab = _labels(7)
    num, den = y * f, y
    r = ppi_ratio(np.where(lab, num, np.nan), f, np.where(lab, den, np.nan), f)
    yy = np.column_stack([num, den])
    ff = np.column_stack([f, f])
    est = ppi_py.ppi_mean_pointestimate(yy[lab], ff[lab], ff[~lab], lam_optim_mode="element")
    assert r.estimate == pytest.approx(est[0] / est[1], abs=1e-12)
    assert r.human_estimate == pytest.approx(num[lab].mean() / den[lab].mean())
    assert r.judge_estimate == pytest.approx(f.mean() / f.mean())


def test_recall_coverage_with_a_biased_judge() -> None:
    """Simulation: the judge's recall (sensitivity 0.9) estimated from 400 data sets; the 90%
    interval covers 0.9 at its level (binomial sd over 400 runs 0.015; tolerance 0.045), and
    the judge alone cannot know its recall (its 'recall' against itself is 1)."""
    runs = 400
    covered = 0
    for seed in range(runs):
        y, f, lab = _labels(3000 + seed, m=3000, share=0.15)
        r = ppi_ratio(np.where(lab, y * f, np.nan), f, np.where(lab, y, np.nan), f,
                      confidence_level=0.9)  # fmt: skip
        covered += r.estimate_ci_lower <= 0.9 <= r.estimate_ci_upper
        assert r.judge_estimate == 1.0
    assert abs(covered / runs - 0.9) < 0.045

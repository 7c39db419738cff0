"""validate_proxies on simulated registries: closed forms, numpy references and messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from proxymetric.errors import ProxymetricError
from proxymetric.proxies import EffectTable, effect_table, validate_proxies
from proxymetric.proxies.covariance import total_covariance
from proxymetric.proxies.simulation import DEMO_TRUE_COV as TRUE_COV
from proxymetric.proxies.simulation import DEMO_UNIT_NOISE_COV as PSI
from proxymetric.proxies.simulation import SimulatedExperiments as Simulated
from proxymetric.proxies.simulation import simulate_experiments as simulate

METRICS = ["ns", "good", "trap"]


def _table(sim: Simulated, *, folds: bool = True) -> EffectTable:
    k = len(sim.units)
    labels = [f"e{i:05d}" for i in range(k) for _ in METRICS]
    metrics = METRICS * k
    se = np.sqrt(np.einsum("kii->ki", sim.noise_cov)).ravel()
    pairs = [(a, b) for a in range(3) for b in range(a + 1, 3)]
    cov = (
        [f"e{i:05d}" for i in range(k) for _ in pairs],
        [METRICS[a] for _ in range(k) for a, _ in pairs],
        [METRICS[b] for _ in range(k) for _, b in pairs],
        [float(sim.noise_cov[i, a, b]) for i in range(k) for a, b in pairs],
    )
    return effect_table(
        labels,
        metrics,
        sim.effects.ravel(),
        se,
        np.repeat(sim.units, 3),
        covariances=cov,
        fold1=sim.fold1.ravel() if folds else None,
        fold2=sim.fold2.ravel() if folds else None,
    )


@pytest.fixture(scope="module")
def sim() -> Simulated:
    return simulate(3000, np.random.default_rng(5))


@pytest.fixture(scope="module")
def report_and_sim(sim: Simulated) -> tuple[object, Simulated]:
    return validate_proxies(_table(sim), "ns", units=20_000), sim


def test_table_round_trip(sim: Simulated) -> None:
    t = _table(sim)
    assert t.metrics == sorted(METRICS)  # columns in sorted order: good, ns, trap
    order = [1, 0, 2]
    np.testing.assert_allclose(t.effects, sim.effects[:, order])
    np.testing.assert_allclose(t.noise_cov, sim.noise_cov[:, order][:, :, order], rtol=1e-12)
    assert t.measured.all()
    assert t.fold1 is not None


def test_report_numbers_against_references(sim: Simulated) -> None:
    rep = validate_proxies(_table(sim), "ns", units=20_000)
    rows = {r.metric: r for r in rep.rows}
    # Naive correlation: numpy.corrcoef of the estimated effects.
    naive = np.asarray(np.corrcoef(sim.effects, rowvar=False))
    assert rows["trap"].naive_correlation == pytest.approx(naive[0, 2], rel=1e-9)
    # Movement probability: share of |effect / se| > z_0.975, recomputed directly.
    se = np.sqrt(np.einsum("kii->ki", sim.noise_cov))
    moved = (np.abs(sim.effects) > norm.ppf(0.975) * se).mean(axis=0)
    assert rows["good"].movement_probability == pytest.approx(moved[1])
    # The north star at size n: closed form sqrt(s / (s + psi / n)) from the corrected estimate.
    s = total_covariance(sim.effects, sim.noise_cov)
    psi = np.einsum("k,kij->ij", sim.units, sim.noise_cov) / len(sim.units)
    assert rows["ns"].correlation_at_size == pytest.approx(
        math.sqrt(s[0, 0] / (s[0, 0] + psi[0, 0] / 20_000)), rel=1e-9
    )
    # Wrong-sign probability: Sheppard's formula of the cross-validated correlation at size.
    assert rows["good"].wrong_sign_probability == pytest.approx(
        0.5 - math.asin(rows["good"].cv_correlation_at_size) / math.pi
    )
    assert rep.noise_covariance == "measured"
    assert rep.n_experiments == 3000


def test_report_finds_the_truth(sim: Simulated) -> None:
    # Reference: the known TRUE_COV and PSI. True correlations: good 0.6, trap -0.3. Over 30
    # replications at K = 3,000 (seed 99) the estimates had sd: good 0.054, trap 0.18 (total
    # covariance) and 0.21 (cross-fold), cross-validated correlation at size 0.037 (good) and
    # 0.026 (north star). Tolerances: 4 of those sds.
    rep = validate_proxies(_table(sim), "ns", units=20_000)
    rows = {r.metric: r for r in rep.rows}
    assert rows["trap"].naive_correlation > 0.4  # the naive sign is wrong
    assert abs(rows["trap"].true_correlation + 0.3) < 4 * 0.18
    assert rows["trap"].crossfold_correlation is not None
    assert abs(rows["trap"].crossfold_correlation + 0.3) < 4 * 0.21
    assert abs(rows["good"].true_correlation - 0.6) < 4 * 0.054
    assert rep.composite_weights == pytest.approx({"good": 1.0, "trap": 0.0})
    # Closed forms at 20k units: the good proxy's estimate correlates 0.346 with the north
    # star's true effect, the north star's own estimate 0.426 (it is noisier but exact), so the
    # north star ranks first.
    sig, psi = TRUE_COV, PSI / 2e4
    good = sig[0, 1] / math.sqrt((sig[1, 1] + psi[1, 1]) * sig[0, 0])
    ns = math.sqrt(sig[0, 0] / (sig[0, 0] + psi[0, 0]))
    assert good == pytest.approx(0.3464, abs=1e-4)
    assert ns == pytest.approx(0.4264, abs=1e-4)
    assert abs(rows["good"].cv_correlation_at_size - good) < 4 * 0.037
    assert abs(rows["ns"].cv_correlation_at_size - ns) < 4 * 0.026
    assert rep.rows[0].metric == "ns"
    assert rep.recommendation.startswith("for tests of 20,000 units, decide on the north star ns")
    assert [r.rank for r in rep.rows] == [1, 2, 3, 4]


def test_assumed_noise_is_flagged(sim: Simulated) -> None:
    k = len(sim.units)
    t = effect_table(
        [f"e{i}" for i in range(k) for _ in METRICS],
        METRICS * k,
        sim.effects.ravel(),
        np.sqrt(np.einsum("kii->ki", sim.noise_cov)).ravel(),
        np.repeat(sim.units, 3),
    )
    rep = validate_proxies(t, "ns")
    assert rep.noise_covariance == "assumed"
    assert rep.crossfold_covariance is None
    assert any("assumed for 3000 of 3000" in w for w in rep.warnings)
    assert rep.units == pytest.approx(np.median(sim.units))


def test_few_experiments_skip_cross_validation(sim: Simulated) -> None:
    small = simulate(6, np.random.default_rng(0))
    rep = validate_proxies(_table(small), "ns", cv_folds=5)
    assert any("no cross-validation" in w for w in rep.warnings)
    assert all(math.isnan(r.cv_correlation_at_size) for r in rep.rows)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"north_star": "revenue"}, "`north_star` 'revenue' is not defined; defined metrics"),
        ({"north_star": "ns", "proxies": ["goood"]}, "did you mean 'good'"),
        ({"north_star": "ns", "proxies": ["ns"]}, "must not include the north star"),
        ({"north_star": "ns", "proxies": []}, "`proxies` is empty"),
        ({"north_star": "ns", "alpha": 2.0}, r"`alpha` == 2.0, must be < 1"),
        ({"north_star": "ns", "cv_folds": 1}, "`cv_folds` must be an integer >= 2; got 1"),
        ({"north_star": "ns", "units": -5.0}, r"`units` == -5.0, must be > 0"),
    ],
)
def test_bad_arguments(sim: Simulated, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ProxymetricError, match=message):
        validate_proxies(_table(sim), **kwargs)  # type: ignore[arg-type]


def test_too_few_comparisons() -> None:
    t = effect_table(["a", "a"], ["x", "y"], [1.0, 2.0], [1.0, 1.0], [10, 10])
    with pytest.raises(ProxymetricError, match="needs at least 4 comparisons with all of x, y"):
        validate_proxies(t, "x")

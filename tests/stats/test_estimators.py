"""Delta method and CUPED against direct numpy computations on unit-level data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from proxymetric.stats import Moments, Statistic, compare


def _ratio_data(rng: np.random.Generator, n: int, lift: float) -> np.ndarray:
    views = rng.poisson(5, n) + 1.0
    clicks = rng.binomial(views.astype(int), 0.1 * (1 + lift)).astype(float)
    pre_views = views + rng.poisson(1, n)
    pre_clicks = clicks + rng.binomial(pre_views.astype(int), 0.05)
    out: np.ndarray = np.column_stack([clicks, views, pre_clicks, pre_views])
    return out


COLS = ["clicks", "views", "pre_clicks", "pre_views"]


def _linearise(data: np.ndarray, num: int, den: int, at: np.ndarray) -> np.ndarray:
    """Delta-method influence values of mean(num)/mean(den), linearised at means ``at``."""
    r = at[num] / at[den]
    out: np.ndarray = (data[:, num] - r * data[:, den]) / at[den]
    return out


def test_ratio_delta_method_matches_linearisation() -> None:
    # Reference: Welch's test (scipy) on the per-unit linearised values of Deng et al. (2018).
    rng = np.random.default_rng(11)
    c, t = _ratio_data(rng, 3000, 0.0), _ratio_data(rng, 3000, 0.05)
    cmp = compare(
        Moments.from_rows(COLS, c), Moments.from_rows(COLS, t), Statistic("clicks", "views")
    )
    lc = _linearise(c, 0, 1, c.mean(axis=0))
    lt = _linearise(t, 0, 1, t.mean(axis=0))
    assert cmp.control.variance == pytest.approx(lc.var(ddof=1), rel=1e-10)
    assert cmp.treatment.variance == pytest.approx(lt.var(ddof=1), rel=1e-10)
    ref = sps.ttest_ind(
        lt + t[:, 0].mean() / t[:, 1].mean(), lc + c[:, 0].mean() / c[:, 1].mean(), equal_var=False
    )
    assert cmp.difference.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
    assert cmp.difference.effect == pytest.approx(
        t[:, 0].sum() / t[:, 1].sum() - c[:, 0].sum() / c[:, 1].sum(), rel=1e-12
    )


def test_cuped_mean_matches_direct_numpy() -> None:
    # Reference: theta = cov(Y, X) / var(X) over both arms pooled (np.cov), each arm's
    # adjusted values Y - theta (X - mean X over both arms), then scipy's Welch test on them.
    rng = np.random.default_rng(12)
    xc, xt = rng.normal(10, 3, 2000), rng.normal(10, 3, 2100)
    yc = 0.8 * xc + rng.normal(0, 2, 2000)
    yt = 0.8 * xt + rng.normal(0.3, 2, 2100)
    c = Moments.from_rows(["y", "x"], np.column_stack([yc, xc]))
    t = Moments.from_rows(["y", "x"], np.column_stack([yt, xt]))
    cmp = compare(c, t, Statistic("y"), Statistic("x"))
    x_all, y_all = np.concatenate([xc, xt]), np.concatenate([yc, yt])
    cov = np.cov(y_all, x_all)
    theta = cov[0, 1] / cov[1, 1]
    adj_c = yc - theta * (xc - x_all.mean())
    adj_t = yt - theta * (xt - x_all.mean())
    ref = sps.ttest_ind(adj_t, adj_c, equal_var=False)
    assert cmp.theta == pytest.approx(theta, rel=1e-10)
    assert cmp.control.mean == pytest.approx(adj_c.mean(), rel=1e-10)
    assert cmp.treatment.mean == pytest.approx(adj_t.mean(), rel=1e-10)
    assert cmp.difference.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
    raw_se2 = yc.var(ddof=1) / 2000 + yt.var(ddof=1) / 2100
    adj_se2 = adj_c.var(ddof=1) / 2000 + adj_t.var(ddof=1) / 2100
    assert cmp.variance_reduction == pytest.approx(1 - adj_se2 / raw_se2, rel=1e-9)
    assert cmp.variance_reduction is not None
    assert cmp.variance_reduction > 0.5


def test_cuped_ratio_matches_linearised_numpy() -> None:
    # Reference: linearise the ratio and its covariate ratio (delta method) at each arm's means
    # for the arm variances, and at the pooled means for theta; then direct numpy formulas.
    rng = np.random.default_rng(13)
    c, t = _ratio_data(rng, 4000, 0.0), _ratio_data(rng, 4000, 0.03)
    mc, mt = Moments.from_rows(COLS, c), Moments.from_rows(COLS, t)
    cmp = compare(mc, mt, Statistic("clicks", "views"), Statistic("pre_clicks", "pre_views"))
    pooled = np.vstack([c, t])
    at = pooled.mean(axis=0)
    ly, lx = _linearise(pooled, 0, 1, at), _linearise(pooled, 2, 3, at)
    cov = np.cov(ly, lx)
    theta = cov[0, 1] / cov[1, 1]
    assert cmp.theta == pytest.approx(theta, rel=1e-9)
    pooled_x = at[2] / at[3]
    for arm, data in ((cmp.control, c), (cmp.treatment, t)):
        m = data.mean(axis=0)
        y = m[0] / m[1]
        x = m[2] / m[3]
        assert arm.mean == pytest.approx(y - theta * (x - pooled_x), rel=1e-10)
        vy, vx = _linearise(data, 0, 1, m), _linearise(data, 2, 3, m)
        assert arm.variance == pytest.approx(np.var(vy - theta * vx, ddof=1), rel=1e-8)
    assert cmp.variance_reduction is not None
    assert cmp.variance_reduction > 0.2


def test_cuped_with_constant_covariate_changes_nothing() -> None:
    rng = np.random.default_rng(14)
    y = rng.normal(size=(100, 1))
    data = np.column_stack([y, np.ones(100)])
    c = Moments.from_rows(["y", "x"], data[:50])
    t = Moments.from_rows(["y", "x"], data[50:])
    with_cov = compare(c, t, Statistic("y"), Statistic("x"))
    without = compare(c, t, Statistic("y"))
    assert with_cov.theta == 0.0
    assert with_cov.difference.pvalue == pytest.approx(without.difference.pvalue)

"""Surrogate index (Athey, Chetty, Imbens, Kang 2019): statsmodels, simulation, Cookie Cats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from proxymetric.errors import DataError, ProxymetricError
from proxymetric.proxies.surrogate import surrogate_index


def _simulate(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    # Long-term = 0.5 + 2 s1 - s2 + 0.3 c + noise; the treatment moves s1 by 0.1 and s2 by 0.05,
    # so its true long-term effect through the surrogates is 2 * 0.1 - 0.05 = 0.15.
    group = np.repeat(["c", "t"], n)
    treated = (group == "t").astype(float)
    c = rng.normal(size=2 * n)
    s1 = rng.normal(size=2 * n) + 0.1 * treated + 0.5 * c
    s2 = rng.normal(size=2 * n) + 0.05 * treated
    y = 0.5 + 2 * s1 - s2 + 0.3 * c + rng.normal(size=2 * n)
    return {"group": group, "s1": s1, "s2": s2, "c": c, "y": y}


def test_coefficients_match_statsmodels_ols() -> None:
    # Reference: statsmodels OLS with an intercept on the control units.
    data = _simulate(np.random.default_rng(0), 500)
    res = surrogate_index(
        data,
        long_term="y",
        surrogates=["s1", "s2"],
        covariates=["c"],
        group="group",
        treatment="t",
        control="c",
        n_bootstrap=50,
    )
    ctrl = data["group"] == "c"
    exog = sm.add_constant(np.column_stack([data["s1"], data["s2"], data["c"]])[ctrl])
    ols = sm.OLS(data["y"][ctrl], exog).fit()
    np.testing.assert_allclose(list(res.coefficients.values()), ols.params, rtol=1e-9)
    assert list(res.coefficients) == ["intercept", "s1", "s2", "c"]
    assert res.r_squared == pytest.approx(ols.rsquared, rel=1e-9)
    # With an intercept, the control's index mean is its observed mean (OLS residuals sum to 0).
    assert res.control_index_mean == pytest.approx(data["y"][ctrl].mean(), rel=1e-9)
    # The observed effect is Welch's: scipy's unequal-variance t-test gives the same statistic.
    t = stats.ttest_ind(data["y"][~ctrl], data["y"][ctrl], equal_var=False).statistic
    assert res.observed_effect is not None
    assert res.observed_effect_se is not None
    assert res.observed_effect / res.observed_effect_se == pytest.approx(t, rel=1e-9)


def test_bootstrap_se_matches_the_monte_carlo_sd() -> None:
    # Reference: the sd of the estimated effect over R = 150 independent data sets (the true
    # sampling sd). The relative standard error of an sd estimated from R draws is about
    # 1/sqrt(2(R-1)) = 5.8%; tolerance 4 of those (23%) on the ratio. The mean effect must be
    # the true 0.15 within 4 standard errors of the mean over R.
    rng = np.random.default_rng(1)
    effects, ses = [], []
    for _ in range(150):
        res = surrogate_index(
            _simulate(rng, 400),
            long_term="y",
            surrogates=["s1", "s2"],
            covariates=["c"],
            group="group",
            treatment="t",
            control="c",
            n_bootstrap=100,
            seed=int(rng.integers(2**31)),
        )
        effects.append(res.effect)
        ses.append(res.effect_se)
    sd = float(np.std(effects, ddof=1))
    assert abs(float(np.mean(ses)) / sd - 1) < 4 / np.sqrt(2 * 149)
    assert abs(float(np.mean(effects)) - 0.15) < 4 * sd / np.sqrt(150)


@pytest.fixture(scope="module")
def cookie_cats(root: Path) -> pd.DataFrame:
    data = pd.read_csv(root / "examples" / "cookie-cats" / "cookie_cats.csv.gz")
    data["log_rounds"] = np.log1p(data["sum_gamerounds"])
    return data


def test_cookie_cats_predicted_against_measured(cookie_cats: pd.DataFrame) -> None:
    # The real Cookie Cats test: 1-day retention and log(1 + rounds) as surrogates of 7-day
    # retention, fitted on the control group (gate_30).
    res = surrogate_index(
        {c: cookie_cats[c].to_numpy() for c in cookie_cats.columns},
        long_term="retention_7",
        surrogates=["retention_1", "log_rounds"],
        group="version",
        treatment="gate_40",
        control="gate_30",
        n_bootstrap=200,
    )
    # Measured effect: the difference of 7-day retention rates, -0.82 pp (scipy's Welch t-test is
    # the reference for its standard error).
    c = cookie_cats.loc[cookie_cats.version == "gate_30", "retention_7"].astype(float)
    t = cookie_cats.loc[cookie_cats.version == "gate_40", "retention_7"].astype(float)
    assert res.observed_effect == pytest.approx(t.mean() - c.mean(), rel=1e-12)
    assert res.observed_effect == pytest.approx(-0.0082, abs=5e-5)
    assert (res.control_units, res.treatment_units) == (44700, 45489)
    # The index predicts a harm a third as large, -0.26 pp, with an interval that excludes the
    # measured effect: moving the gate acts on 7-day retention through more than day-1 retention
    # and rounds played, so surrogacy does not hold for this change.
    assert res.effect == pytest.approx(-0.0026, abs=2e-4)
    assert res.effect_ci_upper < 0.001
    assert res.observed_effect is not None
    assert res.observed_effect < res.effect_ci_lower


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"long_term": "y7"}, ProxymetricError, "`long_term` 'y7' is not defined; defined columns"),
        ({"surrogates": []}, ProxymetricError, "`surrogates` is empty"),
        (
            {"treatment": "T"},
            DataError,
            "`treatment` 'T' has no units in column 'group'; found: c, t",
        ),
        ({"n_bootstrap": 10}, ProxymetricError, "`n_bootstrap` must be an integer >= 50; got 10"),
        ({"confidence_level": 1.5}, ProxymetricError, r"`confidence_level` == 1.5, must be < 1"),
    ],
)
def test_errors(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    args: dict[str, Any] = {
        "long_term": "y",
        "surrogates": ["s1"],
        "group": "group",
        "treatment": "t",
        "control": "c",
        "n_bootstrap": 50,
    }
    args.update(kwargs)
    with pytest.raises(error, match=message):
        surrogate_index(_simulate(np.random.default_rng(0), 20), **args)


def test_missing_surrogate_values() -> None:
    data = _simulate(np.random.default_rng(0), 20)
    data["s1"][3] = np.nan
    with pytest.raises(DataError, match="1 units have a missing surrogate or covariate"):
        surrogate_index(
            data, long_term="y", surrogates=["s1"], group="group", treatment="t", control="c"
        )

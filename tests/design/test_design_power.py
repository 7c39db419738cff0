"""Power, sample size and MDE against statsmodels, closed forms and simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from proxymetric.design import power_analysis, ratio_unit_variance
from proxymetric.errors import ProxymetricError

# ---------------------------------------------------------------------------------------------
# Reference: statsmodels NormalIndPower / TTestIndPower (effect size d = delta / sd, nobs1 = control
# units, ratio = treatment / control units). Agreement is to solver precision (1e-6 in power).

CASES = [
    # (sd, delta, n_control, ratio, alpha, one_sided)
    (1.0, 0.2, 200, 1.0, 0.05, False),
    (1.0, 0.1, 1000, 1.0, 0.01, False),
    (2.5, 0.3, 500, 0.5, 0.05, False),
    (10.0, 1.0, 300, 2.0, 0.10, False),
    (1.0, 0.05, 5000, 1 / 9, 0.05, False),
    (3.0, 0.4, 250, 1.0, 0.05, True),
    (1.0, 0.15, 800, 3.0, 0.025, True),
    (0.5, 0.02, 10000, 1.0, 0.05, False),
]


Case = tuple[float, float, int, float, float, bool]


@pytest.mark.parametrize("case", CASES)
def test_power_matches_statsmodels_normal(case: Case) -> None:
    sd, delta, n, ratio, alpha, one_sided = case
    alternative = "larger" if one_sided else "two-sided"
    expected = NormalIndPower().power(
        delta / sd, nobs1=n, alpha=alpha, ratio=ratio, alternative=alternative
    )
    total = round(n * (1 + ratio))
    r = power_analysis(
        "mean", 5.0, sd=sd, total_units=total, mde=delta, alpha=alpha,
        treatment_ratio=ratio, one_sided=one_sided,
    )  # fmt: skip
    # total_units rounds n * (1 + ratio); recompute the reference at the exact control size used
    expected = NormalIndPower().power(
        delta / sd, nobs1=r.control_units, alpha=alpha, ratio=ratio, alternative=alternative
    )
    assert r.solved_for == "power"
    assert r.power == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("case", CASES)
def test_units_and_mde_match_statsmodels_normal(case: Case) -> None:
    sd, delta, n, ratio, alpha, one_sided = case
    alternative = "larger" if one_sided else "two-sided"
    nobs1 = NormalIndPower().solve_power(
        delta / sd, nobs1=None, alpha=alpha, power=0.8, ratio=ratio, alternative=alternative
    )
    r = power_analysis(
        "mean", 5.0, sd=sd, mde=delta, alpha=alpha, treatment_ratio=ratio, one_sided=one_sided
    )
    assert r.solved_for == "units"
    assert r.control_units == math.ceil(nobs1 - 1e-6)
    assert r.treatment_units == math.ceil(ratio * nobs1 - 1e-6)
    assert r.power >= 0.8

    es = NormalIndPower().solve_power(
        None, nobs1=n, alpha=alpha, power=0.8, ratio=ratio, alternative=alternative
    )
    m = power_analysis(
        "mean", 5.0, sd=sd, total_units=round(n * (1 + ratio)), alpha=alpha,
        treatment_ratio=ratio, one_sided=one_sided,
    )  # fmt: skip
    es = NormalIndPower().solve_power(
        None, nobs1=m.control_units, alpha=alpha, power=0.8, ratio=ratio, alternative=alternative
    )
    # statsmodels' own solver stops at a relative tolerance of about 1e-4; its power function at
    # our MDE must be the target to 1e-9.
    assert m.mde == pytest.approx(es * sd, rel=1e-4)
    assert m.rel_mde == pytest.approx(m.mde / 5.0)
    at_mde = NormalIndPower().power(
        m.mde / sd, nobs1=m.control_units, alpha=alpha, ratio=ratio, alternative=alternative
    )
    assert at_mde == pytest.approx(0.8, abs=1e-9)


@pytest.mark.parametrize(("n", "d", "alpha"), [(20, 0.8, 0.05), (50, 0.5, 0.05), (12, 1.2, 0.01)])
def test_t_distribution_matches_statsmodels_ttest(n: int, d: float, alpha: float) -> None:
    # With equal arms and equal variances the Welch df equals the pooled df 2n - 2, so the
    # noncentral-t power must equal TTestIndPower's.
    expected = TTestIndPower().power(d, nobs1=n, alpha=alpha, ratio=1.0)
    r = power_analysis(
        "mean", 1.0, sd=1.0, units_per_variant=n, mde=d, alpha=alpha, distribution="t"
    )
    assert r.power == pytest.approx(expected, abs=1e-8)
    es = TTestIndPower().solve_power(None, nobs1=n, alpha=alpha, power=0.9, ratio=1.0)
    m = power_analysis(
        "mean", 1.0, sd=1.0, units_per_variant=n, power=0.9, alpha=alpha, distribution="t"
    )
    assert m.mde == pytest.approx(es, rel=1e-5)


# ---------------------------------------------------------------------------------------------
# Proportions: closed form with each arm's own variance (Fleiss' unpooled formula, no continuity
# correction). The solver also counts the far tail, which changes n by less than one unit.


def _closed_form_n(p: float, delta: float, alpha: float, power: float) -> float:
    q = p + delta
    z = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)
    return float(z**2 * (p * (1 - p) + q * (1 - q)) / delta**2)


@pytest.mark.parametrize(
    ("p", "delta", "alpha", "power"),
    [
        (0.05, 0.005, 0.05, 0.8),
        (0.2, 0.01, 0.05, 0.9),
        (0.5, -0.02, 0.01, 0.8),
        (0.9, 0.03, 0.1, 0.8),
    ],
)
def test_proportion_units_match_closed_form(
    p: float, delta: float, alpha: float, power: float
) -> None:
    r = power_analysis("proportion", p, mde=delta, alpha=alpha, power=power)
    assert abs(r.control_units - _closed_form_n(p, delta, alpha, power)) <= 1.0
    assert r.treatment_sd == pytest.approx(math.sqrt((p + delta) * (1 - p - delta)))


def test_quoted_example_300_employees_cannot_see_half_a_point_on_5pct_ctr() -> None:
    # 300 employees split 150/150, CTR 5%, change of 0.5 percentage points (10% relative).
    r = power_analysis("proportion", 0.05, units_per_variant=150, mde=0.005)
    # closed form: se = sqrt(.05*.95/150 + .055*.945/150) = 0.02575, z = 0.005/se = 0.1942
    se = math.sqrt(0.05 * 0.95 / 150 + 0.055 * 0.945 / 150)
    z = stats.norm.isf(0.025)
    assert r.power == pytest.approx(
        stats.norm.cdf(0.005 / se - z) + stats.norm.cdf(-0.005 / se - z)
    )
    assert round(r.power, 3) == 0.054  # barely above the 5% false positive rate
    need = power_analysis("proportion", 0.05, mde=0.005)
    assert need.units_per_variant == 31_231  # 62,462 users in all for 80% power
    mde = power_analysis("proportion", 0.05, units_per_variant=150)
    assert round(mde.mde, 4) == 0.0947  # 150 users per arm see only 5% -> 14.5%


def test_quoted_example_100_points_cannot_see_a_1pct_change() -> None:
    # 100 data points per arm, a metric with coefficient of variation 1 (sd == mean).
    r = power_analysis("mean", 10.0, sd=10.0, units_per_variant=100)
    z = stats.norm.isf(0.025) + stats.norm.ppf(0.8)
    assert r.rel_mde == pytest.approx(z * math.sqrt(2 / 100), rel=1e-3)  # closed form, far tail
    assert round(r.rel_mde, 3) == 0.396  # only a 40% change is detectable
    need = power_analysis("mean", 10.0, sd=10.0, rel_mde=0.01)
    assert need.units_per_variant == 156_978  # closed form 2 * z^2 / 0.01^2 = 156,977.4


def test_variance_reduction_is_a_smaller_sd() -> None:
    # Closed form: CUPED with rho removes rho of the variance, as sd * sqrt(1 - rho) does.
    a = power_analysis("mean", 3.0, sd=2.0, mde=0.1, variance_reduction=0.36)
    b = power_analysis("mean", 3.0, sd=2.0 * math.sqrt(0.64), mde=0.1)
    assert a.units_per_variant == b.units_per_variant
    c = power_analysis("proportion", 0.3, units_per_variant=2000, mde=0.03, variance_reduction=0.5)
    d = power_analysis("proportion", 0.3, units_per_variant=4000, mde=0.03)
    assert c.power == pytest.approx(d.power, abs=1e-12)


def test_several_treatments_use_bonferroni_alpha() -> None:
    # Reference: statsmodels at alpha / (k - 1); total = control + (k - 1) * treatment units.
    r = power_analysis("mean", 1.0, sd=1.0, mde=0.1, variants=4)
    nobs1 = NormalIndPower().solve_power(0.1, alpha=0.05 / 3, power=0.8, ratio=1.0)
    assert r.alpha_per_comparison == pytest.approx(0.05 / 3)
    assert r.control_units == math.ceil(nobs1)
    assert r.total_units == 4 * math.ceil(nobs1)
    unc = power_analysis("mean", 1.0, sd=1.0, mde=0.1, variants=4, correction="none")
    assert unc.alpha_per_comparison == 0.05
    assert unc.units_per_variant < r.units_per_variant


def test_ratio_unit_variance_matches_replicated_ratios() -> None:
    # Reference: simulation. The variance of sum(Y)/sum(X) over 4000 replications of n = 500
    # units, times n, must match the delta-method V within the sampling error of a variance
    # estimate (relative sd sqrt(2/4000) = 2.2%; 4 sd = 9%), plus O(1/n) bias.
    rng = np.random.default_rng(7)
    n, reps = 500, 4000
    x = rng.poisson(3.0, size=(reps, n)) + 1.0
    y = rng.binomial(x.astype(int), 0.3) + rng.normal(0, 0.5, size=(reps, n))
    ratios = y.sum(axis=1) / x.sum(axis=1)
    xs, ys = x.ravel(), y.ravel()
    v = ratio_unit_variance(ys.mean(), xs.mean(), ys.var(), xs.var(), np.cov(ys, xs)[0, 1])
    assert n * ratios.var() == pytest.approx(v, rel=0.09)


# ---------------------------------------------------------------------------------------------
# Simulation: at the planned units the analysis rejects in `power` of the experiments. With
# R = 2000 experiments the rejection rate has sd sqrt(.8 * .2 / R) = 0.0089; tolerance 3.5 sd.

R = 2000
TOL = 3.5 * math.sqrt(0.8 * 0.2 / R)


Arm = tuple[np.ndarray, np.ndarray, int]


def _welch_reject(control: Arm, treatment: Arm) -> np.ndarray:
    """Reject at 5% with the Welch statistic (normal reference: n is in the hundreds)."""
    (m1, v1, n1), (m2, v2, n2) = control, treatment
    se = np.sqrt(v1 / n1 + v2 / n2)
    p = 2 * stats.norm.sf(np.abs(m2 - m1) / se)
    return np.asarray(p < 0.05)


def test_simulated_power_mean() -> None:
    plan = power_analysis("mean", 10.0, sd=4.0, mde=0.8)
    n = int(plan.control_units)
    rng = np.random.default_rng(1)
    c = rng.normal(10.0, 4.0, size=(R, n))
    t = rng.normal(10.8, 4.0, size=(R, n))
    rej = stats.ttest_ind(t, c, axis=1, equal_var=False).pvalue < 0.05  # Welch, the analysis test
    assert abs(rej.mean() - 0.8) < TOL


def test_simulated_power_proportion() -> None:
    plan = power_analysis("proportion", 0.2, mde=0.05)
    n = int(plan.control_units)
    rng = np.random.default_rng(2)
    xc = rng.binomial(n, 0.2, size=R)
    xt = rng.binomial(n, 0.25, size=R)
    mc, mt = xc / n, xt / n
    vc, vt = xc * (n - xc) / (n * (n - 1.0)), xt * (n - xt) / (n * (n - 1.0))
    assert abs(_welch_reject((mc, vc, n), (mt, vt, n)).mean() - 0.8) < TOL


def test_simulated_power_ratio() -> None:
    # Clicks per session: sessions ~ 1 + Poisson(2), clicks ~ Binomial(sessions, p) per unit.
    rng = np.random.default_rng(3)
    pilot_x = rng.poisson(2.0, 400_000) + 1.0
    pilot_y = rng.binomial(pilot_x.astype(int), 0.3).astype(float)
    v = ratio_unit_variance(
        pilot_y.mean(), pilot_x.mean(), pilot_y.var(), pilot_x.var(), np.cov(pilot_y, pilot_x)[0, 1]
    )
    plan = power_analysis("ratio", 0.3, sd=math.sqrt(v), mde=0.03)
    n = int(plan.control_units)

    def arm(p: float) -> tuple[np.ndarray, np.ndarray]:
        x = rng.poisson(2.0, size=(R, n)) + 1.0
        y = rng.binomial(x.astype(int), p).astype(float)
        ratio = y.sum(axis=1) / x.sum(axis=1)
        mx = x.mean(axis=1)
        cov = ((y - y.mean(axis=1, keepdims=True)) * (x - mx[:, None])).sum(axis=1) / (n - 1)
        var = (y.var(axis=1, ddof=1) - 2 * ratio * cov + ratio**2 * x.var(axis=1, ddof=1)) / mx**2
        return ratio, var

    rc, vc = arm(0.3)
    rt, vt = arm(0.33)
    assert abs(_welch_reject((rc, vc, n), (rt, vt, n)).mean() - 0.8) < TOL


def test_simulated_power_cuped() -> None:
    # Y = X + noise with corr(Y, X)^2 = 0.5: plan with variance_reduction 0.5, analyse with CUPED
    # (theta from both arms pooled).
    plan = power_analysis("mean", 0.0, sd=math.sqrt(2.0), mde=0.25, variance_reduction=0.5)
    n = int(plan.control_units)
    rng = np.random.default_rng(4)
    xc, xt = rng.normal(size=(R, n)), rng.normal(size=(R, n))
    yc = xc + rng.normal(size=(R, n))
    yt = xt + rng.normal(size=(R, n)) + 0.25
    x, y = np.hstack([xc, xt]), np.hstack([yc, yt])
    xm = x.mean(axis=1, keepdims=True)
    theta = ((x - xm) * (y - y.mean(axis=1, keepdims=True))).sum(axis=1) / ((x - xm) ** 2).sum(
        axis=1
    )
    ac = yc - theta[:, None] * (xc - xm)
    at = yt - theta[:, None] * (xt - xm)
    rej = _welch_reject((ac.mean(1), ac.var(1, ddof=1), n), (at.mean(1), at.var(1, ddof=1), n))
    assert abs(rej.mean() - 0.8) < TOL


# ---------------------------------------------------------------------------------------------
# Invariants


@settings(max_examples=60, deadline=None)
@given(
    sd=st.floats(5.0, 100.0),
    rel=st.floats(0.001, 0.3),
    ratio=st.floats(0.1, 5.0),
    power=st.floats(0.5, 0.99),
)
def test_solving_round_trips(sd: float, rel: float, ratio: float, power: float) -> None:
    r = power_analysis("mean", 10.0, sd=sd, rel_mde=rel, power=power, treatment_ratio=ratio)
    assert r.power >= power - 1e-9
    m = power_analysis(
        "mean", 10.0, sd=sd, total_units=r.total_units, power=power, treatment_ratio=ratio
    )
    # The rounded-up units detect an effect no larger than the one asked for.
    assert m.rel_mde <= rel * (1 + 1e-6)
    back = power_analysis(
        "mean", 10.0, sd=sd, total_units=r.total_units, mde=m.mde, treatment_ratio=ratio
    )
    assert back.power == pytest.approx(power, abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(p=st.floats(0.01, 0.9), n=st.integers(50, 10**6))
def test_power_grows_with_units_and_effect(p: float, n: int) -> None:
    small = power_analysis("proportion", p, units_per_variant=n, mde=0.05 * (1 - p))
    more = power_analysis("proportion", p, units_per_variant=2 * n, mde=0.05 * (1 - p))
    bigger = power_analysis("proportion", p, units_per_variant=n, mde=0.1 * (1 - p))
    assert small.power <= more.power + 1e-12
    assert small.power <= bigger.power + 1e-12


# ---------------------------------------------------------------------------------------------
# Errors name the parameter, the bad value and what is valid.


M = {"metric": "mean", "baseline": 1.0, "sd": 1.0}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metric": "median", "baseline": 1.0, "mde": 0.1}, "`metric` must be one of 'mean'"),
        ({"metric": "mean", "baseline": 1.0, "mde": 0.1}, "`sd` is required for a mean metric"),
        ({"metric": "proportion", "baseline": 1.5, "mde": 0.1}, "`baseline` == 1.5, must be < 1"),
        ({"metric": "proportion", "baseline": 0.9, "mde": 0.2}, "`mde` == 0.2 puts the treatment"),
        (M, "give the units"),
        ({**M, "mde": 0.0}, "`mde` == 0, must be non-zero"),
        ({**M, "sd": -1.0, "mde": 1.0}, "`sd` == -1.0, must be > 0"),
        ({**M, "baseline": 0.0, "rel_mde": 0.1}, "non-zero `baseline`"),
        ({**M, "mde": 1.0, "alpha": 0.0}, "`alpha` == 0.0, must be > 0"),
        ({**M, "mde": 1.0, "variants": 1}, "`variants` must be an integer >= 2; got 1"),
        ({**M, "units_per_variant": 1}, "fewer than 2 units"),
        ({**M, "units_per_variant": 100, "mde": 1.0, "power": 0.9}, "not all three"),
        ({**M, "units_per_variant": 1.5}, "`units_per_variant` must be a positive integer"),
        (
            {"metric": "proportion", "baseline": 0.5, "units_per_variant": 3, "power": 0.99},
            "more units are needed",
        ),
    ],
)
def test_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ProxymetricError) as info:
        power_analysis(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_simulated_power_several_treatments_unequal_split() -> None:
    # Control plus two treatments at half its size, each compared at alpha / 2 (Bonferroni):
    # the treatment with the planned effect is found in `power` of the experiments, the null
    # treatment in at most alpha / 2 (+ 3.5 binomial sd).
    plan = power_analysis("mean", 1.0, sd=2.0, mde=0.5, variants=3, treatment_ratio=0.5)
    nc, nt = int(plan.control_units), int(plan.treatment_units)
    assert plan.total_units == nc + 2 * nt
    rng = np.random.default_rng(6)
    c = rng.normal(1.0, 2.0, size=(R, nc))
    t1 = rng.normal(1.5, 2.0, size=(R, nt))
    t2 = rng.normal(1.0, 2.0, size=(R, nt))
    level = plan.alpha_per_comparison
    found = stats.ttest_ind(t1, c, axis=1, equal_var=False).pvalue < level
    false = stats.ttest_ind(t2, c, axis=1, equal_var=False).pvalue < level
    assert abs(found.mean() - 0.8) < TOL
    assert false.mean() <= level + 3.5 * math.sqrt(level * (1 - level) / R)


def test_standard_error_closed_form() -> None:
    # Closed form: se = sqrt((1 - rho) (p(1-p)/n_c + p'(1-p')/n_t)).
    r = power_analysis(
        "proportion", 0.1, units_per_variant=1000, mde=0.02, variance_reduction=0.2,
        treatment_ratio=0.5,
    )  # fmt: skip
    nc, nt = 2000 / 1.5, 1000 / 1.5
    expected = math.sqrt(0.8 * (0.1 * 0.9 / nc + 0.12 * 0.88 / nt))
    assert r.effect_se == pytest.approx(expected)
    # At the solved MDE of a mean, mde / se is z_{1-a/2} + z_power up to the far tail.
    m = power_analysis("mean", 1.0, sd=1.0, units_per_variant=500)
    z = stats.norm.isf(0.025) + stats.norm.ppf(0.8)
    assert m.mde / m.effect_se == pytest.approx(z, rel=1e-4)


# ---------------------------------------------------------------------------------------------
# Scale-free: the calculator works in standardized effects (effect / sd), so a metric measured
# in any unit plans like the same metric scaled to sd 1. Reference: statsmodels NormalIndPower
# and TTestIndPower, which take the standardized effect d = delta / sd, at every scale.

SCALES = [1e-200, 1e-100, 1e-8, 1.0, 1e8, 1e100, 1e200]


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize(("d", "ratio", "one_sided"), [(0.7, 1.0, False), (0.2, 0.5, True)])
def test_units_mde_and_power_are_scale_free_normal(
    scale: float, d: float, ratio: float, one_sided: bool
) -> None:
    alternative = "larger" if one_sided else "two-sided"
    ref = NormalIndPower()
    args = {"treatment_ratio": ratio, "one_sided": one_sided}
    units = power_analysis("mean", 3.0 * scale, sd=scale, mde=d * scale, **args)  # type: ignore[arg-type]
    nobs1 = ref.solve_power(
        d, nobs1=None, alpha=0.05, power=0.8, ratio=ratio, alternative=alternative
    )
    assert units.control_units == math.ceil(nobs1 - 1e-6)
    assert units.power == pytest.approx(
        ref.power(
            d,
            nobs1=units.control_units,
            alpha=0.05,
            ratio=units.treatment_units / units.control_units,
            alternative=alternative,
        ),
        abs=1e-9,
    )
    assert units.effect_se / scale == pytest.approx(
        math.sqrt(1 / units.control_units + 1 / units.treatment_units)
    )
    mde = power_analysis("mean", 3.0 * scale, sd=scale, total_units=300, **args)  # type: ignore[arg-type]
    at_mde = ref.power(
        mde.mde / scale, nobs1=mde.control_units, alpha=0.05, ratio=ratio, alternative=alternative
    )
    assert at_mde == pytest.approx(0.8, abs=1e-9)
    power = power_analysis("mean", 3.0 * scale, sd=scale, total_units=300, mde=d * scale, **args)  # type: ignore[arg-type]
    expected = ref.power(
        d, nobs1=power.control_units, alpha=0.05, ratio=ratio, alternative=alternative
    )
    assert power.power == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("scale", SCALES)
def test_t_distribution_is_scale_free(scale: float) -> None:
    # Reference: TTestIndPower (equal arms and variances: the Welch df is the pooled 2n - 2).
    expected = TTestIndPower().power(0.8, nobs1=20, alpha=0.05, ratio=1.0)
    r = power_analysis(
        "mean", scale, sd=scale, units_per_variant=20, mde=0.8 * scale, distribution="t"
    )
    assert r.power == pytest.approx(expected, abs=1e-8)
    es = TTestIndPower().solve_power(None, nobs1=20, alpha=0.05, power=0.9, ratio=1.0)
    m = power_analysis("mean", scale, sd=scale, units_per_variant=20, power=0.9, distribution="t")
    assert m.mde / scale == pytest.approx(es, rel=1e-5)


@pytest.mark.parametrize("scale", [1e-250, 1e-150, 1e150, 1e250])
def test_unequal_sds_are_scale_free(scale: float) -> None:
    # Closed form: n_c = (z_{1-a/2} + z_power)^2 (sd_c^2 + sd_t^2) / delta^2 up to the far tail.
    r = power_analysis("mean", 0.0, sd=scale, sd_treatment=3 * scale, mde=0.5 * scale)
    z = stats.norm.isf(0.025) + stats.norm.ppf(0.8)
    assert r.control_units == math.ceil(z**2 * (1 + 9) / 0.25)


@pytest.mark.parametrize("rate", [1e-200, 1e-12, 0.05])
def test_rare_rates_are_planned_at_their_own_scale(rate: float) -> None:
    # Closed form at the solved MDE: Phi(delta/se - z) + Phi(-delta/se - z) = 0.8 with
    # se = sqrt(p(1-p)/n + p'(1-p')/n).
    r = power_analysis("proportion", rate, units_per_variant=10**6)
    q = rate + r.mde
    se = math.sqrt(rate * (1 - rate) / 1e6 + q * (1 - q) / 1e6)
    z = stats.norm.isf(0.025)
    assert stats.norm.cdf(r.mde / se - z) + stats.norm.cdf(-r.mde / se - z) == pytest.approx(0.8)
    assert r.effect_se == pytest.approx(se)


@pytest.mark.parametrize("power", [0.05, 0.01, 0.001])
def test_power_at_or_below_alpha_is_refused(power: float) -> None:
    # At zero effect a test at level alpha rejects with probability alpha: no planned power can
    # be that low, and solving for it would return the two-unit minimum.
    with pytest.raises(ProxymetricError, match=r"`power` == .*, must be > `alpha` == 0.05"):
        power_analysis("mean", 1.0, sd=1.0, mde=0.1, power=power)
    with pytest.raises(ProxymetricError, match="effect is zero"):
        power_analysis("mean", 1.0, sd=1.0, units_per_variant=100, power=power)
    assert power_analysis("mean", 1.0, sd=1.0, mde=0.1, power=0.051).power >= 0.051

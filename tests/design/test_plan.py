"""``plan()``: the estimates from the data and the plan built on them, against references.

References, per test: pandas on the raw data (baselines, variances, CUPED correlations, the
delta-method variance of a ratio written out with numpy), statsmodels' ``NormalIndPower``
(MDE of a mean metric), the closed form of the one-sided sample size (guardrails), the closed
form of the expected loss (cost) and the published "300 employees, 5% CTR" numbers of
docs/power.md. Tolerances: 1e-9 relative for quantities computed from the same sums; 1e-6
relative for the solvers (their stopping tolerance is 1e-12 relative).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from statsmodels.stats.power import NormalIndPower

from proxymetric.design import AccrualModel, fit_accrual, plan
from proxymetric.errors import ProxymetricError
from proxymetric.report.plan import feasibility_message, verdict_lines

ROOT = Path(__file__).resolve().parents[2]
COOKIE = ROOT / "examples" / "cookie-cats" / "proxymetric.yaml"
CHECKOUT = ROOT / "examples" / "checkout-events" / "proxymetric.yaml"


@pytest.fixture(scope="module")
def cookie() -> pd.DataFrame:
    return pd.read_csv(ROOT / "examples" / "cookie-cats" / "cookie_cats.csv.gz")


@pytest.fixture(scope="module")
def cookie_plan() -> Any:
    return plan(COOKIE, units_per_day=3000)


def test_cookie_cats_estimates_against_pandas(cookie: pd.DataFrame, cookie_plan: Any) -> None:
    control = cookie[cookie.version == "gate_30"]
    by_name = {m.metric: m for m in cookie_plan.metrics}
    for name, column in (
        ("retention_7", "retention_7"),
        ("retention_1", "retention_1"),
        ("rounds", "sum_gamerounds"),
    ):
        values = control[column].astype(float)
        assert by_name[name].baseline == pytest.approx(values.mean(), rel=1e-9)
        assert by_name[name].sd == pytest.approx(values.std(ddof=1), rel=1e-9)
        assert by_name[name].units_observed == len(control)
        assert math.isnan(by_name[name].cuped_correlation)  # no covariate column in the spec
    assert cookie_plan.estimated_from == "control variant 'gate_30'"
    assert cookie_plan.accrual_basis == "units_per_day"


def test_mean_metric_mde_against_statsmodels(cookie_plan: Any) -> None:
    # Reference: statsmodels' NormalIndPower (both tails) gives power 0.8 at the planned MDE,
    # at alpha 0.05 / 2: the analysis corrects the two success metrics (retention_7 and rounds)
    # with Holm, whose first step is alpha / 2.
    rounds = next(m for m in cookie_plan.metrics if m.metric == "rounds")
    for row in rounds.durations:
        assert row.total_units == 3000 * row.days
        achieved = NormalIndPower().power(
            effect_size=row.mde / rounds.sd, nobs1=row.total_units / 2, alpha=0.025, ratio=1.0
        )
        assert achieved == pytest.approx(0.8, abs=1e-9)
        assert row.mde_with_cuped == row.mde  # no covariate, no reduction


def test_guardrail_days_against_the_one_sided_closed_form(cookie_plan: Any) -> None:
    # Non-inferiority of retention_1 at its 2% margin: a one-sided test of an effect equal to
    # the margin; each arm's own variance, p(1-p) at p and at p + margin (docs/power.md):
    # n per arm = (z_{1-alpha} + z_{power})^2 (v_c + v_t) / delta^2, days = ceil(2 n / 3000).
    g = next(m for m in cookie_plan.metrics if m.metric == "retention_1")
    assert (g.test, g.alternative) == ("non-inferiority", "one-sided")
    p, delta = g.baseline, 0.02 * g.baseline
    assert g.target_mde == pytest.approx(delta, rel=1e-12)
    n = (stats.norm.isf(0.05) + stats.norm.isf(0.2)) ** 2
    n *= p * (1 - p) + (p + delta) * (1 - p - delta)
    n /= delta**2
    assert g.days_needed == math.ceil(2 * math.ceil(n) / 3000)


def test_success_metrics_are_two_sided_at_the_target(cookie_plan: Any) -> None:
    primary = cookie_plan.metrics[0]
    assert (primary.metric, primary.role, primary.test) == ("retention_7", "primary", "superiority")
    assert primary.target_rel_mde == pytest.approx(0.02)
    # At 3,000 players a day a 2% change of 7-day retention needs about 16 weeks: not feasible
    # within the 8-week maximum; the plan says what would work instead.
    assert primary.verdict == "not_feasible"
    assert primary.days_needed > 56
    assert primary.feasibility is not None
    assert "paired_test" in primary.feasibility.suggestions
    assert primary.target_source == "default"  # no `expected_effect` in the spec, no option


@pytest.fixture(scope="module")
def checkout_logs() -> tuple[pd.DataFrame, pd.DataFrame]:
    base = ROOT / "examples" / "checkout-events"
    assignments = pd.read_csv(base / "assignments.csv.gz", parse_dates=["assigned_at"])
    events = pd.read_csv(base / "events.csv.gz", parse_dates=["ts"])
    return assignments, events


def _control_units(checkout_logs: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    """Per control user: the event metrics and their pre-period values, with pandas."""
    assignments, events = checkout_logs
    per = assignments.groupby("user_id").agg(
        t0=("assigned_at", "min"), variant=("variant", "min"), n=("variant", "nunique")
    )
    units = per[(per.n == 1) & (per.variant == "old_checkout")]
    joined = events.merge(units[["t0"]], left_on="user_id", right_index=True)
    window = pd.Timedelta(days=14)
    after = (joined.ts >= joined.t0) & (joined.ts < joined.t0 + window)
    before = (joined.ts < joined.t0) & (joined.ts >= joined.t0 - window)
    buy = joined.event == "purchase"
    out = pd.DataFrame(index=units.index)
    for suffix, period in (("", after), ("_pre", before)):
        out["revenue" + suffix] = (
            joined[period & buy & (joined.amount > 0)].groupby("user_id").amount.sum()
        )
        out["buyers" + suffix] = joined[period & buy].groupby("user_id").size().gt(0)
        out["num" + suffix] = joined[period & buy].groupby("user_id").size()
        out["den" + suffix] = joined[period].groupby("user_id").size()
    return out.fillna(0).astype(float)


def _ratio_linearised(num: pd.Series, den: pd.Series) -> pd.Series:
    """Deng, Knoblich, Lu (KDD 2018): (num - R den) / mean(den), R = mean(num) / mean(den)."""
    r = num.mean() / den.mean()
    return (num - r * den) / den.mean()


def test_checkout_estimates_against_pandas(
    checkout_logs: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    units = _control_units(checkout_logs)
    result = plan(CHECKOUT)
    by_name = {m.metric: m for m in result.metrics}
    revenue, buyers, conversion = by_name["revenue"], by_name["buyers"], by_name["conversion"]
    assert revenue.baseline == pytest.approx(units.revenue.mean(), rel=1e-9)
    assert revenue.sd == pytest.approx(units.revenue.std(), rel=1e-9)
    rho = np.corrcoef(units.revenue, units.revenue_pre)[0, 1]
    assert revenue.cuped_correlation == pytest.approx(rho, rel=1e-9)
    assert revenue.variance_reduction == pytest.approx(rho**2, rel=1e-9)
    rho_b = np.corrcoef(units.buyers, units.buyers_pre)[0, 1]
    assert buyers.cuped_correlation == pytest.approx(rho_b, rel=1e-9)
    # Ratio: the delta-method variance is the variance of the linearised unit values, and the
    # CUPED correlation is the correlation of the linearised metric and covariate.
    lin = _ratio_linearised(units.num, units.den)
    lin_pre = _ratio_linearised(units.num_pre, units.den_pre)
    assert conversion.baseline == pytest.approx(units.num.sum() / units.den.sum(), rel=1e-9)
    assert conversion.sd == pytest.approx(lin.std(), rel=1e-9)
    assert conversion.cuped_correlation == pytest.approx(
        np.corrcoef(lin, lin_pre)[0, 1], rel=1e-6, abs=1e-9
    )


def test_checkout_accrual_is_fitted_to_the_assignment_log(
    checkout_logs: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    assignments, _ = checkout_logs
    first = assignments.groupby("user_id").agg(t0=("assigned_at", "min"), n=("variant", "nunique"))
    first = first[first.n == 1]
    cumulative = first.t0.dt.normalize().value_counts().sort_index().cumsum()
    result = plan(CHECKOUT)
    assert result.accrual_basis == "assignments"
    assert result.observed_cumulative_units == tuple(int(x) for x in cumulative)
    assert result.accrual == fit_accrual(cumulative.to_numpy())
    # The MDE with CUPED is the plain MDE times sqrt(1 - rho^2) for a mean metric.
    revenue = result.metrics[0]
    for row in revenue.durations:
        expected = row.mde * math.sqrt(1 - revenue.variance_reduction)
        assert row.mde_with_cuped == pytest.approx(expected, rel=1e-6)


def test_cost_of_testing_closed_form() -> None:
    # revenue has value_per_unit 1: with the target as a point guess, the control units lose
    # the target each (expected loss = value * n_control * effect); half the traffic waits
    # outside the test for the planned 14 days (cost of delay = value * effect * outside * days).
    result = plan(CHECKOUT, traffic_share=0.5)
    revenue = result.metrics[0]
    assert revenue.cost is not None
    total = math.floor(float(result.accrual.predict(14)) + 1e-9)
    assert revenue.cost.control_units == pytest.approx(total / 2)
    assert revenue.cost.expected_loss == pytest.approx(total / 2 * revenue.target_mde, rel=1e-12)
    outside = total / 14 / 0.5 * 0.5
    assert revenue.cost.cost_of_delay == pytest.approx(revenue.target_mde * outside * 14, rel=1e-12)
    assert all(m.cost is None for m in result.metrics[1:])  # no value_per_unit


def _employees_spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(
        """
sources:
  staff: {table: staff, unit: employee, variant: group}
metrics:
  ctr: {type: proportion, source: staff, column: clicked}
experiments:
  new-ranker:
    control: old
    primary: ctr
    population: 300
"""
    )
    return spec


def test_fixed_population_of_300_employees() -> None:
    # docs/power.md: 300 employees cannot detect a 0.5 pp change on a 5% CTR; 150 per variant
    # detect 0.0947 at 80% power (a published number of the calculator, checked there against
    # statsmodels). Data: exactly 5% clicks in each group.
    # The population (300) comes from the spec; the rates from a larger log of 400 employees.
    staff = pd.DataFrame({"employee": range(400), "group": ["old", "new"] * 200, "clicked": 0})
    staff.loc[range(0, 400, 40), "clicked"] = 1  # 10 of the 200 in "old"
    staff.loc[range(1, 400, 40), "clicked"] = 1  # 10 of the 200 in "new"
    result = plan(_employees_spec(), data={"staff": staff}, target_rel_mde=0.1)
    ctr = result.metrics[0]
    assert ctr.baseline == pytest.approx(0.05)
    assert ctr.target_mde == pytest.approx(0.005)
    assert result.accrual == AccrualModel.fixed(300)
    assert all(row.total_units == 300 for row in ctr.durations)
    assert round(ctr.durations[0].mde, 4) == 0.0947
    assert ctr.verdict == "not_feasible"
    assert ctr.feasibility is not None
    assert "not feasible at this traffic" in feasibility_message(ctr.feasibility)
    assert math.isnan(ctr.days_needed)  # a fixed population never grows


def test_planned_test_without_assignment_uses_first_events() -> None:
    # The assignment log is not read (a test not started yet has none).
    spec = yaml.safe_load(CHECKOUT.read_text())
    spec["sources"]["assignments"]["path"] = "not-there-yet.csv"
    spec["sources"]["events"]["path"] = str(CHECKOUT.parent / "events.csv.gz")
    result = plan(spec, from_events=True)
    assert result.data_kind == "events_first_seen"
    assert result.accrual_basis == "first_events"
    assert result.estimated_from == "every unit (no assignment yet)"
    assert all(math.isnan(m.cuped_correlation) for m in result.metrics)
    assert result.warnings == ()


def test_error_messages() -> None:
    with pytest.raises(ProxymetricError, match=r"give `units_per_day` \(--units-per-day\)"):
        plan(COOKIE)
    with pytest.raises(ProxymetricError, match="give one of `units_per_day` and `population`"):
        plan(COOKIE, units_per_day=10, population=10)
    with pytest.raises(ProxymetricError, match=r"`days` must be positive whole numbers.*\[0\]"):
        plan(COOKIE, units_per_day=10, days=[0])
    with pytest.raises(ProxymetricError, match="`max_days` == 7, must be >= `planned_days`"):
        plan(COOKIE, units_per_day=10, max_days=7)
    with pytest.raises(ProxymetricError, match=r"`target_rel_mde` == -0\.1"):
        plan(COOKIE, units_per_day=10, target_rel_mde=-0.1)
    with pytest.raises(ProxymetricError, match="`experiment` 'nope' is not defined"):
        plan(COOKIE, "nope", units_per_day=10)


def test_zero_margin_guardrail_says_why() -> None:
    spec = yaml.safe_load(COOKIE.read_text())
    spec["sources"]["players"]["path"] = str(COOKIE.parent / "cookie_cats.csv.gz")
    spec["experiments"]["gate-40"]["guardrails"][0]["margin"] = 0
    result = plan(spec, units_per_day=3000)
    g = result.metrics[1]
    assert g.verdict == "not_feasible"
    assert g.feasibility is None
    assert any("margin of 0 cannot be shown" in line for line in verdict_lines(g))


def test_population_from_the_spec_and_accrual_override() -> None:
    spec = yaml.safe_load(COOKIE.read_text())
    spec["sources"]["players"]["path"] = str(COOKIE.parent / "cookie_cats.csv.gz")
    spec["experiments"]["gate-40"]["units_per_day"] = 1000
    assert plan(spec).metrics[0].durations[0].total_units == 7000
    # An explicit argument overrides the spec.
    assert plan(spec, population=500).metrics[0].durations[0].total_units == 500


def test_summary_statistics_with_units_per_day() -> None:
    # ASOS experiment 058875, metric 4: the baseline and sd are the control's mean and
    # sqrt(variance) at the latest snapshot (reference: pandas); summaries have no covariances,
    # so no CUPED.
    asos_path = ROOT / "examples" / "data" / "asos" / "asos_digital_experiments.csv.gz"
    spec = {
        "sources": {
            "asos": {
                "path": str(asos_path),
                "filter": "experiment_id = '058875'",
                "summary": {
                    "layout": "paired",
                    "metric": "metric_id",
                    "snapshot": "time_since_start",
                    "treatment_variant": "variant_id",
                    "control": {"count": "count_c", "mean": "mean_c", "variance": "variance_c"},
                    "treatment": {"count": "count_t", "mean": "mean_t", "variance": "variance_t"},
                },
            }
        },
        "metrics": {"spend": {"type": "mean", "source": "asos", "summary_metric": 4}},
        "experiments": {"e": {"control": "control", "primary": "spend", "units_per_day": 1e6}},
    }
    df = pd.read_csv(asos_path, dtype={"experiment_id": str})
    rows = df[(df.experiment_id == "058875") & (df.metric_id == 4)]
    last = rows.sort_values("time_since_start").iloc[-1]
    result = plan(spec)
    spend = result.metrics[0]
    assert result.data_kind == "summary"
    assert spend.baseline == pytest.approx(last.mean_c, rel=1e-12)
    assert spend.sd == pytest.approx(math.sqrt(last.variance_c), rel=1e-12)
    assert spend.variance_reduction == 0.0


def test_spec_keys_are_validated() -> None:
    spec = yaml.safe_load(COOKIE.read_text())
    spec["sources"]["players"]["path"] = str(COOKIE.parent / "cookie_cats.csv.gz")
    spec["experiments"]["gate-40"]["population"] = -3
    with pytest.raises(ProxymetricError, match=r"`experiments\.gate-40\.population`: .* than 0"):
        plan(spec)
